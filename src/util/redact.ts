/**
 * Removes known secrets from text before it is printed or written anywhere. Masking in the
 * action log (core.setSecret) covers only the log; the report file, the summary and the CLI's
 * output go through this too, so a secret that ever reached a message would still not leak.
 */
export class Redactor {
  private readonly secrets = new Set<string>()
  /** every secret in one alternation, built when first needed after a change */
  private pattern: RegExp | undefined
  private longest = 0

  /** Registers a secret (ignoring ones too short to mask without destroying the text). */
  add(secret: string): void {
    if (secret.length < 4 || this.secrets.has(secret)) return
    this.secrets.add(secret)
    this.longest = Math.max(this.longest, secret.length)
    this.pattern = undefined
  }

  /**
   * One pass over the text whatever the number of secrets (a run holds a token per registry
   * scope, and a report can be tens of megabytes). Longest first, so a secret that contains
   * another is masked whole.
   */
  redact(text: string): string {
    if (this.secrets.size === 0) return text
    return text.replace(this.compiled(), '***')
  }

  /**
   * Redacts text that arrives in pieces (a report written as it is serialised), in slices of
   * about `slice` characters. A secret may straddle two pieces: the last `longest - 1`
   * characters of a slice wait for the next one unless a match already covers them.
   */
  *redactChunks(chunks: Iterable<string>, slice = 1 << 16): Generator<string> {
    let pending = ''
    for (const chunk of chunks) {
      pending += chunk
      if (pending.length < slice) continue
      if (this.secrets.size === 0) {
        yield pending
        pending = ''
        continue
      }
      const { done, rest } = this.redactPrefix(pending)
      yield done
      pending = rest
    }
    if (pending) yield this.redact(pending)
  }

  /** Redacts `text` up to where a secret could still continue in text not seen yet. */
  private redactPrefix(text: string): { done: string; rest: string } {
    const cut = text.length - (this.longest - 1)
    const pattern = this.compiled()
    pattern.lastIndex = 0
    let done = ''
    let from = 0
    // every match starting before `cut` lies wholly inside `text` (no secret is longer than `longest`)
    for (let m = pattern.exec(text); m && m.index < cut; m = pattern.exec(text)) {
      done += `${text.slice(from, m.index)}***`
      from = m.index + m[0].length
    }
    const end = Math.max(from, cut)
    return { done: done + text.slice(from, end), rest: text.slice(end) }
  }

  private compiled(): RegExp {
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g'
    )
    return this.pattern
  }
}
