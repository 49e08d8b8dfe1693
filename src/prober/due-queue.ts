// A binary min-heap of items by due time: the scheduler keeps one timer for the earliest item instead of
// one per target, so 20,000 targets cost one armed timer.

export class DueQueue<T> {
  private readonly items: Array<{ due: number; item: T }> = [];

  get size(): number {
    return this.items.length;
  }

  /** Due time of the earliest item, or null when empty. */
  peekDue(): number | null {
    return this.items[0]?.due ?? null;
  }

  push(due: number, item: T): void {
    const items = this.items;
    items.push({ due, item });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = items[parent];
      const here = items[i];
      if (!up || !here || up.due <= here.due) break;
      items[parent] = here;
      items[i] = up;
      i = parent;
    }
  }

  /** Removes and returns the earliest item if it is due at or before `now`. */
  popDue(now: number): { due: number; item: T } | null {
    const items = this.items;
    const first = items[0];
    if (!first || first.due > now) return null;
    const last = items.pop();
    if (last && items.length > 0) {
      items[0] = last;
      this.sinkFromTop();
    }
    return first;
  }

  clear(): void {
    this.items.length = 0;
  }

  private sinkFromTop(): void {
    const items = this.items;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      const s = () => items[smallest]?.due ?? Number.POSITIVE_INFINITY;
      if ((items[left]?.due ?? Number.POSITIVE_INFINITY) < s()) smallest = left;
      if ((items[right]?.due ?? Number.POSITIVE_INFINITY) < s()) smallest = right;
      if (smallest === i) return;
      const a = items[i];
      const b = items[smallest];
      if (!a || !b) return;
      items[i] = b;
      items[smallest] = a;
      i = smallest;
    }
  }
}
