/**
 * Maps string offsets to 1-based line and column. Lines break at LF (a CRLF pair is one break, as
 * in the `yaml` package and in editors); columns count Unicode code points, as GitHub and SARIF
 * viewers do, so an astral character before an image does not shift its column.
 */
export class LineIndex {
  private readonly starts: number[] = [0]

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1)
  }

  /** 1-based line and column of the character at `offset`. */
  position(offset: number): { line: number; column: number } {
    const lineIdx = this.lineIndexOf(offset)
    const start = this.starts[lineIdx]!
    return { line: lineIdx + 1, column: codePointCount(this.text, start, offset) + 1 }
  }

  /** Offset of the first character of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1]!
  }

  /** Text of a 1-based line without its line break. */
  lineText(line: number): string {
    const start = this.lineStart(line)
    const next = line < this.starts.length ? this.starts[line]! - 1 : this.text.length
    return this.text.slice(start, next).replace(/\r$/, '')
  }

  get lineCount(): number {
    return this.starts.length
  }

  private lineIndexOf(offset: number): number {
    let lo = 0
    let hi = this.starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }
}

/** Code points in text[from, to): a surrogate pair counts once, as in the columns the YAML parser reports. */
export function codePointCount(text: string, from: number, to: number): number {
  let count = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    // a surrogate pair is one code point: skip its low half
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    count++
  }
  return count
}
