import type { ImageOccurrence } from '../manifests/extract.js'
import { Authenticator } from '../registry/auth.js'
import { RegistryClient } from '../registry/client.js'
import { DockerConfigError, dockerConfigPath } from '../registry/credentials/docker-config.js'
import { Keychain } from '../registry/credentials/keychain.js'
import type { SecretSink } from '../registry/credentials/credential.js'
import { Endpoints } from '../registry/endpoints.js'
import { Transport, type TransportOptions } from '../registry/transport.js'
import type { Resolution, Target } from '../resolve/outcome.js'
import { resolveTargets, tagTargetOf, targetOf } from '../resolve/resolver.js'
import { Inspector } from '../inspect/inspector.js'
import { FactsCache } from '../inspect/cache.js'
import type { CompatOptions } from '../compat/profile.js'
import type { Logger } from '../util/logger.js'
import { UsageError } from './options.js'
import type { ScannedImage } from './scan.js'

/** How to reach registries and what to present to them. */
export interface RegistryOptions {
  /** a Docker config file or folder (`docker-config` input); default $DOCKER_CONFIG, then ~/.docker */
  readonly dockerConfig?: string
  /** authenticates ghcr.io when no Docker config entry does (`github-token` input) */
  readonly githubToken?: string
  readonly githubActor?: string
  /** hosts spoken to over plain HTTP (`insecure-registries` input) */
  readonly insecureRegistries?: readonly string[]
  /** host globs the gate may contact, registries and token realms (`allowed-registries`); empty: any */
  readonly allowedRegistries?: readonly string[]
  /** the run's deadline: requests still open then are abandoned (`timeout-seconds`) */
  readonly deadline?: AbortSignal
  /** a JSON file keeping what was learned about digests across runs (`cache-file`) */
  readonly cacheFile?: string
  /** called with every secret as soon as it is known (the action masks it) */
  readonly onSecret?: SecretSink
  readonly transport?: Partial<TransportOptions>
  readonly perRegistryConcurrency?: number
  readonly env?: NodeJS.ProcessEnv
  /** inspect what would be pulled for these runtimes and platforms (media types, platforms, artifacts) */
  readonly compat?: CompatOptions
}

/** What the registries said: per image, and per image written `name:tag@digest`, what its tag points to now. */
export interface Resolutions {
  readonly byImage: Map<ScannedImage, Resolution>
  readonly tags: Map<ScannedImage, Resolution>
}

/**
 * Resolves every valid image reference against its registry, each unique one once. Images whose
 * reference is invalid, unresolved, or (kustomize) without a known tag are not asked about.
 */
export async function resolveImages(images: readonly ScannedImage[], options: RegistryOptions, logger: Logger): Promise<Resolutions> {
  const targets = new Map<ScannedImage, Target>()
  const tagTargets = new Map<ScannedImage, Target>()
  for (const image of images) {
    if (!image.reference || !image.tagKnown || image.appliedByOverlay) continue
    const purpose = image.source === 'container' ? (image.occurrence as ImageOccurrence).purpose : 'pull'
    targets.set(image, targetOf(image.reference, purpose))
    const tag = purpose === 'pull' ? tagTargetOf(image.reference) : undefined
    if (tag) tagTargets.set(image, tag)
  }
  const result: Resolutions = { byImage: new Map(), tags: new Map() }
  if (targets.size === 0) return result

  const onSecret = options.onSecret ?? (() => {})
  let keychain: Keychain
  try {
    keychain = new Keychain({
      dockerConfigFile: dockerConfigPath(options.dockerConfig, options.env),
      githubToken: options.githubToken,
      githubActor: options.githubActor,
      onSecret
    })
  } catch (error) {
    if (error instanceof DockerConfigError) throw new UsageError(error.message)
    throw error
  }
  const transport = new Transport({ ...options.transport, signal: options.deadline, onRetry: (m) => logger.debug(m) })
  try {
    const allowed = options.allowedRegistries ?? []
    const client = new RegistryClient(
      transport,
      new Endpoints(transport, options.insecureRegistries ?? [], allowed),
      new Authenticator(transport, onSecret, Date.now, allowed),
      keychain
    )
    const unique = new Set([...targets.values()].map((t) => t.key)).size
    const registries = new Set([...targets.values()].map((t) => t.registry)).size
    logger.info(`Resolving ${unique} unique image reference${unique === 1 ? '' : 's'} on ${registries} registr${registries === 1 ? 'y' : 'ies'}`)
    const compat = options.compat
    const cache = FactsCache.load(options.cacheFile)
    const inspector = compat
      ? new Inspector(client, {
          cache,
          platforms: compat.platforms,
          // only containerd (and a custom profile) trusts an uncompressed label without looking
          sniffUncompressed: compat.runtimes.some((r) => r.family === 'containerd' || r.family === 'custom')
        })
      : undefined
    const byKey = await resolveTargets(client, [...targets.values(), ...tagTargets.values()], options.perRegistryConcurrency, inspector)
    for (const [image, target] of targets) result.byImage.set(image, byKey.get(target.key)!)
    for (const [image, target] of tagTargets) result.tags.set(image, byKey.get(target.key)!)
    await cache.save()
  } finally {
    await transport.close()
  }
  return result
}
