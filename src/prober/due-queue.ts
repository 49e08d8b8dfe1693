// A binary min-heap of items by due time: the scheduler keeps one timer for the earliest item instead of
// one per target, so 20,000 targets cost one armed timer. The due time lives on the item itself, so a
// push allocates nothing (each entry lives an interval: long enough to reach V8's old generation).

export interface Due {
  due: number;
}

export class DueQueue<T extends Due> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Due time of the earliest item, or null when empty. */
  peekDue(): number | null {
    return this.items[0]?.due ?? null;
  }

  /** Queues `item` at `due` (an item is in the queue at most once). */
  push(due: number, item: T): void {
    item.due = due;
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = items[parent];
      if (!up || up.due <= due) break;
      items[i] = up;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes and returns the earliest item if it is due at or before `now`. */
  popDue(now: number): T | null {
    const items = this.items;
    const first = items[0];
    if (!first || first.due > now) return null;
    const last = items.pop();
    if (last && items.length > 0) this.sinkFromTop(last);
    return first;
  }

  clear(): void {
    this.items.length = 0;
  }

  /** Puts `item` at the top and moves it down to its place. */
  private sinkFromTop(item: T): void {
    const items = this.items;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let child = left;
      let childItem = items[left];
      if (!childItem) break;
      const rightItem = items[right];
      if (rightItem && rightItem.due < childItem.due) {
        child = right;
        childItem = rightItem;
      }
      if (childItem.due >= item.due) break;
      items[i] = childItem;
      i = child;
    }
    items[i] = item;
  }
}
