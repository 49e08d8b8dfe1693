// Waiting on work that cannot be cancelled, but need not be waited for past a deadline.

/** Rejects with the signal's reason when it is aborted first; the operation itself is not cancelled. */
export function raceAbort<T>(operation: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    operation.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Builds an abort reason without capturing a stack. The prober makes one on every attempt that times out
 * or ends early, and nobody ever reads its stack; an overloaded agent (where every attempt times out) spent
 * about 13 % of its main thread capturing and formatting them.
 */
export function withoutStack<T>(build: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
