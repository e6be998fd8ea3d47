import { parseChallenges, type Challenge } from './challenge.js'
import { basicToken, type Credential, type SecretSink } from './credentials/credential.js'
import type { Endpoint } from './endpoints.js'
import type { HttpResponse, Transport } from './transport.js'
import { describeRegistryErrors } from './registry-errors.js'
import { hostMatches } from './guard.js'
import { TransportError } from './errors.js'
import { grantedPullScopes, pullScope } from './jwt.js'

/** A refusal by the token server itself (before the registry was asked). */
export interface AuthRefusal {
  readonly status: number
  /** e.g. `401 UNAUTHORIZED: authentication required` */
  readonly said: string
}

/** Tokens are refreshed this long before they expire, so a token never dies in flight. */
const EXPIRY_MARGIN_MS = 5_000
function realmOf(challenge: Challenge): string {
  return `${challenge.params.realm}\n${challenge.params.service ?? ''}`
}

/** Scopes per token request: a URL of a few kilobytes, which every token server takes. */
export const SCOPES_PER_TOKEN = 30
/** The distribution token spec's default lifetime when `expires_in` is absent. */
const DEFAULT_TOKEN_SECONDS = 60

interface CachedToken {
  readonly token: string
  readonly expiresAt: number
}

/**
 * Turns a registry's challenge into an Authorization header: Basic with the credential, or a
 * Bearer token from the challenge's realm (GET with Basic credentials, or the OAuth2 POST for
 * identity tokens), cached per realm, service, scope and credential until it expires.
 */
export class Authenticator {
  private readonly tokens = new Map<string, Promise<CachedToken | AuthRefusal>>()
  /** token realms whose tokens list what they grant: only these are asked for several scopes at once */
  private readonly claimRealms = new Set<string>()
  /** each realm's first token request, which the realm's other first requests wait for */
  private readonly realms = new Map<string, { settled: boolean; done: Promise<void> }>()
  /** the repositories a run will ask for next on a registry (set by the resolver) */
  upcoming: (host: string) => Iterable<string> = () => []

  constructor(
    private readonly transport: Transport,
    private readonly onSecret: SecretSink,
    private readonly now: () => number = Date.now,
    /** host globs the gate may contact (`allowed-registries`): a token realm elsewhere gets nothing */
    private readonly allowed: readonly string[] = []
  ) {}

  /** The Authorization header for `scope` on `endpoint`, given its challenges; or the refusal. */
  async authorize(
    endpoint: Endpoint,
    challengeHeaders: readonly string[],
    scope: string,
    credential: Credential | undefined,
    options: { fresh?: boolean } = {}
  ): Promise<{ authorization?: string; refusal?: AuthRefusal }> {
    let challenges: Challenge[]
    try {
      challenges = parseChallenges(challengeHeaders)
    } catch {
      return {}
    }
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    const basic = challenges.find((c) => c.scheme === 'basic')
    if (bearer && bearer.params.realm) {
      if (credential?.registryToken) return { authorization: `Bearer ${credential.registryToken}` }
      const token = await this.token(endpoint, bearer, bearer.params.scope || scope, credential, options.fresh ?? false)
      if ('token' in token) return { authorization: `Bearer ${token.token}` }
      return { refusal: token }
    }
    if (basic && credential?.username !== undefined && credential.password !== undefined) {
      return { authorization: `Basic ${basicToken(credential.username, credential.password)}` }
    }
    return {}
  }

  /**
   * One token for many scopes, asked anonymously (scope repeated, as the token spec allows): the
   * token server grants each scope an anonymous client may have, and says which in the token.
   * The token, or the refusal when anonymous clients get none; undefined without a Bearer challenge.
   */
  async anonymousToken(endpoint: Endpoint, scopes: readonly string[]): Promise<{ token: string } | AuthRefusal | undefined> {
    let challenges: Challenge[]
    try {
      challenges = parseChallenges(endpoint.challenges)
    } catch {
      return undefined
    }
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    if (!bearer?.params.realm) return undefined
    return this.fetchToken(endpoint, bearer, scopes, undefined)
  }

  private token(endpoint: Endpoint, challenge: Challenge, scope: string, credential: Credential | undefined, fresh: boolean): Promise<CachedToken | AuthRefusal> {
    const key = this.tokenKey(challenge, scope, credential)
    const cached = this.tokens.get(key)
    if (cached && !fresh) {
      // a refusal stays a refusal for the same scope and credential; only an expired token is fetched again
      return cached.then((t) => {
        if (!('token' in t) || t.expiresAt - EXPIRY_MARGIN_MS > this.now()) return t
        // requests that found the same expired token share one new one
        const newer = this.tokens.get(key)
        return newer && newer !== cached ? newer : this.refresh(endpoint, challenge, scope, credential, false)
      })
    }
    // the realm's first token tells whether its tokens list what they grant: wait for it, then batch
    const first = this.realms.get(realmOf(challenge))
    if (first && !first.settled && !fresh) return first.done.then(() => this.token(endpoint, challenge, scope, credential, fresh))
    return this.refresh(endpoint, challenge, scope, credential, !fresh)
  }

