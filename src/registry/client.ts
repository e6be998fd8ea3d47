import { createHash } from 'node:crypto'
import type { AuthRefusal, Authenticator } from './auth.js'
import { grantedPullScopes, pullScope } from './jwt.js'
import type { Credential } from './credentials/credential.js'
import type { Keychain } from './credentials/keychain.js'
import type { Endpoint, Endpoints, UnreachableEndpoint } from './endpoints.js'
import type { HttpRequest, HttpResponse, Transport } from './transport.js'

/** Every manifest type real clients accept, so a registry never downgrades or hides what it stores. */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json'
].join(', ')

/** containerd refuses larger manifests (remotes/docker MaxManifestSize); so do we. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

const SCHEMA1_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/json',
  'text/plain',
  ''
])

/** One registry exchange with what the client knew while making it. */
export interface RegistryAnswer {
  readonly response: HttpResponse
  readonly credential?: Credential
  /** the credential was presented (a registry that asks for nothing never sees it) */
  readonly presented?: boolean
  readonly credentialProblem?: string
  /** the token server refused before the registry was asked */
  readonly refusal?: AuthRefusal
}

/** What a manifest request established. */
export type ManifestAnswer =
  | { readonly found: true; readonly digest: string; readonly mediaType: string; readonly answer: RegistryAnswer }
  | { readonly found: false; readonly answer: RegistryAnswer }

/** A registry's answer that breaks the protocol (wrong digest, oversized manifest): reported as registry-error. */
export class ProtocolError extends Error {}

/**
 * The registry API pullgate needs — manifest HEAD/GET and the tag list — with authentication
 * handled: credentials from the keychain, the challenge from the registry's ping, a token per
 * scope, and one retry with a fresh token when the registry calls a token expired or invalid.
 */
export class RegistryClient {
  constructor(
    private readonly transport: Transport,
    private readonly endpoints: Endpoints,
    private readonly authenticator: Authenticator,
    private readonly keychain: Keychain
  ) {}

  endpoint(host: string): Promise<Endpoint | UnreachableEndpoint> {
    return this.endpoints.resolve(host)
  }

  /**
   * HEAD the manifest (free on Docker Hub's rate limit); GET only when the registry omits the
   * digest, or when `body` asks for it (a digest about to be read anyway: one request, not two).
   */
  async resolveManifest(endpoint: Endpoint, repository: string, reference: string, options: { body?: boolean } = {}): Promise<ManifestAnswer> {
    if (options.body) return this.getManifest(endpoint, repository, reference)
    const path = `/v2/${repository}/manifests/${reference}`
    const head = await this.send(endpoint, repository, (base) => ({
      method: 'HEAD',
      url: new URL(path, base),
      headers: { accept: MANIFEST_ACCEPT },
      maxBodyBytes: 64 * 1024
    }))
    if (head.response.status !== 200) return { found: false, answer: head }
    const size = Number(head.response.headers['content-length'])
    if (Number.isFinite(size) && size > MAX_MANIFEST_BYTES) {
      throw new ProtocolError(`the manifest is ${size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit container runtimes accept`)
    }
    const mediaType = contentType(head.response)
    const digest = head.response.headers['docker-content-digest']
    if (digest && isDigest(digest)) {
      checkRequestedDigest(reference, digest)
      return { found: true, digest, mediaType, answer: head }
    }
    return this.getManifest(endpoint, repository, reference)
  }

  private async getManifest(endpoint: Endpoint, repository: string, reference: string): Promise<ManifestAnswer> {
    const get = await this.fetchManifest(endpoint, repository, reference)
    if (get.response.status !== 200) return { found: false, answer: get }
    return { found: true, ...verifiedManifest(get.response, reference), answer: get }
  }

  /** GET a manifest body, at most MAX_MANIFEST_BYTES (its digest is checked by the callers that know it). */
  async fetchManifest(endpoint: Endpoint, repository: string, reference: string): Promise<RegistryAnswer> {
    return this.send(endpoint, repository, (base) => ({
      method: 'GET',
      url: new URL(`/v2/${repository}/manifests/${reference}`, base),
      headers: { accept: MANIFEST_ACCEPT },
      maxBodyBytes: MAX_MANIFEST_BYTES
    }))
  }

  /** GET a blob (a config), at most `maxBytes`; or only its first `prefixBytes` with a Range request. */
  async fetchBlob(endpoint: Endpoint, repository: string, digest: string, options: { maxBytes: number; prefixBytes?: number }): Promise<RegistryAnswer> {
    const prefix = options.prefixBytes
    return this.send(endpoint, repository, (base) => ({
      method: 'GET',
      url: new URL(`/v2/${repository}/blobs/${digest}`, base),
      headers: prefix ? { range: `bytes=0-${prefix - 1}` } : ({} as Record<string, string>),
      maxBodyBytes: options.maxBytes,
      readAtMost: prefix
    }))
  }

  /** Every tag of a repository, following `Link: <…>; rel="next"`, bounded; or the answer that refused it. */
  async listTags(endpoint: Endpoint, repository: string, maxTags = 10_000): Promise<{ tags?: string[]; answer: RegistryAnswer }> {
    const tags: string[] = []
    let next: URL | undefined = new URL(`/v2/${repository}/tags/list?n=1000`, endpoint.base)
    let last: RegistryAnswer | undefined
    for (let page = 0; next && page < 20 && tags.length < maxTags; page++) {
      const url: URL = next
      last = await this.send(endpoint, repository, () => ({ method: 'GET', url, maxBodyBytes: MAX_MANIFEST_BYTES }))
      if (last.response.status !== 200) return page === 0 ? { answer: last } : { tags, answer: last }
      try {
        const body = JSON.parse(last.response.body.toString('utf8')) as { tags?: unknown }
        if (Array.isArray(body.tags)) for (const t of body.tags) if (typeof t === 'string') tags.push(t)
      } catch {
        throw new ProtocolError('the tag list is not JSON')
      }
      next = nextLink(last.response, url)
    }
    return { tags, answer: last! }
  }

