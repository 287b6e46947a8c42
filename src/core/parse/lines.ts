/** Offset → 1-based line/column for the whole .fs text. `\n`, `\r\n` and a lone `\r` each end a line. */

export interface Position {
  line: number;
  column: number;
}

/** Built lazily and only as far as needed: most documents never need a location, and a huge one needs line 1. */
export class LineMap {
  private readonly starts: number[] = [0];
  /** Offsets below this have been scanned for line breaks. */
  private scanned = 0;

  constructor(private readonly text: string) {}

  private scanTo(offset: number): void {
    const text = this.text;
    let i = this.scanned;
    const end = Math.min(text.length, offset + 1);
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
    this.scanned = Math.max(this.scanned, i);
  }

  at(offset: number): Position {
    if (offset >= this.scanned) this.scanTo(offset);
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}
