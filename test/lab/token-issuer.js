#!/usr/bin/env node
// Token issuer for the lab's `auth: token` registry, following the Docker registry token spec
// (distribution docs/spec/auth/token.md, jwt.md, oauth.md, scope.md). It runs as its own detached
// Node process (started by lab.js) so that it outlives the jest worker or script that asked for
// the lab, exactly like the registries.
//
//   node test/lab/token-issuer.js <stateDir>/issuer/issuer.json
//
// issuer.json (written by lab.js):
//   { host: '127.0.0.1', portFile, service, issuer, keyFile, certFile, users: {name: password},
//     shortLivedUsers: {name: seconds}, leewaySeconds, watchPid?, pidsFile?, removeOnOrphan? }
//
// Endpoints
//   GET  /token?service=&scope=&scope=…[&offline_token=true][&lab_ttl=N]   (Basic auth optional)
//   POST /token  (form: grant_type=password|refresh_token, username, password, refresh_token,
//                 service, scope (space separated), client_id, access_type=offline)
//   GET  /stats          -> { tokenRequests, requests: [last 200 {method, user, service, scopes, status, ttl}] }
//   POST /stats/reset    -> resets the counters (tests should rather diff, other workers share it)
//   GET  /healthz        -> ok
//
// Policy (what a scope is intersected with):
//   anonymous        pull on repositories under public/
//   alice            pull, push, delete (*) on every repository, registry:catalog:*
//   bob              pull on public/ only (authenticated, but no access to private/)
//   shorty           like alice, but tokens live `shortLivedUsers.shorty` seconds (1 by default)
// Anything not granted is silently dropped (an empty `access` list is still a 200), as Docker Hub
// and the spec do; a wrong password is a 401 with `WWW-Authenticate: Basic`.
import http from 'node:http'
import crypto from 'node:crypto'
import fs from 'node:fs'

const configPath = process.argv[2]
if (!configPath) {
  console.error('usage: token-issuer.js <issuer.json>')
  process.exit(2)
}
/** @type {{host: string, port?: number, portFile: string, service: string, issuer: string, keyFile: string, certFile: string,
 *   users: Record<string,string>, shortLivedUsers: Record<string, number>, leewaySeconds: number, defaultTtl?: number,
 *   watchPid?: number, pidsFile?: string, stateDir?: string, removeOnOrphan?: boolean}} */
const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'))
const privateKey = crypto.createPrivateKey(fs.readFileSync(cfg.keyFile))
// x5c carries the DER of our (self-signed) certificate; the registry verifies it against
// `rootcertbundle`, which holds the same certificate.
const certDer = new crypto.X509Certificate(fs.readFileSync(cfg.certFile)).raw.toString('base64')
const DEFAULT_TTL = cfg.defaultTtl ?? 300
const LEEWAY = cfg.leewaySeconds ?? 0

/** Refresh tokens handed out for `offline_token=true` / `access_type=offline`; fixed so tests can use them. */
const refreshTokens = Object.fromEntries(Object.keys(cfg.users).map((u) => [`${u}-refresh-token`, u]))

/** @type {{ tokenRequests: number, requests: object[] }} */
const stats = { tokenRequests: 0, requests: [] }

/** @param {string} s */
const b64url = (s) => Buffer.from(s).toString('base64url')

/**
 * Parses `type:name:actions` (name may contain ':' for a port-qualified name? not in distribution
 * scopes, but `registry:catalog:*` and `repository(plugin):x:pull` exist).
 * @param {string} scope
 */
function parseScope(scope) {
  const first = scope.indexOf(':')
  const last = scope.lastIndexOf(':')
  if (first < 0 || first === last) return null
  const typeWithClass = scope.slice(0, first)
  const type = typeWithClass.replace(/\(.*\)$/, '')
  return { type, name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) }
}

/**
 * What `user` may do on a resource; the token gets the intersection with what was asked.
 * @param {string} user  '' for anonymous
 * @param {{type: string, name: string}} res
 * @returns {string[]}
 */
function allowed(user, res) {
  const everything = ['pull', 'push', 'delete', '*']
  if (res.type === 'registry') return (user === 'alice' || user === 'shorty') && res.name === 'catalog' ? ['*'] : []
  if (res.type !== 'repository') return []
  const isPublic = res.name.startsWith('public/')
  if (user === 'alice' || user === 'shorty') return everything
  if (user === 'bob') return isPublic ? ['pull'] : []
  if (user === '') return isPublic ? ['pull'] : []
  return []
}

