import type { ImageOccurrence } from '../manifests/extract.js'
import { Authenticator } from '../registry/auth.js'
import { RegistryClient } from '../registry/client.js'
import { DockerConfigError, dockerConfigPath } from '../registry/credentials/docker-config.js'
import { Keychain } from '../registry/credentials/keychain.js'
import type { SecretSink } from '../registry/credentials/credential.js'
import { Endpoints } from '../registry/endpoints.js'
import { Transport, type TransportOptions } from '../registry/transport.js'
import type { Resolution, Target } from '../resolve/outcome.js'
import { Resolver, tagTargetOf, targetOf } from '../resolve/resolver.js'
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

/** What the registries said about one image: what it pulls, and for `name:tag@digest` what its tag points to now. */
export interface ImageAnswer {
  readonly resolution: Resolution
  readonly tag?: Resolution
}

/**
 * Resolves image references against their registries while the files are still being read:
 * `ask` starts an image's resolution at once (each unique reference once), `finish` waits for
 * everything asked and closes the connections. Images whose reference is invalid, unresolved,
 * or (kustomize) without a known tag are not asked about. Nothing is opened (not even the
 * Docker config read) until the first image worth asking about.
 */
export class RegistrySession {
  private readonly asked = new Map<ScannedImage, { readonly target: Target; readonly tag?: Target }>()
  private opened?: { readonly transport: Transport; readonly resolver: Resolver; readonly cache: FactsCache }
  private closed = false

  constructor(
    private readonly options: RegistryOptions,
    private readonly logger: Logger
  ) {}

  /** Starts resolving what `image` would pull (and, for `name:tag@digest`, what its tag points to now). */
  ask(image: ScannedImage): void {
    if (!image.reference || !image.tagKnown || image.appliedByOverlay || this.asked.has(image)) return
    const purpose = image.source === 'container' ? (image.occurrence as ImageOccurrence).purpose : 'pull'
    const target = targetOf(image.reference, purpose)
    const tag = purpose === 'pull' ? tagTargetOf(image.reference) : undefined
    const { resolver } = this.open()
    void resolver.resolve(target)
    if (tag) void resolver.resolve(tag)
    // the resolver's own Targets: the 20,000 images of a large repository name a thousand
    this.asked.set(image, { target: resolver.keptTarget(target), tag: tag && resolver.keptTarget(tag) })
  }

  /**
   * What the registries say about `image`, once they have said it; undefined for an image that
   * was not asked about. Asked after the last `ask` (a tag first asked only to compare may be
   * asked again to pull, which changes what is awaited).
   */
  answer(image: ScannedImage): Promise<ImageAnswer> | undefined {
    const asked = this.asked.get(image)
    if (!asked || !this.opened) return undefined
    const { resolver } = this.opened
    const tag = asked.tag
    const resolution = resolver.resolve(asked.target)
    return tag ? Promise.all([resolution, resolver.resolve(tag)]).then(([r, t]) => ({ resolution: r, tag: t })) : resolution.then((r) => ({ resolution: r }))
  }

  /** Waits for every resolution asked for, saves the cache file, and closes the connections. */
  async finish(): Promise<void> {
    if (!this.opened) return
    try {
      const byKey = await this.opened.resolver.settled()
      const registries = new Set([...this.asked.values()].map((a) => a.target.registry)).size
      this.logger.info(`Resolved ${byKey.size} unique image reference${byKey.size === 1 ? '' : 's'} on ${registries} registr${registries === 1 ? 'y' : 'ies'}`)
      await this.opened.cache.save()
    } finally {
      await this.close()
    }
  }

  /** Closes the connections without waiting for answers (a scan that failed half way). */
  async close(): Promise<void> {
    if (!this.opened || this.closed) return
    this.closed = true
    await this.opened.transport.close()
  }

  private open(): NonNullable<RegistrySession['opened']> {
    if (this.opened) return this.opened
    const options = this.options
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
    const transport = new Transport({ ...options.transport, signal: options.deadline, onRetry: (m) => this.logger.debug(m) })
    const allowed = options.allowedRegistries ?? []
    const authenticator = new Authenticator(transport, onSecret, Date.now, allowed)
    const client = new RegistryClient(transport, new Endpoints(transport, options.insecureRegistries ?? [], allowed), authenticator, keychain)
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
    this.logger.info('Resolving image references on their registries while files are read')
    const resolver = new Resolver(client, options.perRegistryConcurrency, inspector)
    // a token asked for one repository also covers the run's next ones on that registry
    authenticator.upcoming = (host) => resolver.repositoriesOn(host)
    this.opened = { transport, resolver, cache }
    return this.opened
  }
}
