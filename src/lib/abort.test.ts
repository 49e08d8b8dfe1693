import { describe, expect, it } from 'vitest';
import { withoutStack } from './abort.js';

describe('withoutStack', () => {
  it('builds the error with its message and class but no stack frames', () => {
    const reason = withoutStack(() => new DOMException('probe timed out', 'TimeoutError'));
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason.name).toBe('TimeoutError');
    expect(reason.message).toBe('probe timed out');
    expect(String(reason.stack)).not.toMatch(/\n\s+at /);
    // Built the usual way, the same error has frames: the check above can fail.
    expect(String(new DOMException('probe timed out', 'TimeoutError').stack)).toMatch(/\n\s+at /);
  });

  it('puts the stack trace limit back, also when building throws', () => {
    const limit = Error.stackTraceLimit;
    expect(() =>
      withoutStack(() => {
        throw new Error('cannot build');
      }),
    ).toThrow('cannot build');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(String(new Error('after').stack)).toMatch(/\n\s+at /);
  });
});
