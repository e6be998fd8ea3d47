import { createHash } from 'node:crypto'
import { choosePlatform, formatPlatform, normalizePlatform, type Platform } from '../compat/platforms.js'
import { isImageConfig, layerClass, manifestKind } from '../compat/media-types.js'
import { contentType, type RegistryClient } from '../registry/client.js'
import type { HttpResponse } from '../registry/transport.js'
import type { Endpoint } from '../registry/endpoints.js'
import { describeRegistryErrors } from '../registry/registry-errors.js'
import type { FactsCache } from './cache.js'
import {
  InspectionError,
  type ImageFacts,
  type ImageManifestFacts,
  type IndexEntry,
  type ManifestFacts,
  type OtherManifestFacts,
  type Schema1Facts
} from './facts.js'

/** Image configs are small; a larger "config" is not one a runtime would read either. */
const MAX_CONFIG_BYTES = 1024 * 1024

/**
 * Reads what a runtime would pull: the manifest behind a digest, the manifest chosen for each
 * required platform when it is an index, the config of a single-platform image (to learn its
 * platform), and the first 4 bytes of layers labelled uncompressed (to catch gzip or zstd under
 * that label). Manifests and configs are read once per digest for the whole run.
 */
export class Inspector {
  private readonly manifests = new Map<string, Promise<ManifestFacts>>()

  constructor(
    private readonly client: RegistryClient,
    private readonly options: { readonly platforms: readonly Platform[]; readonly sniffUncompressed: boolean; readonly cache?: FactsCache }
  ) {}

  /** Whether a repository refused anonymous pulls, as the cache file remembers it. */
  cachedAccess(repository: string): 'private' | 'public' | undefined {
    return this.options.cache?.access(repository)
  }

  rememberAccess(repository: string, access: 'private' | 'public'): void {
    this.options.cache?.setAccess(repository, access)
  }

  /** The facts of a digest already known from the cache file (then no request is needed), or undefined. */
  cached(host: string, digest: string): ManifestFacts | undefined {
    return this.options.cache?.manifest(manifestKey(host, digest, true))
  }

  /**
   * What a node would pull for `digest` on registry `host`. The registry is only contacted for
   * what the cache file does not hold, so a warm run with digest-pinned references sends nothing
   * at all. `fetched` is the digest's manifest when the caller already has it (no second GET).
   */
  async inspect(host: string, repository: string, digest: string, fetched?: HttpResponse): Promise<ImageFacts> {
    const top = await this.manifest(host, repository, digest, true, fetched)
    const chosen = new Map<string, ImageManifestFacts | Schema1Facts | OtherManifestFacts | undefined>()
    if (top.kind !== 'index') {
      for (const p of this.options.platforms) chosen.set(formatPlatform(p), top)
      const own = top.kind === 'image' || top.kind === 'schema1' ? top.platform : undefined
      return { top, chosen, available: own ? [formatPlatform(own)] : [] }
    }
    const candidates = top.entries.filter((e) => !e.attestation)
    for (const wanted of this.options.platforms) {
      const entry = choosePlatform(wanted, candidates)
      if (!entry) {
        chosen.set(formatPlatform(wanted), undefined)
        continue
      }
      const child = await this.manifest(host, repository, entry.digest, false)
      if (child.kind === 'index') throw new InspectionError(`the index entry ${entry.digest} is itself an index, which runtimes do not follow`)
      chosen.set(formatPlatform(wanted), child.kind === 'image' && entry.platform ? { ...child, platform: entry.platform } : child)
    }
    const available = [...new Set(candidates.map((e) => (e.platform ? formatPlatform(e.platform) : 'any platform')))]
    return { top, chosen, available }
  }

  private manifest(host: string, repository: string, digest: string, readConfig: boolean, fetched?: HttpResponse): Promise<ManifestFacts> {
    // content-addressed, but kept per registry: one registry's bad answer must not decide another's verdict
    const key = manifestKey(host, digest, readConfig)
    let found = this.manifests.get(key)
    if (!found) {
      const cache = this.options.cache
      const known = cache?.manifest(key)
      // a failed read is not cached across runs: only what a registry really served
      found = known
        ? Promise.resolve(known)
        : this.endpoint(host)
            .then((e) => this.readManifest(e, repository, digest, readConfig, fetched))
            .then((facts) => (cache?.setManifest(key, facts), facts))
      this.manifests.set(key, found)
    }
    return found
  }

  /** The registry's endpoint (found once per run by the client); an unreachable one is thrown. */
  private async endpoint(host: string): Promise<Endpoint> {
    const endpoint = await this.client.endpoint(host)
    if (!('base' in endpoint)) throw endpoint.error
    return endpoint
  }

