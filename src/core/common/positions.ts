/** Zero-based line/character, the shape LSP and VS Code both use. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * Maps string offsets to positions. Built once per document text, on the first lookup (an
 * edit of a 2,000-stage file with no problem in it never needs one); lookups are a binary
 * search, so a file with hundreds of diagnostics stays cheap.
 */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  private get lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    const text = this.text;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) starts.push(i + 1);
      else if (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
    }
    return (this.starts = starts);
  }

  /**
   * Lines end at `\n`, `\r\n` or a lone `\r`, as in LSP. An offset on the `\n` of a `\r\n`
   * is still the end of its line, not one past it (a range ending there would leave the line).
   */
  positionAt(offset: number): Position {
    let clamped = Math.max(0, Math.min(offset, this.text.length));
    if (clamped > 0 && this.text.charCodeAt(clamped) === 10 && this.text.charCodeAt(clamped - 1) === 13) clamped--;
    const lineStarts = this.lineStarts;
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - lineStarts[lo] };
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(Math.max(start, end)) };
  }
}
