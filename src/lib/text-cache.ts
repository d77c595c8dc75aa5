// Memory for pure text transformations that pages repeat on every view
// (sanitising and rendering stored rich HTML, plain-text excerpts): the same
// input always gives the same output, so the output is kept, keyed by the
// input itself. Bounded by the total length of keys and values held, least
// recently used first out.
export class TextCache {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  /** @param maxChars total characters (keys plus values) to hold at most. */
  constructor(private readonly maxChars: number) {}

  get size(): number {
    return this.entries.size;
  }

  get heldChars(): number {
    return this.chars;
  }

  remember(key: string, compute: () => string): string {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute();
    const cost = key.length + value.length;
    // One huge document must not push out everything else.
    if (cost > this.maxChars / 8) return value;
    this.entries.set(key, value);
    this.chars += cost;
    for (const [oldKey, oldValue] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldKey);
      this.chars -= oldKey.length + oldValue.length;
    }
    return value;
  }
}
