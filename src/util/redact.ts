/**
 * Removes known secrets from text before it is printed or written anywhere. Masking in the
 * action log (core.setSecret) covers only the log; the report file, the summary and the CLI's
 * output go through this too, so a secret that ever reached a message would still not leak.
 */
export class Redactor {
  private readonly secrets = new Set<string>()
  /** every secret in one alternation, built when first needed after a change */
  private pattern: RegExp | undefined

  /** Registers a secret (ignoring ones too short to mask without destroying the text). */
  add(secret: string): void {
    if (secret.length < 4 || this.secrets.has(secret)) return
    this.secrets.add(secret)
    this.pattern = undefined
  }

  /**
   * One pass over the text whatever the number of secrets (a run holds a token per registry
   * scope, and a report can be tens of megabytes). Longest first, so a secret that contains
   * another is masked whole.
   */
  redact(text: string): string {
    if (this.secrets.size === 0) return text
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g'
    )
    return text.replace(this.pattern, '***')
  }
}