/**
 * @param {string} user
 * @param {string[]} scopes
 */
function grant(user, scopes) {
  /** @type {{type: string, name: string, actions: string[]}[]} */
  const access = []
  for (const s of scopes) {
    const res = s && parseScope(s)
    if (!res) continue
    const ok = allowed(user, res)
    const actions = res.actions.filter((a) => ok.includes(a))
    if (actions.length === 0) continue
    const existing = access.find((a) => a.type === res.type && a.name === res.name)
    if (existing) existing.actions = [...new Set([...existing.actions, ...actions])]
    else access.push({ type: res.type, name: res.name, actions })
  }
  return access
}

/**
 * @param {string} user
 * @param {ReturnType<typeof grant>} access
 * @param {number} ttl seconds the client is told (`expires_in`)
 */
function sign(user, access, ttl) {
  const now = Math.floor(Date.now() / 1000)
  // distribution 2.8 accepts a token until exp + 60 s (its clock-skew leeway). To make a
  // short-lived token really stop working, exp is moved back by that leeway, plus one second so
  // that a token issued at x.99 s is not already dead: the registry then accepts it for between
  // ttl and ttl + 1 seconds (1-2 s for shorty), while the client is told expires_in = ttl.
  const short = ttl < LEEWAY + 5
  const exp = short ? now + ttl + 1 - LEEWAY : now + ttl
  const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] }
  const claims = {
    iss: cfg.issuer,
    sub: user,
    aud: cfg.service,
    iat: now,
    nbf: now - 10,
    exp,
    jti: crypto.randomUUID(),
    access
  }
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const sig = crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')
  return { token: `${input}.${sig}`, issuedAt: new Date(now * 1000).toISOString() }
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string,string>} [headers]
 */
function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(JSON.stringify(body) + '\n')
}

/** @param {string|undefined} header */
function basicCreds(header) {
  if (!header || !/^basic /i.test(header)) return null
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const i = decoded.indexOf(':')
  if (i < 0) return null
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) }
}

/** @param {string} user @param {string} password */
const checkPassword = (user, password) =>
  Object.hasOwn(cfg.users, user) && cfg.users[user] === password

/**
 * Issues the token response shared by GET and POST.
 * @param {http.ServerResponse} res
 * @param {{method: string, user: string, service: string, scopes: string[], offline: boolean, ttlParam?: string|null, oauth: boolean}} r
 */
function issue(res, r) {
  let ttl = DEFAULT_TTL
  if (Object.hasOwn(cfg.shortLivedUsers ?? {}, r.user)) ttl = cfg.shortLivedUsers[r.user]
  if (r.ttlParam && /^\d+$/.test(r.ttlParam)) ttl = Math.max(1, Number(r.ttlParam))
  const access = grant(r.user, r.scopes)
  const { token, issuedAt } = sign(r.user, access, ttl)
  /** @type {Record<string, unknown>} */
  const body = { token, access_token: token, expires_in: ttl, issued_at: issuedAt }
  if (r.offline && r.user) body.refresh_token = `${r.user}-refresh-token`
  if (r.oauth) body.scope = r.scopes.join(' ')
  record({ method: r.method, user: r.user, service: r.service, scopes: r.scopes, status: 200, ttl, granted: access })
  send(res, 200, body)
}

/** @param {object} entry */
function record(entry) {
  stats.requests.push({ at: new Date().toISOString(), ...entry })
  if (stats.requests.length > 200) stats.requests.shift()
}

