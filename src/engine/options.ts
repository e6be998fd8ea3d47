import type { Finding, Severity } from '../findings/finding.js'
import { reaches } from '../findings/finding.js'
import { isRuleId, RULES, type RuleId } from '../rules/catalog.js'
import { parsePlatform, PlatformParseError } from '../compat/platforms.js'
import { customRuntime, DEFAULT_RUNTIME, parseRuntime, RuntimeParseError } from '../compat/runtimes.js'
import { DEFAULT_PLATFORM, type CompatOptions } from '../compat/profile.js'
import { DEFAULT_NODE_CREDENTIALS, parseClusterSecrets, type ClusterKnowledge } from '../pullsecrets/analyze.js'
import type { Limits } from './limits.js'

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

/** A rule's severity as the user set it, or `off`. */
export type RuleSetting = Severity | 'off'

const RULE_SETTINGS: readonly RuleSetting[] = ['error', 'warning', 'notice', 'off']

/**
 * Reads the `rules` input / `--rules` flag: `rule-id: level` pairs, one per line or comma-separated
 * (`registry-unreachable: error, mutable-tag: off`). An unknown id or level is a usage error that
 * lists the valid ones, so a typo never silently disables nothing.
 */
export function parseRuleSettings(value: string | undefined): Map<RuleId, RuleSetting> {
  const settings = new Map<RuleId, RuleSetting>()
  for (const entry of parseCommaList(value)) {
    const match = /^([a-z0-9-]+)\s*[:=]\s*([a-z]+)$/i.exec(entry)
    if (!match) throw new UsageError(`rules: "${entry}" is not "rule-id: level" (e.g. "mutable-tag: off")`)
    const [, id, level] = match as unknown as [string, string, string]
    if (!isRuleId(id)) throw new UsageError(`rules: unknown rule "${id}"; rules are ${Object.keys(RULES).join(', ')}`)
    const setting = level.toLowerCase() as RuleSetting
    if (!RULE_SETTINGS.includes(setting)) throw new UsageError(`rules: "${level}" for ${id} is not one of ${RULE_SETTINGS.join(', ')}`)
    settings.set(id, setting)
  }
  return settings
}

/** Applies rule settings: a new severity, or the finding dropped for `off`. */
export function applyRuleSettings(findings: readonly Finding[], settings: ReadonlyMap<string, RuleSetting>): Finding[] {
  if (settings.size === 0) return [...findings]
  const result: Finding[] = []
  for (const f of findings) {
    const setting = settings.get(f.rule)
    if (setting === 'off') continue
    result.push(setting ? { ...f, severity: setting } : f)
  }
  return result
}

/**
 * Reads the `runtime`, `platforms` and `accept-media-types` inputs into the nodes to check for.
 * Several runtimes or platforms mean a mixed node pool: an image must work on every one.
 */
export function parseCompat(runtimes: readonly string[], platforms: readonly string[], acceptMediaTypes: readonly string[]): CompatOptions {
  const custom = acceptMediaTypes.length > 0 ? [customRuntime(acceptMediaTypes)] : []
  const written = runtimes.length > 0 ? runtimes : custom.length > 0 ? [] : [DEFAULT_RUNTIME]
  try {
    return {
      runtimes: [...written.map(parseRuntime), ...custom],
      platforms: (platforms.length > 0 ? platforms : [DEFAULT_PLATFORM]).map(parsePlatform)
    }
  } catch (error) {
    if (error instanceof RuntimeParseError || error instanceof PlatformParseError) throw new UsageError(error.message)
    throw error
  }
}

/** Splits a list given one per line or comma-separated (runtimes, platforms, media types have no commas). */
export function parseCommaList(values: string | readonly string[] | undefined): string[] {
  const all = typeof values === 'string' ? [values] : (values ?? [])
  return all.flatMap((v) => v.split(/[\n,]/)).map((v) => v.trim()).filter((v) => v !== '' && !v.startsWith('#'))
}

/**
 * Reads `cluster-pull-secrets` and `node-credentials`. Without `node-credentials` the registries
 * that managed clusters reach through kubelet credential providers (ECR, Artifact Registry, GCR,
 * ACR) need no Secret; `none` turns that off.
 */
export function parseClusterKnowledge(clusterSecrets: readonly string[], nodeCredentials: readonly string[]): ClusterKnowledge {
  const none = nodeCredentials.length === 1 && nodeCredentials[0]!.toLowerCase() === 'none'
  return {
    secrets: parseClusterSecrets(clusterSecrets),
    nodeCredentials: none ? [] : nodeCredentials.length > 0 ? [...nodeCredentials] : [...DEFAULT_NODE_CREDENTIALS]
  }
}

/** Reads `timeout-seconds`: the whole run's deadline for registry traffic (default 600). */
export function parseTimeoutSeconds(value: string | undefined): number {
  const v = (value ?? '').trim()
  if (v === '') return 600
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`timeout-seconds must be a positive number of seconds (got "${value}")`)
  return n
}

/**
 * Reads the `limits` input: `max-file-bytes`, `max-alias-expansions`, `max-nesting-depth` pairs,
 * one per line or comma-separated (e.g. "max-file-bytes: 67108864").
 */
export function parseLimits(value: string | undefined): Partial<Limits> {
  const names: Record<string, keyof Limits> = {
    'max-file-bytes': 'maxFileBytes',
    'max-alias-expansions': 'maxAliasExpansions',
    'max-nesting-depth': 'maxNestingDepth'
  }
  const limits: Partial<Record<keyof Limits, number>> = {}
  for (const entry of (value ?? '').split(/[\n,]/).map((e) => e.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)\s*[:=]\s*(\d+)$/.exec(entry)
    const key = m ? names[m[1]!] : undefined
    if (!m || !key || Number(m[2]) <= 0) throw new UsageError(`limits: "${entry}" is not one of ${Object.keys(names).join(', ')} with a positive number`)
    limits[key] = Number(m[2])
  }
  return limits
}
