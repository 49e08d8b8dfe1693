import { afterEach, describe, expect, it } from 'vitest';
import { type AttemptFailure, type DeliveryOutcome, DeliveryQueue } from './delivery.js';
import type { OutgoingPost } from './notifier.js';
import { Receiver } from './testing/receiver.js';

const receivers: Receiver[] = [];
const queues: DeliveryQueue[] = [];
afterEach(async () => {
  for (const queue of queues.splice(0)) await queue.close(0);
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function setup(options: ConstructorParameters<typeof DeliveryQueue>[0] = {}) {
  const receiver = await Receiver.start();
  receivers.push(receiver);
  const outcomes: Array<{ outcome: DeliveryOutcome; n: unknown; failure: AttemptFailure | null }> = [];
  const queue = new DeliveryQueue({
    attempts: 3,
    backoffMs: 10,
    maxBackoffMs: 20,
    timeoutMs: 10_000,
    ...options,
    onOutcome: (outcome, post, failure) => outcomes.push({ outcome, n: (post.body as { n: number }).n, failure }),
  });
  queues.push(queue);
  const post = (n: number): OutgoingPost => ({ url: `${receiver.url}/hook`, headers: { 'content-type': 'application/json' }, body: { n } });
  return { receiver, queue, outcomes, post };
}

describe('notification delivery', () => {
  it('retries a 503 with backoff and counts the POST as sent once it goes through', async () => {
    const { receiver, queue, outcomes, post } = await setup();
    receiver.script = [503, 503];
    queue.push(post(1));
    await queue.idle();
    expect(receiver.attempts).toBe(3);
    expect(receiver.posts.map((p) => p.body)).toEqual([{ n: 1 }]);
    expect(outcomes).toEqual([{ outcome: 'sent', n: 1, failure: null }]);
  });

  it('retries 429 too', async () => {
    const { receiver, queue, outcomes, post } = await setup();
    receiver.script = [429];
    queue.push(post(1));
    await queue.idle();
    expect(receiver.attempts).toBe(2);
    expect(outcomes.map((o) => o.outcome)).toEqual(['sent']);
  });

  it('gives up after the last attempt and counts the POST as failed, then goes on with the next', async () => {
    const { receiver, queue, outcomes, post } = await setup();
    receiver.script = [500, 502, 503];
    queue.push(post(1));
    queue.push(post(2));
    await queue.idle();
    expect(receiver.attempts).toBe(4);
    expect(outcomes).toEqual([
      { outcome: 'failed', n: 1, failure: { kind: 'status', status: 503, retry: true } },
      { outcome: 'sent', n: 2, failure: null },
    ]);
  });

  it('does not retry a 4xx other than 429: the request itself is wrong', async () => {
    const { receiver, queue, outcomes, post } = await setup();
    receiver.script = [400];
    queue.push(post(1));
    await queue.idle();
    expect(receiver.attempts).toBe(1);
    expect(outcomes).toEqual([{ outcome: 'failed', n: 1, failure: { kind: 'status', status: 400, retry: false } }]);
  });

  it('retries after a network error (nothing listening) and reports it as failed with its code', async () => {
    const { receiver, queue, outcomes } = await setup({ attempts: 2 });
    const url = `${receiver.url}/gone`;
    await receiver.close();
    receivers.splice(0);
    queue.push({ url, headers: {}, body: { n: 1 } });
    await queue.idle();
    expect(outcomes).toEqual([{ outcome: 'failed', n: 1, failure: { kind: 'network', code: 'ECONNREFUSED', retry: true } }]);
  });

  it('times out an attempt that gets no answer and retries it', async () => {
    const { receiver, queue, outcomes, post } = await setup({ timeoutMs: 1000 });
    receiver.script = ['hang'];
    queue.push(post(1));
    await queue.idle();
    expect(receiver.attempts).toBe(2);
    expect(outcomes).toEqual([{ outcome: 'sent', n: 1, failure: null }]);
  });

  it('when full, drops the oldest waiting POST and counts it, keeping the newest', async () => {
    const { receiver, queue, outcomes, post } = await setup({ capacity: 3 });
    receiver.script = ['hang'];
    for (let n = 0; n < 6; n++) queue.push(post(n));
    // POST 0 is in flight; 1..5 competed for 3 places.
    expect(queue.size).toBe(3);
    expect(outcomes).toEqual([
      { outcome: 'dropped', n: 1, failure: null },
      { outcome: 'dropped', n: 2, failure: null },
    ]);
    await receiver.until((r) => r.attempts === 1, 'the first POST');
    receiver.release();
    await queue.idle();
    expect(receiver.posts.map((p) => p.body)).toEqual([{ n: 0 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    expect(outcomes.filter((o) => o.outcome === 'sent').map((o) => o.n)).toEqual([0, 3, 4, 5]);
  });

  it('on close, gives what is queued the grace period, then drops the rest and refuses more', async () => {
    const { receiver, queue, outcomes, post } = await setup();
    receiver.fallback = 'hang';
    queue.push(post(1));
    queue.push(post(2));
    await receiver.until((r) => r.attempts === 1, 'the first POST');
    await queue.close(50);
    queue.push(post(3));
    expect(outcomes.map((o) => [o.outcome, o.n])).toEqual([
      ['failed', 1],
      ['dropped', 2],
      ['dropped', 3],
    ]);
  });
});
