/** Severity of a finding, in GitHub's annotation levels. */
export type Severity = 'error' | 'warning' | 'notice'

/** A place in a file: 1-based lines, 1-based columns counted in Unicode code points; the end is exclusive (SARIF's convention). */
export interface Span {
  readonly line: number
  readonly column: number
  readonly endLine: number
  readonly endColumn: number
}

/** One problem, at the line that decides it. This is the public JSON report's finding shape. */
export interface Finding extends Span {
  /** stable rule id, e.g. `mutable-tag` */
  readonly rule: string
  readonly severity: Severity
  /** path relative to the workspace, with forward slashes */
  readonly file: string
  /** the image string as written, when the finding is about one image */
  readonly image?: string
  /** what is wrong, the evidence, and the fix */
  readonly message: string
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, notice: 2 }

/** Most severe first, then by file and position: the order every report uses. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareText(a.rule, b.rule)
  )
}

/** Orders findings by file and position only (the order a reader of one file expects). */
export function compareByLocation(a: Finding, b: Finding): number {
  return compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.rule, b.rule)
}

/** Code-unit comparison: deterministic across locales, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** True when `severity` is at least as severe as `threshold`. */
export function reaches(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold]
}
