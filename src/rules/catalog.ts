import type { Severity } from '../findings/finding.js'

/** A rule: a stable id users name in `rules:` overrides and suppressions, and its default severity. */
export interface RuleInfo {
  readonly id: string
  readonly severity: Severity
  /** one line for SARIF's shortDescription and the summary's legend */
  readonly summary: string
}

/**
 * Every rule pullgate reports. The ids are a public contract (users' workflows, suppressions and
 * scripts name them): never rename one. docs/rules.md has a page per id.
 */
export const RULES = {
  'invalid-manifest': {
    id: 'invalid-manifest',
    severity: 'error',
    summary: 'A Kubernetes manifest that cannot be read: kubectl apply would reject it.'
  },
  'manifest-recovered': {
    id: 'manifest-recovered',
    severity: 'warning',
    summary: 'A manifest kubectl accepts but strict YAML parsers reject; pullgate read it as kubectl does.'
  },
  'invalid-reference': {
    id: 'invalid-reference',
    severity: 'error',
    summary: 'An image that is not a valid reference: the kubelet fails the pod with InvalidImageName.'
  },
  'unresolved-reference': {
    id: 'unresolved-reference',
    severity: 'warning',
    summary: 'An image written as a template placeholder, which cannot be checked until it is rendered.'
  },
  'mutable-tag': {
    id: 'mutable-tag',
    severity: 'warning',
    summary: 'An image without a tag or with :latest and no digest: what it runs can change under the same name.'
  }
} as const satisfies Record<string, RuleInfo>

export type RuleId = keyof typeof RULES
