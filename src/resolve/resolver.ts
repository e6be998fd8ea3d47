import { effectiveTag, pullReference, repositoryName, type ImageReference } from '../images/reference.js'
import { ProtocolError, type RegistryAnswer, type RegistryClient } from '../registry/client.js'
import type { Endpoint } from '../registry/endpoints.js'
import type { HttpResponse } from '../registry/transport.js'
import { TransportError } from '../registry/errors.js'
import { describeRegistryErrors } from '../registry/registry-errors.js'
import type { Resolution, Target } from './outcome.js'
import { InspectionError, type ManifestFacts } from '../inspect/facts.js'
import type { Inspector } from '../inspect/inspector.js'
import { AnonymousAccess } from './anonymous-access.js'

/** How many requests run at once against one registry (keep-alive connections are shared). */
const DEFAULT_PER_REGISTRY_CONCURRENCY = 8

/** The tag written beside a digest, resolved only to compare (digest-mismatch); never inspected. */
export function tagTargetOf(reference: ImageReference): Target | undefined {
  if (!reference.tag || !reference.digest) return undefined
  return { key: `${repositoryName(reference)}:${reference.tag}`, registry: reference.domain, repository: reference.path, reference: reference.tag, purpose: 'pull', inspect: false }
}

/** The unique thing a reference asks a registry for: the digest when written (that is what is pulled), else the tag. */
export function targetOf(reference: ImageReference, purpose: 'pull' | 'repository'): Target {
  if (purpose === 'repository') return { key: `${repositoryName(reference)} (repository)`, registry: reference.domain, repository: reference.path, reference: '', purpose }
  return { key: pullReference(reference), registry: reference.domain, repository: reference.path, reference: reference.digest ?? effectiveTag(reference)!, purpose }
}

/**
 * Resolves targets as they are found, each unique key once, with at most `perRegistry` requests
 * in flight per registry, while the caller goes on finding more. Never rejects: every failure
 * becomes a Resolution. What is asked once per repository (its privacy, its tag list) is kept
 * here too: a resolver lives for one run.
 */
export class Resolver {
  private readonly started = new Map<string, { readonly target: Target; promise: Promise<Resolution> }>()
  private readonly limiters = new Map<string, Limiter>()
  private readonly privacyByRepository = new Map<string, Promise<'private' | 'public'>>()
  private readonly tagsByRepository = new Map<string, ReturnType<RegistryClient['listTags']>>()
  private readonly anonymousAccess: AnonymousAccess
  /** per registry, the repositories whose answers will need a token (not those the cache file answers) */
  private readonly repositories = new Map<string, Set<string>>()

  constructor(
    private readonly client: RegistryClient,
    private readonly perRegistry = DEFAULT_PER_REGISTRY_CONCURRENCY,
    private readonly inspector?: Inspector
  ) {
    // the other repositories asked for on a registry: their anonymous access is learned in the same token
    this.anonymousAccess = new AnonymousAccess(client, (registry) => this.repositoriesOn(registry))
  }

  /** The repositories asked for on `registry` so far that the registry will be asked about, in the order they were asked. */
  repositoriesOn(registry: string): ReadonlySet<string> {
    return this.repositories.get(registry) ?? new Set()
  }

  /** Starts resolving `target` unless its key already is; what the registry established. */
  resolve(target: Target): Promise<Resolution> {
    const found = this.started.get(target.key)
    if (!found) {
      const promise = this.limited(target, () => this.resolveTarget(target))
      // a bug's rejection is reported when settled() is awaited, not as an unhandled rejection meanwhile
      promise.catch(() => {})
      this.started.set(target.key, { target, promise })
      if (!this.fromCache(target)) {
        let set = this.repositories.get(target.registry)
        if (!set) this.repositories.set(target.registry, (set = new Set()))
        set.add(target.repository)
      }
      return promise
    }
    // first asked only to compare a tag, now to pull it: inspect it too, once
    if (found.target.inspect === false && target.inspect !== false && this.inspector) {
      const inspector = this.inspector
      found.promise = found.promise.then((resolution) =>
        resolution.kind === 'resolved' ? this.limited(target, () => this.withFacts(resolution, target, inspector)) : resolution
      )
      found.promise.catch(() => {})
      this.started.set(target.key, { target, promise: found.promise })
    }
    return found.promise
  }

