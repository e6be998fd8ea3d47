import type { Finding, Span } from '../findings/finding.js'
import { RULES, type RuleId } from './catalog.js'
import { detached } from '../util/strings.js'

/** Where a finding goes: a file and a span in it. */
export interface At extends Span {
  readonly file: string
}

/** Builds a finding with its rule's default severity (overrides are applied later, in one place). */
export function makeFinding(rule: RuleId, at: At, message: string, image?: string): Finding {
  return {
    rule,
    severity: RULES[rule].severity,
    file: at.file,
    line: at.line,
    column: at.column,
    endLine: at.endLine,
    endColumn: at.endColumn,
    ...(image === undefined ? {} : { image }),
    // a message is built by concatenation: one flat copy kept to the end of the run (a
    // report's 13,000 findings) weighs about half the tree of pieces it was built from
    message: detached(message)
  }
}