  private async readManifest(endpoint: Endpoint, repository: string, digest: string, readConfig: boolean, fetched?: HttpResponse): Promise<ManifestFacts> {
    const response = fetched ?? (await this.client.fetchManifest(endpoint, repository, digest)).response
    if (response.status !== 200) {
      throw new InspectionError(`GET /v2/${repository}/manifests/${digest} answered ${response.status} ${describeRegistryErrors(response)}`.trim())
    }
    let body: Record<string, unknown>
    try {
      body = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>
    } catch {
      throw new InspectionError(`the manifest ${digest} is not JSON`)
    }
    const mediaType = contentType(response) || (typeof body.mediaType === 'string' ? body.mediaType : '')
    const kind = manifestKind(mediaType)
    if (kind !== 'schema1') verifyDigest(response.body, digest)
    switch (kind) {
      case 'index':
        return { kind, digest, mediaType, entries: indexEntries(body) }
      case 'schema1':
        return { kind, digest, mediaType, platform: normalizePlatform({ os: 'linux', architecture: str(body.architecture) || 'amd64' }) }
      case 'image':
        return this.imageManifest(endpoint, repository, digest, mediaType, body, readConfig)
      default:
        return { kind, digest, mediaType }
    }
  }

  private async imageManifest(
    endpoint: Endpoint,
    repository: string,
    digest: string,
    mediaType: string,
    body: Record<string, unknown>,
    readConfig: boolean
  ): Promise<ImageManifestFacts> {
    const config = (body.config ?? {}) as Record<string, unknown>
    const configMediaType = str(config.mediaType)
    const artifactType = str(body.artifactType) || undefined
    const layers = (Array.isArray(body.layers) ? body.layers : []).map((l: Record<string, unknown>) => ({
      mediaType: str(l.mediaType),
      digest: str(l.digest),
      size: typeof l.size === 'number' ? l.size : 0
    }))
    const sniffed = await Promise.all(
      layers.map(async (layer) =>
        this.options.sniffUncompressed && layerClass(layer.mediaType) === 'uncompressed-oci' && layer.digest
          ? { ...layer, magic: await this.magic(endpoint, repository, layer.digest) }
          : layer
      )
    )
    let platform: Platform | undefined
    if (readConfig && isImageConfig(configMediaType) && str(config.digest)) platform = await this.configPlatform(endpoint, repository, str(config.digest))
    return { kind: 'image', digest, mediaType, configMediaType, artifactType, layers: sniffed, platform }
  }

  private async configPlatform(endpoint: Endpoint, repository: string, digest: string): Promise<Platform | undefined> {
    const answer = await this.client.fetchBlob(endpoint, repository, digest, { maxBytes: MAX_CONFIG_BYTES })
    if (answer.response.status !== 200) {
      throw new InspectionError(`GET /v2/${repository}/blobs/${digest} (the image config) answered ${answer.response.status}`)
    }
    verifyDigest(answer.response.body, digest)
    try {
      const cfg = JSON.parse(answer.response.body.toString('utf8')) as Record<string, unknown>
      return normalizePlatform({ os: str(cfg.os), architecture: str(cfg.architecture), variant: str(cfg.variant) })
    } catch {
      throw new InspectionError(`the image config ${digest} is not JSON`)
    }
  }

  /** The compression the first bytes betray (gzip 1f 8b, zstd 28 b5 2f fd), if any. */
  private async magic(endpoint: Endpoint, repository: string, digest: string): Promise<'gzip' | 'zstd' | undefined> {
    const answer = await this.client.fetchBlob(endpoint, repository, digest, { maxBytes: 64 * 1024 * 1024, prefixBytes: 4 })
    if (answer.response.status !== 200 && answer.response.status !== 206) return undefined
    const b = answer.response.body
    if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip'
    if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd'
    return undefined
  }
}

/** Facts are kept per registry, digest, and whether the config was read. */
function manifestKey(host: string, digest: string, readConfig: boolean): string {
  return `${host}|${digest}|${readConfig}`
}

function indexEntries(body: Record<string, unknown>): IndexEntry[] {
  const list = Array.isArray(body.manifests) ? (body.manifests as Array<Record<string, unknown>>) : []
  return list.map((m) => {
    const p = (m.platform ?? undefined) as Record<string, unknown> | undefined
    const annotations = (m.annotations ?? {}) as Record<string, unknown>
    const platform = p ? normalizePlatform({ os: str(p.os), architecture: str(p.architecture), variant: str(p.variant) }) : undefined
    const attestation = annotations['vnd.docker.reference.type'] === 'attestation-manifest' || (platform?.os === 'unknown' && platform.architecture === 'unknown')
    return { digest: str(m.digest), mediaType: str(m.mediaType), platform, attestation }
  })
}

function verifyDigest(body: Buffer, digest: string): void {
  const [algorithm, hex] = digest.split(':')
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return
  const computed = createHash(algorithm).update(body).digest('hex')
  if (computed !== hex) throw new InspectionError(`the registry's content for ${digest} hashes to ${algorithm}:${computed}`)
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}
