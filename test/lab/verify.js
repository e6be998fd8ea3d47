#!/usr/bin/env node
// End-to-end check of the lab itself (not of pullgate): starts a lab, checks with fetch/undici
// that the registries answer what tests will rely on, stops it, and checks that nothing is left.
//
//   PATH=node_modules/.bin:$PATH node test/lab/verify.js [--keep-going]
//
// Exit status 0 when every check passes. Prints one line per check and the start+seed timing.
import { spawn, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, fetch as undiciFetch } from 'undici'
import { startLab, stopLab, readLab, livePids } from './lab.js'
import { ACCEPT_ALL } from './seed.js'
import { basicAuth } from './http.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const keepGoing = process.argv.includes('--keep-going')
let failures = 0
let checks = 0

/** @param {string} name @param {boolean} ok @param {string} [detail] */
function check(name, ok, detail = '') {
  checks++
  if (ok) console.log(`  ok   ${name}`)
  else {
    failures++
    console.log(`  FAIL ${name}${detail ? `: ${detail}` : ''}`)
    if (!keepGoing) throw new Error(`check failed: ${name} ${detail}`)
  }
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms))

/** Parses `Bearer realm="…",service="…",scope="…",error="…"` (values may be empty). */
function parseChallenge(/** @type {string|null} */ h) {
  if (!h) return null
  const m = /^(\w+)\s+(.*)$/.exec(h.trim())
  if (!m) return null
  /** @type {Record<string,string>} */
  const params = {}
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1].toLowerCase()] = p[2]
  return { scheme: m[1].toLowerCase(), params }
}

