import tls from 'node:tls'
import { EnvHttpProxyAgent, type Dispatcher } from 'undici'
import { classifyNetworkError, TransportError } from './errors.js'
import { guardedLookup, isForbiddenAddress } from './guard.js'
import { OriginGate } from './origin-gate.js'

/** One HTTP exchange as the registry code needs it: bounded, with the body read into memory. */
export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST'
  readonly url: URL
  readonly headers?: Readonly<Record<string, string>>
  /** sent only to `url`'s own origin: dropped when a redirect leaves it */
  readonly authorization?: string
  readonly body?: string
  /** a larger body is refused (TransportError 'too-large') */
  readonly maxBodyBytes: number
  /** overrides the transport's retry count (a scheme probe should not wait on retries) */
  readonly retries?: number
  /** keep only the first N bytes of the body and stop reading (a registry may ignore Range) */
  readonly readAtMost?: number
}

export interface HttpResponse {
  readonly status: number
  /** lowercase names; repeated headers joined with ", " except `www-authenticate`, kept whole in `challenges` */
  readonly headers: Readonly<Record<string, string>>
  readonly challenges: readonly string[]
  readonly body: Buffer
  /** where the answer came from, after redirects */
  readonly url: URL
}

export interface TransportOptions {
  /** connect + response headers + body, per attempt */
  readonly timeoutMs: number
  /** extra attempts after a reset, a timeout, a 5xx or a 429 */
  readonly retries: number
  /** a 429 asking to wait longer than this is not waited for */
  readonly maxRetryAfterMs: number
  readonly connectionsPerOrigin: number
  /** stops every request (the run's deadline) */
  readonly signal?: AbortSignal
  /** injectable for tests of backoff */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly onRetry?: (message: string) => void
}

const DEFAULT_TRANSPORT: TransportOptions = {
  timeoutMs: 20_000,
  retries: 3,
  maxRetryAfterMs: 15_000,
  connectionsPerOrigin: 8
}

const MAX_REDIRECTS = 5
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504])

/**
 * HTTP for registries: keep-alive pools per origin, the system CAs plus Node's bundled ones and
 * NODE_EXTRA_CA_CERTS, HTTP(S)_PROXY / NO_PROXY honoured, bounded time and size, retries with
 * backoff (honouring Retry-After), requests in flight per origin tuned by its 429s (OriginGate),
 * and redirects followed by hand so that an Authorization header never reaches another host.
 */
export class Transport {
  private readonly dispatcher: Dispatcher
  private readonly options: TransportOptions
  /** per origin: how many requests it gets at once, tuned by its 429s */
  private readonly gates = new Map<string, OriginGate>()

  constructor(options: Partial<TransportOptions> = {}) {
    this.options = { ...DEFAULT_TRANSPORT, ...options }
    const ca = trustedCertificates()
    const tlsOptions = { ...(ca ? { ca } : {}), timeout: this.options.timeoutMs, lookup: guardedLookup }
    this.dispatcher = new EnvHttpProxyAgent({
      connections: this.options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
      connect: tlsOptions,
      requestTls: tlsOptions,
      // plain-HTTP registries go through the proxy as ordinary forwarded requests, as curl and
      // Docker send them (many proxies allow CONNECT to port 443 only); HTTPS is tunnelled
      proxyTunnel: false
    })
  }

  /** Sends a request, retrying what is worth retrying; throws TransportError when no HTTP answer came. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const retries = request.retries ?? this.options.retries
    for (let attempt = 0; ; attempt++) {
      let wait: number
      try {
        const response = await this.attempt(request)
        if (!RETRY_STATUSES.has(response.status) || attempt >= retries) return response
        wait = retryDelay(response, attempt)
        if (wait > this.options.maxRetryAfterMs) return response
        this.options.onRetry?.(`${request.method} ${request.url.host}${request.url.pathname}: HTTP ${response.status}, retrying in ${wait} ms`)
      } catch (error) {
        if (this.options.signal?.aborted) {
          throw new TransportError('timeout', `${request.url.host} had not answered when the run's deadline (timeout-seconds) passed`)
        }
        const failure = classifyNetworkError(error, request.url.host)
        const transient = failure.failure === 'reset' || failure.failure === 'timeout'
        if (!transient || attempt >= retries || this.options.signal?.aborted) throw failure
        wait = backoff(attempt)
        this.options.onRetry?.(`${request.method} ${request.url.host}${request.url.pathname}: ${failure.message}, retrying in ${wait} ms`)
      }
      // the wait holds no slot of the origin: others may use it meanwhile
      await this.sleep(wait)
    }
  }

  /** One attempt (redirects included), holding one of its origin's slots while it runs. */
  private async attempt(request: HttpRequest): Promise<HttpResponse> {
    const origin = request.url.origin
    let gate = this.gates.get(origin)
    if (!gate) this.gates.set(origin, (gate = new OriginGate(this.options.connectionsPerOrigin)))
    const ticket = await gate.enter()
    let throttled = false
    try {
      const response = await this.followRedirects(request)
      throttled = response.status === 429 && !quotaSpent(response)
      return response
    } finally {
      gate.leave(ticket, throttled)
    }
  }

  /** Closes the pools; after the deadline, destroys them instead of waiting for hung connections. */
  async close(): Promise<void> {
    if (this.options.signal?.aborted) await this.dispatcher.destroy()
    else await this.dispatcher.close()
  }