  /** The Target kept for `target.key` once resolve() has seen it: one object per key, however many images ask. */
  keptTarget(target: Target): Target {
    return this.started.get(target.key)?.target ?? target
  }

  /** Every resolution started so far, by key, once all have settled (including ones started meanwhile). */
  async settled(): Promise<Map<string, Resolution>> {
    let count = -1
    while (count !== this.started.size) {
      count = this.started.size
      await Promise.all([...this.started.values()].map((s) => s.promise))
    }
    const results = new Map<string, Resolution>()
    for (const [key, { promise }] of this.started) results.set(key, await promise)
    return results
  }

  private limited<T>(target: Target, task: () => Promise<T>): Promise<T> {
    let limiter = this.limiters.get(target.registry)
    if (!limiter) this.limiters.set(target.registry, (limiter = new Limiter(this.perRegistry)))
    return limiter.run(task)
  }

  /** A digest whose facts the cache file holds: nothing to ask the registry (digests never change). */
  private fromCache(target: Target): ManifestFacts | undefined {
    return this.inspector && target.purpose === 'pull' && isDigest(target.reference) ? this.inspector.cached(target.registry, target.reference) : undefined
  }

  private async resolveTarget(target: Target): Promise<Resolution> {
    const { client, inspector } = this
    try {
      const known = this.fromCache(target)
      if (known && inspector) {
        const facts = await inspector.inspect(target.registry, target.repository, target.reference)
        return { kind: 'resolved', digest: target.reference, mediaType: known.mediaType, facts, access: inspector.cachedAccess(`${target.registry}/${target.repository}`) }
      }
      const endpoint = await client.endpoint(target.registry)
      if (!('base' in endpoint)) return { kind: 'unreachable', cause: endpoint.error.message }
      if (target.purpose === 'repository') return await this.resolveRepository(endpoint, target)
      // a digest to inspect is read at once: its GET proves it exists too (a HEAD first would be a request more)
      const readNow = inspector !== undefined && target.inspect !== false && isDigest(target.reference)
      const manifest = await client.resolveManifest(endpoint, target.repository, target.reference, { body: readNow })
      if (!manifest.found) return await this.classifyFailure(endpoint, target, manifest.answer, readNow ? 'GET' : 'HEAD')
      // resolved without credentials: public; with them, ask once per repository whether they were needed
      const access = manifest.answer.presented ? await this.privacy(endpoint, target) : 'public'
      const resolved = { kind: 'resolved' as const, digest: manifest.digest, mediaType: manifest.mediaType, access }
      if (!inspector || target.inspect === false) return resolved
      return await this.withFacts(resolved, target, inspector, readNow ? manifest.answer.response : undefined)
    } catch (error) {
      return failureOf(error)
    }
  }

  /** What a runtime would pull for a resolved target; a failure to read it is said, not thrown. */
  private async withFacts(resolved: Extract<Resolution, { kind: 'resolved' }>, target: Target, inspector: Inspector, fetched?: HttpResponse): Promise<Resolution> {
    try {
      return { ...resolved, facts: await inspector.inspect(target.registry, target.repository, resolved.digest, fetched) }
    } catch (error) {
      if (error instanceof InspectionError || error instanceof TransportError || error instanceof ProtocolError) {
        return { ...resolved, inspectionError: error.message }
      }
      throw error
    }
  }

  /** What is asked once per `registry/repository` and run, whatever the targets. */
  private oncePerRepository<T>(cache: Map<string, Promise<T>>, target: Target, ask: (key: string) => Promise<T>): Promise<T> {
    const key = `${target.registry}/${target.repository}`
    let found = cache.get(key)
    if (!found) cache.set(key, (found = ask(key)))
    return found
  }