  /**
   * Would a client without credentials be refused this manifest? (HEAD, anonymous token if the
   * registry hands one out.) This is how a private repository is told from a public one: the
   * cluster needs pull secrets only for the former.
   */
  async refusesAnonymous(endpoint: Endpoint, repository: string, reference: string): Promise<boolean> {
    const answer = await this.send(
      endpoint,
      repository,
      (base) => ({ method: 'HEAD', url: new URL(`/v2/${repository}/manifests/${reference}`, base), headers: { accept: MANIFEST_ACCEPT }, maxBodyBytes: 64 * 1024 }),
      { anonymous: true }
    )
    return answer.refusal !== undefined || answer.response.status === 401 || answer.response.status === 403
  }

  /**
   * Which of `repositories` an anonymous client may pull, from one anonymous token asked for all
   * their pull scopes: a token server grants an anonymous client only what it may have and lists
   * it in the token's `access` claim, which is what the registry then enforces (distribution's
   * token spec; Docker Hub, Harbor and GitLab issue such JWTs). Undefined when that cannot be read
   * (no Bearer challenge, a token that is not a JWT with an `access` claim): ask per repository.
   */
  async anonymousPullAccess(endpoint: Endpoint, repositories: readonly string[]): Promise<Map<string, boolean> | undefined> {
    const answer = await this.authenticator.anonymousToken(endpoint, repositories.map(pullScope))
    if (!answer) return undefined
    // a token server that gives anonymous clients no token at all: nothing is public
    if (!('token' in answer)) return answer.status === 401 || answer.status === 403 ? new Map(repositories.map((r) => [r, false])) : undefined
    const granted = grantedPullScopes(answer.token)
    if (!granted) return undefined
    return new Map(repositories.map((r) => [r, granted.has(pullScope(r))]))
  }

  /** Sends a request authorized for `repository:<name>:pull`, answering a challenge once. */
  private async send(endpoint: Endpoint, repository: string, build: (base: URL) => HttpRequest, options: { anonymous?: boolean } = {}): Promise<RegistryAnswer> {
    const scope = pullScope(repository)
    const lookup = options.anonymous ? {} : await this.keychain.lookup(endpoint.host)
    const credential = lookup.credential
    const first = endpoint.challenges.length > 0 ? await this.authenticator.authorize(endpoint, endpoint.challenges, scope, credential) : {}
    if (first.refusal) return { response: refusalResponse(first.refusal), credential, credentialProblem: lookup.problem, refusal: first.refusal }
    const request = build(endpoint.base)
    let authorization = first.authorization
    let response = await this.transport.request({ ...request, authorization })
    // Answer a challenge the ping did not announce, then once more if the registry calls the token
    // it was just given expired or invalid (clock skew, a token server ahead of the registry).
    for (let round = 0; round < 2 && response.status === 401 && response.challenges.length > 0; round++) {
      const again = await this.authenticator.authorize(endpoint, response.challenges, scope, credential, { fresh: tokenRejected(response) })
      if (again.refusal) return { response, credential, credentialProblem: lookup.problem, refusal: again.refusal }
      if (!again.authorization || again.authorization === authorization) break
      authorization = again.authorization
      response = await this.transport.request({ ...request, authorization })
    }
    return { response, credential, credentialProblem: lookup.problem, presented: credential !== undefined && authorization !== undefined }
  }
}

/** RFC 6750: `error="invalid_token"` means the token expired or was malformed; another one may work. */
function tokenRejected(response: HttpResponse): boolean {
  return response.challenges.some((c) => /error="?invalid_token/i.test(c))
}

/** A stand-in response for a token server refusal, so callers classify one shape. */
function refusalResponse(refusal: AuthRefusal): HttpResponse {
  return { status: refusal.status || 401, headers: {}, challenges: [], body: Buffer.alloc(0), url: new URL('http://token.invalid/') }
}

export function contentType(response: HttpResponse): string {
  return (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
}

function isDigest(value: string): boolean {
  return /^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/.test(value)
}

function checkRequestedDigest(reference: string, digest: string): void {
  if (reference.includes(':') && reference !== digest) {
    throw new ProtocolError(`asked for ${reference}, the registry answered with ${digest}`)
  }
}

/** Digest and type of a GET body; a content-addressed manifest whose body does not hash to its digest is refused. */
function verifiedManifest(response: HttpResponse, reference: string): { digest: string; mediaType: string } {
  const mediaType = contentType(response)
  const algorithm = reference.startsWith('sha512:') ? 'sha512' : 'sha256'
  const computed = `${algorithm}:${createHash(algorithm).update(response.body).digest('hex')}`
  const header = response.headers['docker-content-digest']
  // schema1 signed manifests are hashed without their signatures: the body cannot be checked
  if (!SCHEMA1_TYPES.has(mediaType)) {
    if (header && isDigest(header) && header !== computed) {
      throw new ProtocolError(`the manifest body hashes to ${computed} but the registry says ${header}`)
    }
    checkRequestedDigest(reference, computed)
  }
  return { digest: header && isDigest(header) ? header : computed, mediaType }
}

function nextLink(response: HttpResponse, current: URL): URL | undefined {
  const link = response.headers.link
  const match = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)
  if (!match) return undefined
  const next = new URL(match[1]!, current)
  // the next page must stay on the same registry
  return next.origin === current.origin ? next : undefined
}