  private async followRedirects(request: HttpRequest): Promise<HttpResponse> {
    let url = request.url
    let authorization = request.authorization
    for (let hop = 0; ; hop++) {
      const response = await this.once({ ...request, url, authorization })
      if (![301, 302, 303, 307, 308].includes(response.status) || !response.headers.location) return response
      if (hop >= MAX_REDIRECTS) throw new TransportError('redirect', `${request.url.host} redirected more than ${MAX_REDIRECTS} times`)
      const next = new URL(response.headers.location, url)
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new TransportError('redirect', `${url.host} redirected to an unsupported URL scheme (${next.protocol})`)
      }
      // credentials belong to the registry: a redirect to storage on another host must not carry them
      if (next.origin !== url.origin) authorization = undefined
      url = next
    }
  }

  private async once(request: HttpRequest): Promise<HttpResponse> {
    // an address written as a literal IP never goes through lookup: check it here
    const literal = request.url.hostname.replace(/^\[|\]$/g, '')
    if (isForbiddenAddress(literal)) {
      throw new TransportError('refused-address', `${literal} is a link-local or cloud metadata address; pullgate never contacts it`)
    }
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...request.headers }
    if (request.authorization) headers.authorization = request.authorization
    // one controller per attempt, its timer cleared when the attempt ends: an AbortSignal.timeout
    // would keep each request's handlers (and bodies) reachable until it fired, long after the answer
    const abort = new AbortController()
    const limit = this.options.timeoutMs * 2
    const timer = setTimeout(() => abort.abort(new TransportError('timeout', `${request.url.host} had not completed its answer after ${limit / 1000} s`)), limit)
    const onDeadline = () => abort.abort(this.options.signal?.reason)
    this.options.signal?.addEventListener('abort', onDeadline, { once: true })
    try {
      return await this.exchange(request, headers, abort.signal)
    } finally {
      clearTimeout(timer)
      this.options.signal?.removeEventListener('abort', onDeadline)
    }
  }

  private async exchange(request: HttpRequest, headers: Record<string, string>, signal: AbortSignal): Promise<HttpResponse> {
    if (this.options.signal?.aborted) throw new Error('deadline passed')
    const pending = this.dispatcher.request({
      origin: request.url.origin,
      path: `${request.url.pathname}${request.url.search}`,
      method: request.method,
      headers,
      body: request.body,
      signal,
      // undici closes the connection after every HEAD (for servers that wrongly send a body with
      // it), which costs a TCP handshake per manifest check; registries answer HEAD correctly. A
      // server that did not would fail the next request on that connection, which is retried.
      reset: request.method === 'HEAD' ? false : undefined
    })
    // a TLS handshake that never ends does not see the request's signal: the deadline must still hold
    const response = await (this.options.signal ? raceAbort(pending, this.options.signal) : pending)
    const declared = Number(response.headers['content-length'])
    // destroying the body aborts the request; its abort error is expected, not a crash
    response.body.on('error', () => {})
    if (Number.isFinite(declared) && declared > request.maxBodyBytes && request.method !== 'HEAD') {
      response.body.destroy()
      throw new TransportError('too-large', `${request.url.host} sent ${declared} bytes, over the ${request.maxBodyBytes}-byte limit`)
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length
      if (request.readAtMost !== undefined && size >= request.readAtMost) {
        chunks.push(chunk as Buffer)
        response.body.destroy()
        break
      }
      if (size > request.maxBodyBytes) {
        response.body.destroy()
        throw new TransportError('too-large', `${request.url.host} sent more than ${request.maxBodyBytes} bytes`)
      }
      chunks.push(chunk as Buffer)
    }
    const flat: Record<string, string> = {}
    let challenges: string[] = []
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue
      const values = Array.isArray(value) ? value : [value]
      if (name === 'www-authenticate') challenges = values
      flat[name] = values.join(', ')
    }
    const body = Buffer.concat(chunks)
    return {
      status: response.statusCode,
      headers: flat,
      challenges,
      body: request.readAtMost !== undefined ? body.subarray(0, request.readAtMost) : body,
      url: request.url
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.options.sleep) return this.options.sleep(ms, this.options.signal)
    const signal = this.options.signal
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
    })
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.reject(new Error('deadline passed'))
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then((r) => (r as { body?: { destroy?: () => void } } | undefined)?.body?.destroy?.(), () => {})
      reject(new Error('deadline passed'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      }
    )
  })
}

const USER_AGENT = 'pullgate (+https://github.com/pullgate/pullgate)'

function backoff(attempt: number): number {
  return 250 * 2 ** attempt
}

/** A 429 that says the quota of a time window is used up (Docker Hub: `ratelimit-remaining: 0;w=21600`), not that requests come too fast. */
function quotaSpent(response: HttpResponse): boolean {
  return /^\s*0\s*(;|$)/.test(response.headers['ratelimit-remaining'] ?? response.headers['x-ratelimit-remaining'] ?? '')
}

/** Retry-After (seconds or an HTTP date) when the registry sends it, else exponential backoff. */
function retryDelay(response: HttpResponse, attempt: number): number {
  const header = response.headers['retry-after']
  if (header !== undefined) {
    const seconds = Number(header)
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000)
    const date = Date.parse(header)
    if (Number.isFinite(date)) return Math.max(0, date - Date.now())
  }
  return backoff(attempt)
}

let cachedCertificates: string[] | undefined

/**
 * Node's bundled CAs and NODE_EXTRA_CA_CERTS ('default') plus the operating system's store
 * ('system'). Before Node 22.15 there is no way to list them: undefined keeps Node's defaults
 * (bundled + NODE_EXTRA_CA_CERTS), which is what those versions trust anyway.
 */
function trustedCertificates(): string[] | undefined {
  if (typeof tls.getCACertificates !== 'function') return undefined
  if (!cachedCertificates) {
    const all = new Set<string>(tls.getCACertificates('default'))
    try {
      for (const cert of tls.getCACertificates('system')) all.add(cert)
    } catch {
      // no readable system store: the bundled CAs still apply
    }
    cachedCertificates = [...all]
  }
  return cachedCertificates
}
