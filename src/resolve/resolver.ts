import type { ImageReference } from '../images/reference.js'
import { ProtocolError, type RegistryAnswer, type RegistryClient } from '../registry/client.js'
import type { Endpoint } from '../registry/endpoints.js'
import { TransportError } from '../registry/errors.js'
import { describeRegistryErrors } from '../registry/registry-errors.js'
import type { Resolution, Target } from './outcome.js'
import { InspectionError } from '../inspect/facts.js'
import type { Inspector } from '../inspect/inspector.js'

/** How many requests run at once against one registry (keep-alive connections are shared). */
export const DEFAULT_PER_REGISTRY_CONCURRENCY = 8

/** The unique thing a reference asks a registry for: the digest when written (that is what is pulled), else the tag. */
/** The tag written beside a digest, resolved only to compare (digest-mismatch); never inspected. */
export function tagTargetOf(reference: ImageReference): Target | undefined {
  if (!reference.tag || !reference.digest) return undefined
  const base = `${reference.domain}/${reference.path}`
  return { key: `${base}:${reference.tag}`, registry: reference.domain, repository: reference.path, reference: reference.tag, purpose: 'pull', inspect: false }
}

export function targetOf(reference: ImageReference, purpose: 'pull' | 'repository'): Target {
  const base = `${reference.domain}/${reference.path}`
  if (purpose === 'repository') return { key: `${base} (repository)`, registry: reference.domain, repository: reference.path, reference: '', purpose }
  const ref = reference.digest ?? reference.tag ?? 'latest'
  return { key: reference.digest ? `${base}@${ref}` : `${base}:${ref}`, registry: reference.domain, repository: reference.path, reference: ref, purpose }
}

/**
 * Resolves every unique target once, concurrently, with at most `perRegistry` requests in flight
 * per registry. Never throws: every failure becomes a Resolution.
 */
export async function resolveTargets(
  client: RegistryClient,
  targets: readonly Target[],
  perRegistry = DEFAULT_PER_REGISTRY_CONCURRENCY,
  inspector?: Inspector
): Promise<Map<string, Resolution>> {
  const unique = new Map<string, Target>()
  // the same key asked for to compare a tag and to pull it: inspect it once, for the pull
  for (const t of targets) if (!unique.has(t.key) || unique.get(t.key)!.inspect === false) unique.set(t.key, t)
  const limiters = new Map<string, Limiter>()
  const results = new Map<string, Resolution>()
  await Promise.all(
    [...unique.values()].map(async (target) => {
      let limiter = limiters.get(target.registry)
      if (!limiter) limiters.set(target.registry, (limiter = new Limiter(perRegistry)))
      results.set(target.key, await limiter.run(() => resolveTarget(client, target, inspector)))
    })
  )
  return results
}

async function resolveTarget(client: RegistryClient, target: Target, inspector: Inspector | undefined): Promise<Resolution> {
  try {
    // a digest whose facts the cache file holds: nothing to ask the registry (digests never change)
    const known = inspector && target.purpose === 'pull' && /^sha(256|512):/.test(target.reference) ? inspector.cached(target.registry, target.reference) : undefined
    if (known && inspector) {
      const endpoint = async () => {
        const e = await client.endpoint(target.registry)
        if (!('base' in e)) throw e.error
        return e
      }
      const facts = await inspector.inspect(endpoint, target.repository, target.reference, target.registry)
      return { kind: 'resolved', digest: target.reference, mediaType: known.mediaType, size: 0, facts, access: inspector.cachedAccess(`${target.registry}/${target.repository}`) }
    }
    const endpoint = await client.endpoint(target.registry)
    if (!('base' in endpoint)) return { kind: 'unreachable', cause: endpoint.error.message }
    if (target.purpose === 'repository') return await resolveRepository(client, endpoint, target)
    const manifest = await client.resolveManifest(endpoint, target.repository, target.reference)
    if (!manifest.found) return await classifyFailure(client, endpoint, target, manifest.answer)
    // resolved without credentials: public; with them, ask once per repository whether they were needed
    const access = manifest.answer.credential ? await privacy(client, endpoint, target, inspector) : 'public'
    const resolved = { kind: 'resolved' as const, digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size, access }
    if (!inspector || target.inspect === false) return resolved
    try {
      return { ...resolved, facts: await inspector.inspect(endpoint, target.repository, manifest.digest) }
    } catch (error) {
      if (error instanceof InspectionError || error instanceof TransportError || error instanceof ProtocolError) {
        return { ...resolved, inspectionError: error.message }
      }
      throw error
    }
  } catch (error) {
    if (error instanceof TransportError) {
      return error.failure === 'too-large' || error.failure === 'redirect'
        ? { kind: 'registry-error', said: error.message }
        : { kind: 'unreachable', cause: error.message }
    }
    if (error instanceof ProtocolError) return { kind: 'registry-error', said: error.message }
    throw error
  }
}