  /** Whether `registry/repository` refuses anonymous pulls (the cluster then needs a pull secret). */
  private privacy(endpoint: Endpoint, target: Target): Promise<'private' | 'public'> {
    return this.oncePerRepository(this.privacyByRepository, target, (key) => {
      const known = this.inspector?.cachedAccess(key)
      if (known) return Promise.resolve(known)
      return this.anonymousAccess.ask(endpoint, target).then((access) => {
        this.inspector?.rememberAccess(key, access)
        return access
      })
    })
  }

  /** The repository's tag list: several missing tags of one repository page through it once. */
  private tagList(endpoint: Endpoint, target: Target): ReturnType<RegistryClient['listTags']> {
    return this.oncePerRepository(this.tagsByRepository, target, () => this.client.listTags(endpoint, target.repository))
  }

  private async resolveRepository(endpoint: Endpoint, target: Target): Promise<Resolution> {
    const listed = await this.tagList(endpoint, target)
    if (listed.tags) return { kind: 'repository-exists' }
    if (listed.answer.response.status === 404) return { kind: 'repository-not-found', said: evidence(listed.answer, `GET /v2/${target.repository}/tags/list`) }
    return classifyRefusal(listed.answer, `GET /v2/${target.repository}/tags/list`, endpoint)
  }

  /** A manifest request that did not find the manifest: missing tag, digest or repository, or a refusal. */
  private async classifyFailure(endpoint: Endpoint, target: Target, answer: RegistryAnswer, method: 'GET' | 'HEAD'): Promise<Resolution> {
    const request = `${method} /v2/${target.repository}/manifests/${target.reference}`
    if (answer.response.status !== 404) return classifyRefusal(answer, request, endpoint)
    // a manifest 404 does not say whether the tag or the whole repository is missing; the tag list does
    const listed = await this.tagList(endpoint, target)
    const byDigest = target.reference.includes(':')
    const manifestSaid = evidence(answer, request)
    if (listed.answer.response.status === 404) {
      return { kind: 'repository-not-found', said: `${manifestSaid}; ${evidence(listed.answer, `GET /v2/${target.repository}/tags/list`)}` }
    }
    if (byDigest) return { kind: 'digest-not-found', said: manifestSaid }
    return { kind: 'tag-not-found', said: manifestSaid, tags: listed.tags }
  }
}

function isDigest(reference: string): boolean {
  return /^sha(256|512):/.test(reference)
}

/** A transport or protocol failure as the Resolution it means; anything else is a bug and thrown. */
function failureOf(error: unknown): Resolution {
  if (error instanceof TransportError) {
    return error.failure === 'too-large' || error.failure === 'redirect' ? { kind: 'registry-error', said: error.message } : { kind: 'unreachable', cause: error.message }
  }
  if (error instanceof ProtocolError) return { kind: 'registry-error', said: error.message }
  throw error
}

function classifyRefusal(answer: RegistryAnswer, request: string, endpoint: Endpoint): Resolution {
  const status = answer.response.status
  const said = answer.refusal ? `the token server answered ${answer.refusal.said}` : evidence(answer, request)
  const tokenAuth = [...endpoint.challenges, ...answer.response.challenges].some((c) => /^\s*bearer/i.test(c))
  if (answer.refusal || status === 401 || status === 403) {
    if (answer.credential) {
      return { kind: 'credentials-rejected', said, source: answer.credential.source, maybeMissing: tokenAuth || status === 403 }
    }
    return { kind: 'credentials-missing', said, maybeMissing: tokenAuth, credentialProblem: answer.credentialProblem }
  }
  if (status === 429) {
    const h = answer.response.headers
    return {
      kind: 'rate-limited',
      said,
      remaining: h['ratelimit-remaining'],
      limit: h['ratelimit-limit'],
      retryAfter: h['retry-after']
    }
  }
  return { kind: 'registry-error', said }
}

/** `HEAD /v2/…/manifests/x answered 404 MANIFEST_UNKNOWN: manifest unknown` */
function evidence(answer: RegistryAnswer, request: string): string {
  const detail = describeRegistryErrors(answer.response)
  return `${request} answered ${answer.response.status}${detail ? ` ${detail}` : ''}`
}

/** A counting semaphore: at most `limit` tasks at once. */
class Limiter {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.active++
    try {
      return await task()
    } finally {
      this.active--
      this.waiting.shift()?.()
    }
  }
}
