import { isCertificateProblem, TransportError } from './errors.js'
import type { Transport } from './transport.js'
import { hostMatches } from './guard.js'

/** Where a registry's API answers, and what it said when first asked. */
export interface Endpoint {
  /** the registry as written in references (`docker.io`, `ghcr.io`, `127.0.0.1:5000`) */
  readonly host: string
  /** scheme and API host (`https://registry-1.docker.io`) */
  readonly base: URL
  /** the `WWW-Authenticate` values of `GET /v2/` (empty when it needs no authentication) */
  readonly challenges: readonly string[]
}

/** A registry that gave no HTTP answer: the cause, said once for every image on it. */
export interface UnreachableEndpoint {
  readonly host: string
  readonly error: TransportError
}

/** containerd and Docker send Docker Hub's API traffic to this host. */
const API_HOSTS: Readonly<Record<string, string>> = { 'docker.io': 'registry-1.docker.io' }

/** True for localhost and the loopback ranges, which Docker treats as insecure registries. */
function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase()
  return name === 'localhost' || name.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1'
}

/**
 * Finds how to talk to each registry, once per run: HTTPS, or plain HTTP for hosts in
 * `insecure-registries` and — as Docker does — for loopback hosts whose HTTPS fails. A TLS port
 * that answers the plain-HTTP retry with something that is not a registry (Go answers
 * "400 Client sent an HTTP request to an HTTPS server") does not hide the TLS error.
 */
export class Endpoints {
  private readonly cache = new Map<string, Promise<Endpoint | UnreachableEndpoint>>()

  constructor(
    private readonly transport: Transport,
    private readonly insecureHosts: readonly string[],
    /** host globs the gate may contact (`allowed-registries`); empty: any */
    private readonly allowed: readonly string[] = []
  ) {}

  resolve(host: string): Promise<Endpoint | UnreachableEndpoint> {
    let found = this.cache.get(host)
    if (!found) {
      found = this.discover(host)
      this.cache.set(host, found)
    }
    return found
  }

  private async discover(host: string): Promise<Endpoint | UnreachableEndpoint> {
    if (this.allowed.length > 0 && !this.allowed.some((glob) => hostMatches(glob, host))) {
      return { host, error: new TransportError('refused-address', `${host} is not in allowed-registries, so pullgate did not contact it`) }
    }
    const apiHost = API_HOSTS[host] ?? host
    if (this.insecureHosts.includes(host)) return this.ping(host, new URL(`http://${apiHost}`))
    const loopback = isLoopback(host)
    // on loopback, HTTPS failing is the usual sign of a plain-HTTP registry: do not wait on retries
    const secure = await this.ping(host, new URL(`https://${apiHost}`), loopback ? 0 : undefined)
    if ('base' in secure || !loopback) return secure
    const plain = await this.ping(host, new URL(`http://${apiHost}`))
    if ('base' in plain) return plain
    return secure
  }

  private async ping(host: string, base: URL, retries?: number): Promise<Endpoint | UnreachableEndpoint> {
    try {
      const response = await this.transport.request({ method: 'GET', url: new URL('/v2/', base), maxBodyBytes: 64 * 1024, retries })
      // over plain HTTP, only a registry's own answer proves this is the right scheme
      if (base.protocol === 'http:' && response.status !== 200 && response.status !== 401) {
        return { host, error: new TransportError('connect', `${host} does not answer as a registry over plain HTTP (HTTP ${response.status})`) }
      }
      return { host, base, challenges: response.status === 401 ? response.challenges : [] }
    } catch (error) {
      const failure = error instanceof TransportError ? error : new TransportError('connect', String(error))
      if (failure.failure === 'tls' && isCertificateProblem(failure)) {
        return {
          host,
          error: new TransportError(
            'tls',
            `${failure.message}. The registry's certificate is not trusted here: add its CA to the runner's system store or NODE_EXTRA_CA_CERTS`,
            failure.code
          )
        }
      }
      return { host, error: failure }
    }
  }
}
