import { describe, expect, it } from 'vitest';
import { DueQueue } from './due-queue.js';

describe('DueQueue', () => {
  it('pops items in due order, only once due, against a sorted model under random pushes and pops', () => {
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const queue = new DueQueue<{ due: number; id: number }>();
    let model: Array<{ due: number; id: number }> = [];
    let now = 0;
    let nextId = 0;
    for (let step = 0; step < 5000; step++) {
      if (random() < 0.55) {
        const item = { due: 0, id: nextId++ };
        const due = now + Math.floor(random() * 100);
        queue.push(due, item);
        model.push(item);
        expect(item.due).toBe(due);
      } else {
        now += Math.floor(random() * 10);
        const popped = queue.popDue(now);
        const earliest = Math.min(...model.map((m) => m.due));
        if (model.length === 0 || earliest > now) {
          expect(popped).toBeNull();
          continue;
        }
        expect(popped?.due).toBe(earliest);
        model = model.filter((m) => m !== popped);
      }
      expect(queue.size).toBe(model.length);
      expect(queue.peekDue()).toBe(model.length === 0 ? null : Math.min(...model.map((m) => m.due)));
    }
  });
});
