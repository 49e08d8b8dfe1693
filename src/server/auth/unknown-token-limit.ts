// Brute force: requests with a token the server does not know are counted per client address; past the limit,
// every request from that address that carries a credential is answered 429 with Retry-After until the
// window ends, whether or not its guess is right (so guessing on while blocked tells nothing).
import { RateLimiterMemory } from 'rate-limiter-flexible';

export class UnknownTokenLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(
    private readonly count: number,
    perMs: number,
  ) {
    this.limiter = new RateLimiterMemory({ points: count, duration: Math.max(1, Math.ceil(perMs / 1000)) });
  }

  /** How long this address is still blocked, in ms; 0 when it is not. */
  async blockedForMs(address: string): Promise<number> {
    const state = await this.limiter.get(address);
    return state !== null && state.consumedPoints >= this.count ? Math.max(1, state.msBeforeNext) : 0;
  }

  async noteUnknown(address: string): Promise<void> {
    await this.limiter.penalty(address, 1);
  }
}
