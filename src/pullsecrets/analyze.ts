import type { ImageReference } from '../images/reference.js'
import type { ClusterObjects, PullSecret } from '../manifests/cluster-objects.js'
import type { ImageOccurrence } from '../manifests/extract.js'
import { keyMatchesImage, keysCoverImage } from './keyring.js'

/** What lives only in the cluster: Secrets known to exist, and registries nodes pull from on their own. */
export interface ClusterKnowledge {
  /** from `cluster-pull-secrets`: `name`, `namespace/name`, optionally `=host` */
  readonly secrets: readonly PullSecret[]
  /** from `node-credentials`: registry host globs served by kubelet credential providers */
  readonly nodeCredentials: readonly string[]
}

/** Registries managed clusters pull from through kubelet credential providers, without any Secret. */
export const DEFAULT_NODE_CREDENTIALS = [
  '*.dkr.ecr.*.amazonaws.com',
  '*.dkr.ecr.*.amazonaws.com.cn',
  '*-docker.pkg.dev',
  'gcr.io',
  '*.gcr.io',
  '*.azurecr.io'
] as const

/** Why a pod could not pull a private image: one root cause. */
export type PullSecretProblem =
  | { readonly rule: 'pull-secret-missing'; readonly serviceAccount: string; readonly serviceAccountFound: boolean }
  | { readonly rule: 'pull-secret-not-found'; readonly missing: readonly string[]; readonly via: 'pod' | 'service-account'; readonly serviceAccount: string }
  | {
      readonly rule: 'pull-secret-wrong-registry'
      readonly secrets: ReadonlyArray<{ readonly name: string; readonly registries: readonly string[]; readonly problem?: string }>
      readonly via: 'pod' | 'service-account'
      readonly serviceAccount: string
    }

/**
 * Follows the kubelet for one container of a pod whose image is private: the pod's own
 * `imagePullSecrets`, else (as the ServiceAccount admission controller copies them only into pods
 * that name none) those of its ServiceAccount (`default` when unnamed) in the same namespace; each
 * Secret looked up in the same namespace and matched to the registry with the keyring's rules.
 * Secrets whose content cannot be read here (SealedSecret, ExternalSecret, SOPS, or declared in
 * `cluster-pull-secrets` without a host) count as present and covering, unverified.
 */
export function analyzePullSecrets(occurrence: ImageOccurrence, reference: ImageReference, objects: ClusterObjects, cluster: ClusterKnowledge): PullSecretProblem | undefined {
  if (cluster.nodeCredentials.some((glob) => keyMatchesImage(glob, reference.domain))) return undefined
  const namespace = occurrence.namespace ?? ''
  const serviceAccount = occurrence.serviceAccountName ?? 'default'
  let names = occurrence.imagePullSecrets
  let via: 'pod' | 'service-account' = 'pod'
  if (names.length === 0) {
    const account = objects.serviceAccounts.find((sa) => sa.name === serviceAccount && sameNamespace(sa.namespace, namespace))
    names = account?.imagePullSecrets ?? []
    via = 'service-account'
    if (names.length === 0) return { rule: 'pull-secret-missing', serviceAccount, serviceAccountFound: account !== undefined }
  }
  const found: PullSecret[] = []
  const missing: string[] = []
  for (const name of names) {
    const secret = findSecret(name, namespace, objects, cluster)
    if (secret) found.push(secret)
    else missing.push(name)
  }
  const covers = (s: PullSecret) => s.registries === undefined || keysCoverImage(s.registries, reference.domain, reference.path)
  if (found.some(covers)) return undefined
  if (missing.length > 0) return { rule: 'pull-secret-not-found', missing, via, serviceAccount }
  return {
    rule: 'pull-secret-wrong-registry',
    secrets: found.map((s) => ({ name: s.name, registries: s.registries ?? [], problem: s.problem })),
    via,
    serviceAccount
  }
}

function findSecret(name: string, namespace: string, objects: ClusterObjects, cluster: ClusterKnowledge): PullSecret | undefined {
  // a readable Secret in the manifests says the most; then anything else that declares the name
  const candidates = [...objects.secrets, ...cluster.secrets].filter((s) => s.name === name && (s.source === 'cluster' && s.namespace === '' ? true : sameNamespace(s.namespace, namespace)))
  return candidates.find((s) => s.registries !== undefined) ?? candidates[0]
}

/** A manifest without a namespace lands in the one it is applied to: read that as `default`. */
function sameNamespace(a: string, b: string): boolean {
  return (a || 'default') === (b || 'default')
}

/** Reads `cluster-pull-secrets` entries: `name`, `namespace/name`, `name=host`, `namespace/name=host`. */
export function parseClusterSecrets(entries: readonly string[]): PullSecret[] {
  return entries.map((entry) => {
    const [ref, host] = entry.split('=', 2) as [string, string | undefined]
    const slash = ref.indexOf('/')
    const namespace = slash === -1 ? '' : ref.slice(0, slash).trim()
    const name = (slash === -1 ? ref : ref.slice(slash + 1)).trim()
    return { name, namespace, source: 'cluster' as const, ...(host?.trim() ? { registries: [host.trim()] } : {}) }
  })
}
