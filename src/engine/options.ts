import type { Finding, Severity } from '../findings/finding.js'
import { reaches } from '../findings/finding.js'

/** A mistake in how pullgate was called (bad input value, missing path): exit code 2, one line. */
export class UsageError extends Error {}

/** The lowest severity that fails the check, or `never`. */
export type FailOn = Severity | 'never'

const FAIL_ON_VALUES: readonly FailOn[] = ['error', 'warning', 'notice', 'never']

/** Reads the `fail-on` input / `--fail-on` flag. */
export function parseFailOn(value: string | undefined): FailOn {
  const v = (value ?? '').trim().toLowerCase() || 'error'
  if ((FAIL_ON_VALUES as readonly string[]).includes(v)) return v as FailOn
  throw new UsageError(`fail-on must be one of ${FAIL_ON_VALUES.join(', ')} (got "${value}")`)
}

/** Reads a boolean input the way YAML 1.2 core schema (and @actions/core) spells one. */
export function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  const v = (value ?? '').trim()
  if (v === '') return fallback
  if (/^(true|True|TRUE)$/.test(v)) return true
  if (/^(false|False|FALSE)$/.test(v)) return false
  throw new UsageError(`${name} must be true or false (got "${value}")`)
}

/** Splits a list input: one entry per line (globs may hold commas, as in `*.{yaml,yml}`); blank lines and `#` comments dropped. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'))
}

/** True when any finding reaches the `fail-on` threshold. */
export function shouldFail(findings: readonly Finding[], failOn: FailOn): boolean {
  return failOn !== 'never' && findings.some((f) => reaches(f.severity, failOn))
}
