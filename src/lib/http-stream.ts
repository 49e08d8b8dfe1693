// A text answer written as it is produced: chunk by chunk, waiting for the socket to drain between them, so
// that a long answer (a scrape of 10,000 targets' metrics) is never held whole in memory.
import type { ServerResponse } from 'node:http';

/** Answers 200 with `chunks`; a HEAD request gets the headers only. Rejects if producing a chunk throws. */
export async function writeText(res: ServerResponse, contentType: string, chunks: AsyncIterable<string>): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  // The first chunk is produced before the head goes out, so that a failure can still be a 500.
  let next = await iterator.next();
  res.writeHead(200, { 'content-type': contentType });
  if (res.req.method === 'HEAD') {
    await iterator.return?.();
    res.end();
    return;
  }
  while (!next.done) {
    if (res.destroyed) {
      await iterator.return?.();
      return;
    }
    if (!res.write(next.value)) await drainedOrClosed(res);
    next = await iterator.next();
  }
  res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