type PerRepository<T> = WeakMap<RegistryClient, Map<string, Promise<T>>>

/** What is asked once per `registry/repository` and run (a client lives for one run), whatever the targets. */
function oncePerRepository<T>(caches: PerRepository<T>, client: RegistryClient, target: Target, ask: (key: string) => Promise<T>): Promise<T> {
  let cache = caches.get(client)
  if (!cache) caches.set(client, (cache = new Map()))
  const key = `${target.registry}/${target.repository}`
  let found = cache.get(key)
  if (!found) cache.set(key, (found = ask(key)))
  return found
}

const privacyByRepository: PerRepository<'private' | 'public'> = new WeakMap()
const tagsByRepository: PerRepository<Awaited<ReturnType<RegistryClient['listTags']>>> = new WeakMap()

/** Whether `registry/repository` refuses anonymous pulls. */
function privacy(client: RegistryClient, endpoint: Endpoint, target: Target, inspector: Inspector | undefined): Promise<'private' | 'public'> {
  return oncePerRepository(privacyByRepository, client, target, (key) => {
    const known = inspector?.cachedAccess(key)
    if (known) return Promise.resolve(known)
    return client.refusesAnonymous(endpoint, target.repository, target.reference).then(
      (refused) => {
        const access = refused ? 'private' : 'public'
        inspector?.rememberAccess(key, access)
        return access
      },
      // a probe that fails says nothing; assume the cluster needs credentials like the gate did
      () => 'private' as const
    )
  })
}

/** The repository's tag list: several missing tags of one repository page through it once. */
function tagList(client: RegistryClient, endpoint: Endpoint, target: Target): ReturnType<RegistryClient['listTags']> {
  return oncePerRepository(tagsByRepository, client, target, () => client.listTags(endpoint, target.repository))
}

async function resolveRepository(client: RegistryClient, endpoint: Endpoint, target: Target): Promise<Resolution> {
  const listed = await tagList(client, endpoint, target)
  if (listed.tags) return { kind: 'repository-exists', tagCount: listed.tags.length }
  if (listed.answer.response.status === 404) return { kind: 'repository-not-found', said: evidence(listed.answer, `GET /v2/${target.repository}/tags/list`) }
  return classifyRefusal(listed.answer, `GET /v2/${target.repository}/tags/list`, endpoint)
}

/** A manifest request that did not find the manifest: missing tag, digest or repository, or a refusal. */
async function classifyFailure(client: RegistryClient, endpoint: Endpoint, target: Target, answer: RegistryAnswer): Promise<Resolution> {
  const request = `HEAD /v2/${target.repository}/manifests/${target.reference}`
  if (answer.response.status !== 404) return classifyRefusal(answer, request, endpoint)
  // a manifest 404 does not say whether the tag or the whole repository is missing; the tag list does
  const listed = await tagList(client, endpoint, target)
  const isDigest = target.reference.includes(':')
  const manifestSaid = evidence(answer, request)
  if (listed.answer.response.status === 404) {
    return { kind: 'repository-not-found', said: `${manifestSaid}; ${evidence(listed.answer, `GET /v2/${target.repository}/tags/list`)}` }
  }
  if (isDigest) return { kind: 'digest-not-found', said: manifestSaid }
  return { kind: 'tag-not-found', said: manifestSaid, tags: listed.tags }
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