/** @param {http.IncomingMessage} req */
async function readBody(req) {
  const chunks = []
  for await (const c of req) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://issuer')
    if (url.pathname === '/healthz') return send(res, 200, { ok: true })
    if (url.pathname === '/stats' && req.method === 'GET') return send(res, 200, stats)
    if (url.pathname === '/stats/reset' && req.method === 'POST') {
      stats.tokenRequests = 0
      stats.requests = []
      return send(res, 200, stats)
    }
    if (url.pathname !== '/token') return send(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] })
    stats.tokenRequests++

    if (req.method === 'GET') {
      const service = url.searchParams.get('service') ?? ''
      const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean)
      const creds = basicCreds(req.headers.authorization)
      if (creds && !checkPassword(creds.user, creds.password)) {
        record({ method: 'GET', user: creds.user, service, scopes, status: 401 })
        return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }, {
          'WWW-Authenticate': 'Basic realm="pullgate-lab token issuer"'
        })
      }
      if (service !== cfg.service) {
        record({ method: 'GET', user: creds?.user ?? '', service, scopes, status: 400 })
        return send(res, 400, { errors: [{ code: 'INVALID_REQUEST', message: `unknown or missing service "${service}"` }] })
      }
      return issue(res, {
        method: 'GET',
        user: creds?.user ?? '',
        service,
        scopes,
        offline: url.searchParams.get('offline_token') === 'true',
        ttlParam: url.searchParams.get('lab_ttl'),
        oauth: false
      })
    }

    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req))
      const service = form.get('service') ?? ''
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean)
      const grantType = form.get('grant_type')
      let user = ''
      if (grantType === 'password') {
        user = form.get('username') ?? ''
        if (!checkPassword(user, form.get('password') ?? '')) {
          record({ method: 'POST', user, service, scopes, status: 401, grantType })
          return send(res, 401, { error: 'invalid_grant', error_description: 'invalid username or password' }, {
            'WWW-Authenticate': 'Basic realm="pullgate-lab token issuer"'
          })
        }
      } else if (grantType === 'refresh_token') {
        const rt = form.get('refresh_token') ?? ''
        if (!Object.hasOwn(refreshTokens, rt)) {
          record({ method: 'POST', user: '', service, scopes, status: 400, grantType })
          return send(res, 400, { error: 'invalid_grant', error_description: 'unknown refresh token' })
        }
        user = refreshTokens[rt]
      } else {
        record({ method: 'POST', user: '', service, scopes, status: 400, grantType })
        return send(res, 400, { error: 'unsupported_grant_type', error_description: `grant_type ${grantType ?? '(missing)'}` })
      }
      if (service !== cfg.service) {
        record({ method: 'POST', user, service, scopes, status: 400, grantType })
        return send(res, 400, { error: 'invalid_request', error_description: `unknown or missing service "${service}"` })
      }
      return issue(res, {
        method: 'POST',
        user,
        service,
        scopes,
        offline: form.get('access_type') === 'offline',
        ttlParam: form.get('lab_ttl') ?? url.searchParams.get('lab_ttl'),
        oauth: true
      })
    }
    send(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'method not allowed' }] }, { Allow: 'GET, POST' })
  } catch (err) {
    send(res, 500, { errors: [{ code: 'UNKNOWN', message: String(err) }] })
  }
})

server.listen(cfg.port ?? 0, cfg.host, () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address())
  // Written atomically: lab.js polls for this file to learn the port (listening on port 0 avoids
  // any race with other processes picking ports).
  fs.writeFileSync(cfg.portFile + '.tmp', String(addr.port))
  fs.renameSync(cfg.portFile + '.tmp', cfg.portFile)
})

for (const sig of /** @type {const} */ (['SIGTERM', 'SIGINT', 'SIGHUP'])) {
  process.on(sig, () => {
    server.close()
    process.exit(0)
  })
}

// Orphan watchdog: when the process that started the lab (e.g. the jest parent) dies without
// stopping it (SIGKILL, crash), kill the lab's registries and ourselves, so that a failed test run
// never leaves processes behind. Only pids whose command line mentions the state dir are killed.
if (cfg.watchPid && cfg.pidsFile) {
  const timer = setInterval(() => {
    try {
      process.kill(/** @type {number} */ (cfg.watchPid), 0)
      return
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM') return
    }
    clearInterval(timer)
    try {
      const pids = JSON.parse(fs.readFileSync(/** @type {string} */ (cfg.pidsFile), 'utf8'))
      for (const pid of pids) {
        if (pid === process.pid) continue
        try {
          const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          if (cfg.stateDir && cmd.includes(cfg.stateDir + '/')) process.kill(pid, 'SIGKILL')
        } catch {}
      }
    } catch {}
    if (cfg.removeOnOrphan && cfg.stateDir) {
      try {
        fs.rmSync(cfg.stateDir, { recursive: true, force: true })
      } catch {}
    }
    process.exit(0)
  }, 1000)
}
