// Minimal HTTP(S) client used by the lab itself (readiness checks, seeding through the registry
// API, digest collection). It uses node:http/node:https rather than fetch so that the lab CA can be
// passed per request without touching global dispatchers that the code under test may configure.
import http from 'node:http'
import https from 'node:https'

/**
 * @typedef {{ status: number, headers: import('node:http').IncomingHttpHeaders, body: Buffer }} LabResponse
 */

/**
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: Buffer|string, ca?: string|Buffer, timeoutMs?: number }} [opts]
 * @returns {Promise<LabResponse>}
 */
export function request(url, opts = {}) {
  const u = new URL(url)
  const mod = u.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ca: opts.ca,
        // A fresh connection per request: the lab is tiny and keep-alive sockets would otherwise keep
        // short scripts alive until the agent's timeout.
        agent: false,
        timeout: opts.timeoutMs ?? 15000
      },
      (res) => {
        const chunks = /** @type {Buffer[]} */ ([])
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      }
    )
    req.on('timeout', () => req.destroy(new Error(`timeout: ${opts.method ?? 'GET'} ${url}`)))
    req.on('error', reject)
    if (opts.body !== undefined) req.end(opts.body)
    else req.end()
  })
}

/** @param {string} user @param {string} password */
export const basicAuth = (user, password) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')

/**
 * Bearer token from the lab issuer (GET flow, what docker/containerd do anonymously).
 * @param {{ realm: string, service: string }} issuer
 * @param {string[]} scopes
 * @param {{ user: string, password: string }} [creds]
 */
export async function fetchToken(issuer, scopes, creds) {
  const u = new URL(issuer.realm)
  u.searchParams.set('service', issuer.service)
  for (const s of scopes) u.searchParams.append('scope', s)
  const res = await request(u.href, { headers: creds ? { Authorization: basicAuth(creds.user, creds.password) } : {} })
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.body}`)
  return /** @type {string} */ (JSON.parse(res.body.toString('utf8')).token)
}