  /**
   * Fetches a token for `scope` and caches it. Where the realm's tokens say what they grant (a JWT
   * with an `access` claim) and `batch` allows, the same request also asks for the pull scopes
   * the run will need next on that registry, and the token is cached for each scope it grants:
   * one token request for many repositories, where the floor asks one per repository.
   */
  private refresh(endpoint: Endpoint, challenge: Challenge, scope: string, credential: Credential | undefined, batch: boolean): Promise<CachedToken | AuthRefusal> {
    const realm = realmOf(challenge)
    const others: string[] = []
    if (batch && this.claimRealms.has(realm) && !credential?.identityToken) {
      for (const repository of this.upcoming(endpoint.host)) {
        if (others.length >= SCOPES_PER_TOKEN - 1) break
        const other = pullScope(repository)
        if (other !== scope && !this.tokens.has(this.tokenKey(challenge, other, credential))) others.push(other)
      }
    }
    const fetched = this.fetchToken(endpoint, challenge, [scope, ...others], credential)
    const granted = fetched.then((t) => ('token' in t ? grantedPullScopes(t.token) : undefined))
    // learnt before anyone waiting on the realm's first token goes on (a failed fetch is the caller's to report)
    const learnt = granted.then(
      (g) => void (g && this.claimRealms.add(realm)),
      () => {}
    )
    if (!this.realms.has(realm)) {
      const entry = { settled: false, done: learnt.then(() => void (entry.settled = true)) }
      this.realms.set(realm, entry)
    }
    // a batch token that does not grant a scope is not that scope's answer: ask for it alone
    const covering = (wanted: string) =>
      Promise.all([fetched, granted]).then(([t, g]) => (others.length === 0 || !('token' in t) || g?.has(wanted) ? t : this.refresh(endpoint, challenge, wanted, credential, false)))
    const own = covering(scope)
    this.tokens.set(this.tokenKey(challenge, scope, credential), own)
    for (const other of others) this.tokens.set(this.tokenKey(challenge, other, credential), covering(other))
    return own
  }

  private tokenKey(challenge: Challenge, scope: string, credential: Credential | undefined): string {
    return [challenge.params.realm, challenge.params.service ?? '', scope, credential?.source ?? '', credential?.username ?? ''].join('\n')
  }

  private async fetchToken(endpoint: Endpoint, challenge: Challenge, scope: string | readonly string[], credential: Credential | undefined): Promise<CachedToken | AuthRefusal> {
    const scopes = typeof scope === 'string' ? [scope] : scope
    const realm = new URL(challenge.params.realm!, endpoint.base)
    // a registry reached over HTTPS must not send our credentials to a plain-HTTP realm
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && endpoint.base.protocol === 'http:')) {
      return { status: 0, said: `the registry's token realm ${realm.origin} is not HTTPS; credentials were not sent there` }
    }
    if (this.allowed.length > 0 && !this.allowed.some((glob) => hostMatches(glob, realm.host))) {
      throw new TransportError('refused-address', `${endpoint.host} sends clients for tokens to ${realm.host}, which is not in allowed-registries; nothing was sent there`)
    }
    const service = challenge.params.service
    let response: HttpResponse
    if (credential?.identityToken) {
      // the OAuth2 form joins scopes with spaces
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'pullgate', scope: scopes.join(' ') })
      if (service) form.set('service', service)
      response = await this.transport.request({
        method: 'POST',
        url: realm,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        maxBodyBytes: 1024 * 1024
      })
    } else {
      const url = new URL(realm)
      if (service) url.searchParams.set('service', service)
      for (const s of scopes) url.searchParams.append('scope', s)
      const authorization =
        credential?.username !== undefined && credential.password !== undefined
          ? `Basic ${basicToken(credential.username, credential.password)}`
          : undefined
      response = await this.transport.request({ method: 'GET', url, authorization, maxBodyBytes: 1024 * 1024 })
    }
    if (response.status !== 200) return { status: response.status, said: `${response.status} ${describeRegistryErrors(response)}`.trim() }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown }
    try {
      body = JSON.parse(response.body.toString('utf8'))
    } catch {
      return { status: response.status, said: 'the token server answered 200 with a body that is not JSON' }
    }
    const token = typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' ? body.access_token : ''
    if (!token) return { status: response.status, said: 'the token server answered 200 without a token' }
    this.onSecret(token)
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS
    const issued = typeof body.issued_at === 'string' ? Date.parse(body.issued_at) : NaN
    const start = Number.isFinite(issued) && Math.abs(issued - this.now()) < 3600_000 ? issued : this.now()
    return { token, expiresAt: start + seconds * 1000 }
  }
}
