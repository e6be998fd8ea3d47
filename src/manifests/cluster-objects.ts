import { isScalar, type Document } from 'yaml'
import type { PositionMap } from './parse.js'
import { NodeReader } from './yaml-nodes.js'
import { isListKind } from './workloads.js'

/** The kinds read below; every other object (a Deployment, a Service) is passed over at once. */
const CLUSTER_KINDS = new Set(['ServiceAccount', 'Secret', 'SealedSecret', 'ExternalSecret'])

/** Where a pull Secret's content comes from, and so whether pullgate can read which registries it covers. */
export type SecretSource = 'secret' | 'sealed-secret' | 'external-secret' | 'sops' | 'cluster'

/** A Secret that may hold registry credentials, found in the manifests (or declared to exist in the cluster). */
export interface PullSecret {
  readonly name: string
  /** '' when the manifest names none (it lands in the namespace it is applied to) */
  readonly namespace: string
  readonly source: SecretSource
  /** the registry keys of its docker config (`auths` keys), when readable; never the credentials */
  readonly registries?: readonly string[]
  /** what could not be read, for messages (e.g. "the .dockerconfigjson is not valid JSON") */
  readonly problem?: string
  readonly file?: string
  readonly line?: number
}

/** A ServiceAccount and the pull secrets the admission controller copies from it into pods. */
export interface ServiceAccountObject {
  readonly name: string
  readonly namespace: string
  readonly imagePullSecrets: readonly string[]
  readonly file: string
  readonly line: number
}

export interface ClusterObjects {
  readonly secrets: PullSecret[]
  readonly serviceAccounts: ServiceAccountObject[]
}

const DOCKER_SECRET_TYPES: Record<string, string> = {
  'kubernetes.io/dockerconfigjson': '.dockerconfigjson',
  'kubernetes.io/dockercfg': '.dockercfg'
}

/**
 * Reads the objects pull-secret analysis needs from one document: docker-registry Secrets (their
 * registry keys only — the credentials are decoded in memory and dropped at once), ServiceAccounts,
 * and Secrets whose content lives elsewhere (SealedSecret, ExternalSecret, SOPS-encrypted Secrets),
 * which count as present but unverified. `List` items are read too.
 */
export function extractClusterObjects(file: string, document: Document.Parsed, positions: PositionMap, maxAliasExpansions: number, into: ClusterObjects): void {
  const reader = new NodeReader(document, maxAliasExpansions)
  const visit = (node: unknown): void => {
    const kind = reader.string(node, 'kind')
    const apiVersion = reader.string(node, 'apiVersion') ?? ''
    if (!kind) return
    const items = reader.seq(reader.get(node, 'items'))
    if (isListKind(kind) && items) return items.items.forEach(visit)
    if (!CLUSTER_KINDS.has(kind)) return
    const metadata = reader.get(node, 'metadata')
    const name = reader.string(metadata, 'name')
    if (!name) return
    const namespace = reader.string(metadata, 'namespace') ?? ''
    const range = (reader.get(metadata, 'name') as { range?: [number] } | null)?.range
    const line = range ? positions.position(range[0]).line : 1
    if (kind === 'ServiceAccount' && apiVersion === 'v1') {
      const names = (reader.seq(reader.get(node, 'imagePullSecrets'))?.items ?? []).map((i) => reader.string(i, 'name')).filter((n): n is string => Boolean(n))
      into.serviceAccounts.push({ name, namespace, imagePullSecrets: names, file, line })
    } else if (kind === 'Secret' && apiVersion === 'v1') {
      const key = DOCKER_SECRET_TYPES[reader.string(node, 'type') ?? '']
      if (!key) return
      if (reader.get(node, 'sops')) {
        into.secrets.push({ name, namespace, source: 'sops', file, line })
        return
      }
      const fromString = reader.string(reader.get(node, 'stringData'), key)
      const encoded = reader.get(reader.get(node, 'data'), key)
      const text = fromString ?? (isScalar(encoded) && typeof encoded.value === 'string' ? Buffer.from(encoded.value, 'base64').toString('utf8') : undefined)
      into.secrets.push({ name, namespace, source: 'secret', file, line, ...registryKeys(text, key) })
    } else if (kind === 'SealedSecret' && apiVersion.startsWith('bitnami.com/')) {
      const template = reader.get(reader.get(node, 'spec'), 'template')
      const tmplMeta = reader.get(template, 'metadata')
      into.secrets.push({ name: reader.string(tmplMeta, 'name') ?? name, namespace: reader.string(tmplMeta, 'namespace') ?? namespace, source: 'sealed-secret', file, line })
    } else if (kind === 'ExternalSecret' && apiVersion.startsWith('external-secrets.io/')) {
      const target = reader.get(reader.get(node, 'spec'), 'target')
      into.secrets.push({ name: reader.string(target, 'name') ?? name, namespace, source: 'external-secret', file, line })
    }
  }
  visit(document.contents)
}

/** The registry keys of a `.dockerconfigjson` ({"auths": {...}}) or legacy `.dockercfg` ({host: {...}}). */
function registryKeys(text: string | undefined, key: string): { registries?: string[]; problem?: string } {
  if (text === undefined) return { problem: `it has no ${key} entry` }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { problem: `its ${key} is not valid JSON` }
  }
  const map = key === '.dockerconfigjson' ? (json as { auths?: unknown })?.auths : json
  if (typeof map !== 'object' || map === null) return { problem: `its ${key} has no registries` }
  return { registries: Object.keys(map) }
}