async function main() {
  console.log('starting lab…')
  const t0 = performance.now()
  const lab = await startLab()
  const startMs = Math.round(performance.now() - t0)
  console.log(`lab up and seeded in ${startMs} ms (${JSON.stringify(lab.timings)}), state ${lab.stateDir}`)
  if (lab.notes.length) for (const n of lab.notes) console.log(`  note: ${n}`)
  const ca = fs.readFileSync(lab.tls.caFile)
  const tlsAgent = new Agent({ connect: { ca } })

  try {
    // readLab and idempotent startLab
    const again = await startLab({ stateDir: lab.stateDir })
    check('startLab on a running state dir returns the same lab', JSON.stringify(again.pids) === JSON.stringify(lab.pids))
    check('readLab(stateDir) matches', readLab(lab.stateDir).open.url === lab.open.url)

    const issuer = lab.token.issuer
    /** @param {string[]} scopes @param {[string,string]} [creds] */
    const token = async (scopes, creds) => {
      const u = new URL(issuer.realm)
      u.searchParams.set('service', lab.token.service)
      for (const s of scopes) u.searchParams.append('scope', s)
      const r = await fetch(u, { headers: creds ? { Authorization: basicAuth(...creds) } : {} })
      if (r.status !== 200) throw new Error(`token ${r.status}`)
      return /** @type {any} */ (await r.json()).token
    }

    // (a) every seeded tag resolves with the recorded digest and media type
    console.log('(a) seeded tags')
    const tokenCache = new Map()
    let resolved = 0
    for (const [key, img] of Object.entries(lab.images)) {
      const [reg, rest] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)]
      const repo = rest.slice(0, rest.lastIndexOf(':'))
      const tag = rest.slice(rest.lastIndexOf(':') + 1)
      /** @type {Record<string,string>} */
      const headers = { Accept: ACCEPT_ALL }
      if (reg === 'basic') headers.Authorization = basicAuth('alice', lab.basic.users.alice)
      if (reg === 'token') {
        if (!tokenCache.has(repo)) tokenCache.set(repo, await token([`repository:${repo}:pull`], ['alice', lab.token.users.alice]))
        headers.Authorization = `Bearer ${tokenCache.get(repo)}`
      }
      const ep = /** @type {any} */ (lab)[reg]
      const url = `${ep.url}/v2/${repo}/manifests/${tag}`
      const r = reg === 'tls' ? await undiciFetch(url, { method: 'HEAD', headers, dispatcher: tlsAgent }) : await fetch(url, { method: 'HEAD', headers })
      const ok =
        r.status === 200 &&
        r.headers.get('docker-content-digest') === img.digest &&
        (r.headers.get('content-type') ?? '').split(';')[0] === img.mediaType
      if (!ok) check(`HEAD ${key}`, false, `${r.status} ${r.headers.get('docker-content-digest')} ${r.headers.get('content-type')}`)
      else resolved++
    }
    check(`all ${Object.keys(lab.images).length} seeded references resolve by HEAD with digest and media type`, resolved === Object.keys(lab.images).length)
    const need = [
      'open/lab/hello:latest', 'open/lab/hello:v1.2', 'open/lab/hello:v2s2', 'open/lab/hello:oci', 'open/lab/hello:multi-oci',
      'open/lab/hello:arm64-only', 'open/lab/hello:zstd', 'open/lab/hello:attest', 'open/lab/hello:uncompressed-gzip',
      'open/lab/chart:0.1.0', 'open/lab/many:1.0.0', 'open/lab/many:1.0.24', 'open/lab/app:1.0.0', 'open/lab/app:1.1.0',
      'open/lab/app:2.0.0', 'open/lab/app:latest', 'basic/private/hello:latest', 'basic/private/hello:v2s2',
      'basic/private/hello:oci', 'token/public/hello:latest', 'token/public/hello:1.0', 'token/private/hello:latest',
      'token/private/hello:1.0', 'tls/lab/hello:latest', 'tls/lab/hello:oci'
    ]
    const missing = need.filter((k) => !lab.images[k])
    check('every reference of the brief is seeded', missing.length === 0, missing.join(', '))
    const s1 = lab.images['open/lab/hello:v2s1']
    check(
      'schema1 (v2s1) seeded as signed schema1, or skipped with a note',
      s1 ? s1.mediaType === 'application/vnd.docker.distribution.manifest.v1+prettyjws' : lab.notes.some((n) => n.includes('v2s1'))
    )
    const mt = (/** @type {string} */ k) => lab.images[k]?.mediaType
    check('media types: latest=Docker list, v2s2=Docker v2s2, oci=OCI manifest, multi-oci/attest=OCI index',
      mt('open/lab/hello:latest') === 'application/vnd.docker.distribution.manifest.list.v2+json' &&
      mt('open/lab/hello:v2s2') === 'application/vnd.docker.distribution.manifest.v2+json' &&
      mt('open/lab/hello:oci') === 'application/vnd.oci.image.manifest.v1+json' &&
      mt('open/lab/hello:multi-oci') === 'application/vnd.oci.image.index.v1+json' &&
      mt('open/lab/hello:attest') === 'application/vnd.oci.image.index.v1+json')
    const att = lab.images['open/lab/hello:attest']?.manifests ?? []
    check('attest index: amd64 image + unknown/unknown attestation pointing at it',
      att.length === 2 && att[1].annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' &&
      att[1].annotations?.['vnd.docker.reference.digest'] === att[0].digest &&
      /** @type {any} */ (att[1].platform)?.os === 'unknown')
    const plats = (lab.images['open/lab/hello:latest']?.manifests ?? []).map((m) => /** @type {any} */ (m.platform))
    check('Docker list children: linux/amd64 and linux/arm64/v8',
      plats.length === 2 && plats[0].architecture === 'amd64' && plats[1].architecture === 'arm64' && plats[1].variant === 'v8')
    // Layer bytes: zstd magic under the zstd label, gzip magic under the uncompressed label.
    /** @param {string} tag */
    const firstLayer = async (tag) => {
      const m = /** @type {any} */ (await (await fetch(`${lab.open.url}/v2/lab/hello/manifests/${tag}`, { headers: { Accept: ACCEPT_ALL } })).json())
      const b = await fetch(`${lab.open.url}/v2/lab/hello/blobs/${m.layers[0].digest}`, { headers: { Range: 'bytes=0-3' } })
      return { mediaType: m.layers[0].mediaType, magic: Buffer.from(await b.arrayBuffer()).subarray(0, 4).toString('hex') }
    }
    const z = await firstLayer('zstd')
    check('zstd layer: +zstd media type and zstd magic', z.mediaType.endsWith('+zstd') && z.magic === '28b52ffd', JSON.stringify(z))
    const g = await firstLayer('uncompressed-gzip')
    check('uncompressed-gzip: .tar media type over gzip bytes', g.mediaType === 'application/vnd.oci.image.layer.v1.tar' && g.magic.startsWith('1f8b'), JSON.stringify(g))
    const chart = /** @type {any} */ (await (await fetch(`${lab.open.url}/v2/lab/chart/manifests/0.1.0`, { headers: { Accept: ACCEPT_ALL } })).json())
    check('helm chart artifact media types',
      chart.config.mediaType === 'application/vnd.cncf.helm.config.v1+json' &&
      chart.layers[0].mediaType === 'application/vnd.cncf.helm.chart.content.v1.tar+gzip')
    const tags = /** @type {any} */ (await (await fetch(`${lab.open.url}/v2/lab/many/tags/list`)).json()).tags
    check('lab/many has 25 tags', tags.length === 25, String(tags.length))
    // Distribution negotiation quirk the resolver must handle (registry-observed.md §1).
    const noAccept = await fetch(`${lab.open.url}/v2/lab/hello/manifests/oci`, { method: 'GET' })
    check('OCI manifest without Accept: 404 MANIFEST_UNKNOWN (distribution 2.8 quirk)', noAccept.status === 404)

    // (b) basic auth
    console.log('(b) basic auth')
    const bUrl = `${lab.basic.url}/v2/private/hello/manifests/latest`
    const anonB = await fetch(bUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL } })
    const chB = parseChallenge(anonB.headers.get('www-authenticate'))
    check('anonymous: 401 with Basic realm', anonB.status === 401 && chB?.scheme === 'basic' && chB.params.realm === lab.basic.realm,
      `${anonB.status} ${anonB.headers.get('www-authenticate')}`)
    const aliceB = await fetch(bUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: basicAuth('alice', 'alicepass') } })
    check('alice: 200', aliceB.status === 200, String(aliceB.status))
    const bobB = await fetch(bUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: basicAuth('bob', 'bobpass') } })
    check('bob: 200 (htpasswd has no per-repo rights)', bobB.status === 200, String(bobB.status))
    const wrongB = await fetch(bUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: basicAuth('alice', 'nope') } })
    check('wrong password: 401', wrongB.status === 401, String(wrongB.status))
    const missB = await fetch(`${lab.basic.url}/v2/private/hello/manifests/nope`, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: basicAuth('alice', 'alicepass') } })
    check('alice, missing tag: 404', missB.status === 404, String(missB.status))

    // (c) token auth
    console.log('(c) token auth')
    const statsBefore = /** @type {any} */ (await (await fetch(`${issuer.url}/stats`)).json()).tokenRequests
    const pubUrl = `${lab.token.url}/v2/public/hello/manifests/latest`
    const privUrl = `${lab.token.url}/v2/private/hello/manifests/latest`
    const anonT = await fetch(pubUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL } })
    const chT = parseChallenge(anonT.headers.get('www-authenticate'))
    check('anonymous: 401 Bearer challenge with realm, service, scope',
      anonT.status === 401 && chT?.scheme === 'bearer' && chT.params.realm === issuer.realm &&
      chT.params.service === lab.token.service && chT.params.scope === 'repository:public/hello:pull',
      anonT.headers.get('www-authenticate') ?? '')
    const tPub = await token(['repository:public/hello:pull'])
    const withPub = await fetch(pubUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: `Bearer ${tPub}` } })
    check('anonymous token for public/hello: 200', withPub.status === 200, String(withPub.status))
    const tPriv = await token(['repository:private/hello:pull'])
    const claims = JSON.parse(Buffer.from(tPriv.split('.')[1], 'base64url').toString())
    const header = JSON.parse(Buffer.from(tPriv.split('.')[0], 'base64url').toString())
    check('anonymous token for private/hello: empty access, RS256 with x5c', claims.access.length === 0 && header.alg === 'RS256' && header.x5c?.length === 1)
    const anonPriv = await fetch(privUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: `Bearer ${tPriv}` } })
    check('… and the manifest HEAD is 401 insufficient_scope',
      anonPriv.status === 401 && parseChallenge(anonPriv.headers.get('www-authenticate'))?.params.error === 'insufficient_scope',
      `${anonPriv.status} ${anonPriv.headers.get('www-authenticate')}`)
    const tAlice = await token(['repository:private/hello:pull', 'repository:private/nope:pull'], ['alice', 'alicepass'])
    const alicePriv = await fetch(privUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: `Bearer ${tAlice}` } })
    check('alice: 200', alicePriv.status === 200, String(alicePriv.status))
    const aliceMissing = await fetch(`${lab.token.url}/v2/private/nope/manifests/latest`, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: `Bearer ${tAlice}` } })
    check('alice, missing repo (token covers it): 404', aliceMissing.status === 404, String(aliceMissing.status))
    const tBob = await token(['repository:private/hello:pull'], ['bob', 'bobpass'])
    const bobPriv = await fetch(privUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: `Bearer ${tBob}` } })
    check('bob: 401 insufficient_scope',
      bobPriv.status === 401 && parseChallenge(bobPriv.headers.get('www-authenticate'))?.params.error === 'insufficient_scope',
      `${bobPriv.status} ${bobPriv.headers.get('www-authenticate')}`)
    const tBobPub = await token(['repository:public/hello:pull'], ['bob', 'bobpass'])
    const bobPub = await fetch(pubUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: `Bearer ${tBobPub}` } })
    check('bob, public/hello: 200', bobPub.status === 200, String(bobPub.status))

    const realm = new URL(issuer.realm)
    const wrong = await fetch(`${realm}?service=${lab.token.service}&scope=repository:private/hello:pull`, { headers: { Authorization: basicAuth('alice', 'wrong') } })
    check('issuer, wrong password: 401 + WWW-Authenticate: Basic', wrong.status === 401 && /^basic /i.test(wrong.headers.get('www-authenticate') ?? ''), String(wrong.status))
    const noSvc = await fetch(`${realm}?scope=repository:public/hello:pull`)
    const badSvc = await fetch(`${realm}?service=other&scope=repository:public/hello:pull`)
    check('issuer, missing / unknown service: 400', noSvc.status === 400 && badSvc.status === 400, `${noSvc.status} ${badSvc.status}`)
    /** @param {Record<string,string>} form */
    const post = (form) => fetch(realm, { method: 'POST', body: new URLSearchParams(form) })
    const pw = await post({ grant_type: 'password', username: 'alice', password: 'alicepass', service: lab.token.service, scope: 'repository:private/hello:pull', client_id: 'verify', access_type: 'offline' })
    const pwBody = /** @type {any} */ (await pw.json())
    check('OAuth2 POST grant_type=password: 200 with refresh_token', pw.status === 200 && !!pwBody.access_token && pwBody.refresh_token === 'alice-refresh-token', String(pw.status))
    const rt = await post({ grant_type: 'refresh_token', refresh_token: 'alice-refresh-token', service: lab.token.service, scope: 'repository:private/hello:pull', client_id: 'verify' })
    const rtBody = /** @type {any} */ (await rt.json())
    const viaRt = await fetch(privUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: `Bearer ${rtBody.access_token}` } })
    check('OAuth2 POST grant_type=refresh_token (alice-refresh-token): 200, token works', rt.status === 200 && viaRt.status === 200, `${rt.status} ${viaRt.status}`)
    const badGrant = await post({ grant_type: 'client_credentials', service: lab.token.service })
    check('OAuth2 POST unsupported grant: 400', badGrant.status === 400, String(badGrant.status))

    const sh = await fetch(`${realm}?service=${lab.token.service}&scope=repository:private/hello:pull`, { headers: { Authorization: basicAuth('shorty', 'shortypass') } })
    const shBody = /** @type {any} */ (await sh.json())
    const shHead = () => fetch(privUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL, Authorization: `Bearer ${shBody.token}` } })
    const shFirst = await shHead()
    check('shorty: expires_in 1, token works at once', shBody.expires_in === 1 && shFirst.status === 200, `${shBody.expires_in} ${shFirst.status}`)
    await sleep(2200)
    const shLater = await shHead()
    check('shorty: same token rejected after 2.2 s (401 invalid_token)',
      shLater.status === 401 && parseChallenge(shLater.headers.get('www-authenticate'))?.params.error === 'invalid_token',
      `${shLater.status} ${shLater.headers.get('www-authenticate')}`)
    const stats = /** @type {any} */ (await (await fetch(`${issuer.url}/stats`)).json())
    // token(): 5 GETs; wrong/noSvc/badSvc: 3; POSTs: 3; shorty: 1 → 12 new requests.
    check('GET /stats counts token requests', stats.tokenRequests - statsBefore === 12, `${stats.tokenRequests - statsBefore}`)

    // (d) TLS
    console.log('(d) TLS')
    const tlsUrl = `${lab.tls.url}/v2/lab/hello/manifests/latest`
    const withCa = await undiciFetch(tlsUrl, { method: 'HEAD', headers: { Accept: ACCEPT_ALL }, dispatcher: tlsAgent })
    check('undici Agent with connect.ca: 200', withCa.status === 200, String(withCa.status))
    const viaEnv = execFileSync(process.execPath, ['-e', `fetch(${JSON.stringify(tlsUrl)}, { method: 'HEAD', headers: { Accept: ${JSON.stringify(ACCEPT_ALL)} } }).then(r => console.log(r.status), e => console.log('ERR', e.cause?.code ?? e.message))`], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: lab.tls.caFile },
      encoding: 'utf8'
    }).trim()
    check('NODE_EXTRA_CA_CERTS=<caFile>: 200', viaEnv === '200', viaEnv)
    let noCaErr = ''
    try {
      await fetch(tlsUrl, { method: 'HEAD' })
      noCaErr = 'no error'
    } catch (e) {
      noCaErr = /** @type {any} */ (e).cause?.code ?? String(e)
    }
    check('without the CA: certificate error', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|CERT/.test(noCaErr), noCaErr)
    const viaLocalhost = await undiciFetch(tlsUrl.replace('127.0.0.1', 'localhost'), { method: 'HEAD', headers: { Accept: ACCEPT_ALL }, dispatcher: tlsAgent }).then(
      (r) => String(r.status),
      (e) => String(e.cause?.code ?? e)
    )
    check('certificate also valid for DNS:localhost', viaLocalhost === '200', viaLocalhost)

    // (e) listeners
    console.log('(e) listeners')
    const ss = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' })
    const ours = new Set(lab.pids)
    /** @type {Map<number, string[]>} */
    const byPid = new Map()
    for (const line of ss.split('\n')) {
      const local = line.trim().split(/\s+/)[3]
      for (const m of line.matchAll(/pid=(\d+)/g)) {
        const pid = Number(m[1])
        if (ours.has(pid)) byPid.set(pid, [...(byPid.get(pid) ?? []), local])
      }
    }
    const all = [...byPid.values()].flat()
    check(`every lab process listens (${byPid.size}/${lab.pids.length})`, byPid.size === lab.pids.length)
    check(`only 127.0.0.1 listeners: ${all.join(' ')}`, all.length > 0 && all.every((a) => a.startsWith('127.0.0.1:')))
    const expectPorts = [lab.open, lab.basic, lab.token, lab.tls, issuer].map((e) => e.host)
    check('the listeners are exactly the lab endpoints', expectPorts.every((h) => all.includes(h)) && all.length === expectPorts.length, all.join(' '))
  } finally {
    await tlsAgent.close()
    const pids = lab.pids
    await stopLab(lab)
    console.log('(f) cleanup')
    const alive = pids.filter((p) => fs.existsSync(`/proc/${p}`) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').length > 0)
    check('stopLab: no lab process remains', alive.length === 0, alive.join(','))
    check('stopLab: state dir removed', !fs.existsSync(lab.stateDir))
  }

  // (f) processes die with their parent: normal exit without stopLab, and SIGKILL (watchdog).
  for (const how of ['exit', 'SIGKILL']) {
    const child = spawn(process.execPath, [path.join(HERE, 'verify.js'), '--child-lab'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    while (!out.includes('\n')) await sleep(50)
    const stateDir = out.trim()
    const before = livePids(stateDir)
    // SIGUSR2 makes the child call process.exit() without stopLab (see childLab below).
    child.kill(how === 'SIGKILL' ? 'SIGKILL' : 'SIGUSR2')
    await new Promise((r) => child.once('exit', r))
    const deadline = Date.now() + 4000
    while (livePids(stateDir).length && Date.now() < deadline) await sleep(100)
    const left = livePids(stateDir)
    check(`parent ${how === 'exit' ? 'exits without stopLab' : 'is SIGKILLed'}: its ${before.length} lab processes are gone`, before.length === 5 && left.length === 0, `before ${before.length}, left ${left.join(',')}`)
    check(`… and its temp state dir is removed`, !fs.existsSync(stateDir))
    for (const p of left) process.kill(p, 'SIGKILL')
  }

  console.log(`\n${checks - failures}/${checks} checks passed; lab start+seed ${startMs} ms`)
  if (failures) process.exitCode = 1
}

/** Child mode for (f): start an unseeded lab, print its state dir, exit on SIGUSR2 without stopLab. */
async function childLab() {
  const lab = await startLab({ seed: false })
  process.on('SIGUSR2', () => process.exit(0))
  process.stdout.write(lab.stateDir + '\n')
  setInterval(() => {}, 1000)
}

if (process.argv.includes('--child-lab')) await childLab()
else
  await main().catch(async (err) => {
    console.error(err)
    process.exitCode = 1
  })
