import type { Finding, Severity } from '../findings/finding.js'
import { compareFindings } from '../findings/finding.js'

/**
 * GitHub shows at most 10 annotations of each level per step (and 50 per job); the rest are
 * dropped without a word (actions/toolkit docs/problem-matchers.md, "Limitations"). So: most
 * severe first, 10 of each level, and one notice that points to the summary for the rest.
 */
export const ANNOTATIONS_PER_LEVEL = 10

/** Which findings become annotations, and the overflow notice when some do not. */
export function selectAnnotations(findings: readonly Finding[]): { shown: Finding[]; overflow?: string } {
  const sorted = [...findings].sort(compareFindings)
  const shown: Finding[] = []
  const used: Record<Severity, number> = { error: 0, warning: 0, notice: 0 }
  let omitted = 0
  for (const f of sorted) {
    // keep one notice slot free for the overflow notice itself
    const cap = f.severity === 'notice' ? ANNOTATIONS_PER_LEVEL - 1 : ANNOTATIONS_PER_LEVEL
    if (used[f.severity] < cap) {
      shown.push(f)
      used[f.severity]++
    } else omitted++
  }
  if (omitted === 0) return { shown }
  return {
    shown,
    overflow: `pullgate found ${findings.length} problems; GitHub shows ${ANNOTATIONS_PER_LEVEL} annotations of each level per step, so ${omitted} more are listed only in the job summary and the JSON report.`
  }
}
