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
  },
  'tag-not-found': {
    id: 'tag-not-found',
    severity: 'error',
    summary: 'The tag does not exist in the repository: ErrImagePull (manifest unknown).'
  },
  'repository-not-found': {
    id: 'repository-not-found',
    severity: 'error',
    summary: 'The repository does not exist in the registry: ErrImagePull (not found).'
  },
  'digest-not-found': {
    id: 'digest-not-found',
    severity: 'error',
    summary: 'The pinned digest does not exist in the repository: ErrImagePull (manifest unknown).'
  },
  'credentials-missing': {
    id: 'credentials-missing',
    severity: 'error',
    summary: 'The registry refuses anonymous pulls and pullgate has no credentials for it.'
  },
  'credentials-rejected': {
    id: 'credentials-rejected',
    severity: 'error',
    summary: 'The configured registry credentials were refused: wrong, expired, or without pull permission.'
  },
  'rate-limited': {
    id: 'rate-limited',
    severity: 'warning',
    summary: 'The registry is rate-limiting pulls (toomanyrequests): the image could not be checked.'
  },
  'registry-unreachable': {
    id: 'registry-unreachable',
    severity: 'warning',
    summary: 'The registry could not be reached (DNS, connection, TLS, timeout): the image could not be checked.'
  },
  'media-type-incompatible': {
    id: 'media-type-incompatible',
    severity: 'error',
    summary: "A manifest or layer media type the nodes' runtime cannot pull (OCI on old Docker, schema1, zstd, mislabelled layers)."
  },
  'platform-missing': {
    id: 'platform-missing',
    severity: 'error',
    summary: "No manifest for the nodes' platform: no match for platform in manifest, or exec format error."
  },
  'not-an-image': {
    id: 'not-an-image',
    severity: 'error',
    summary: 'An OCI artifact (Helm chart, signature, SBOM, wasm) referenced as a container image.'
  },
  'digest-mismatch': {
    id: 'digest-mismatch',
    severity: 'warning',
    summary: 'name:tag@digest where the tag now points to another digest: the kubelet pulls the digest and ignores the tag.'
  },
  'pull-secret-missing': {
    id: 'pull-secret-missing',
    severity: 'error',
    summary: 'A private image, and neither the pod, its ServiceAccount nor the nodes supply credentials for it.'
  },
  'pull-secret-not-found': {
    id: 'pull-secret-not-found',
    severity: 'error',
    summary: 'An imagePullSecrets entry names a Secret that exists neither in the manifests nor in cluster-pull-secrets.'
  },
  'pull-secret-wrong-registry': {
    id: 'pull-secret-wrong-registry',
    severity: 'error',
    summary: "The pod's pull Secrets have no entry for the image's registry."
  },
  'registry-error': {
    id: 'registry-error',
    severity: 'warning',
    summary: 'The registry failed (5xx) or broke the protocol after retries: the image could not be checked.'
  }
} as const satisfies Record<string, RuleInfo>

export type RuleId = keyof typeof RULES

/** True for a string that names a rule. */
export function isRuleId(id: string): id is RuleId {
  return Object.prototype.hasOwnProperty.call(RULES, id)
}
