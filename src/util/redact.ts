/**
 * Removes known secrets from text before it is printed or written anywhere. Masking in the
 * action log (core.setSecret) covers only the log; the report file, the summary and the CLI's
 * output go through this too, so a secret that ever reached a message would still not leak.
 */
export class Redactor {
  private readonly secrets = new Set<string>()

  /** Registers a secret (ignoring ones too short to mask without destroying the text). */
  add(secret: string): void {
    if (secret.length >= 4) this.secrets.add(secret)
  }

  redact(text: string): string {
    let result = text
    for (const secret of this.secrets) if (result.includes(secret)) result = result.split(secret).join('***')
    return result
  }
}
