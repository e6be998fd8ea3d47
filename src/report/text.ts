import type { Finding } from '../findings/finding.js'
import { compareByLocation } from '../findings/finding.js'
import type { ReportSummary } from './json.js'

/**
 * `file:line:col  severity  rule  message`, one finding a line, in file order, then a count line;
 * line by line, so that 20,000 findings are never one string.
 */
export function* textChunks(findings: readonly Finding[], summary: ReportSummary, mode: string): Generator<string> {
  for (const f of [...findings].sort(compareByLocation)) yield `${f.file}:${f.line}:${f.column}  ${f.severity}  ${f.rule}  ${oneLine(f.message)}\n`
  yield `${countLine(summary, mode)}\n`
}

/** "2 errors, 1 warning in 14 files (9 manifests, 23 image references; offline)" */
export function countLine(summary: ReportSummary, mode: string): string {
  const parts = [plural(summary.errors, 'error'), plural(summary.warnings, 'warning')]
  if (summary.notices > 0) parts.push(plural(summary.notices, 'notice'))
  return (
    `${parts.join(', ')} in ${plural(summary.files, 'file')} ` +
    `(${plural(summary.manifests, 'manifest')}, ${plural(summary.references, 'image reference')}, ${summary.uniqueImages} unique; ${MODE_WORDS[mode] ?? mode})`
  )
}

const MODE_WORDS: Record<string, string> = { offline: 'offline', registry: 'checked against their registries' }

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ')
}
