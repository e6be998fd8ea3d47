// Real-registry test lab for pullgate.
//
// Starts real CNCF distribution 2.8 registries (Debian's `docker-registry`, installed by
// scripts/lab/install.sh) on free 127.0.0.1 ports, plus a small token issuer (token-issuer.js), and
// seeds them with tiny deterministic images (seed.js), so that tests can exercise pullgate against
// what a registry really answers (content negotiation, auth challenges, schema1, indexes, …) with
// no network beyond loopback. What these registries answer is recorded in
// /work/shared/docs/registry-observed.md.
//
//   open   HTTP, anonymous read/write, schema1 pushes enabled
//   basic  HTTP, htpasswd (bcrypt): alice/alicepass, bob/bobpass
//   token  HTTP, `auth: token` against the issuer: anonymous pulls public/*, alice everything,
//          bob public/* only, shorty like alice with 1-second tokens
//   tls    HTTPS with a lab CA made at start (SAN IP:127.0.0.1, DNS:localhost), anonymous
//
// Usage
//   import { startLab, stopLab, readLab } from '../lab/lab.js'
//   const lab = await startLab()            // fresh temp state dir, seeded, ~1-2 s
//   … lab.open.url, lab.images['open/lab/hello:latest'].digest …
//   await stopLab(lab)
// From jest: test/lab/jest-global-setup.js / jest-global-teardown.js start one lab per run and put
// its state dir in PULLGATE_LAB_STATE; tests in workers call readLab().
// By hand: `node test/lab/cli.js start --state /tmp/lab` / `stop --state /tmp/lab`.
//
// Every process is started detached (its own process group, so a terminal ^C reaches only us and
// we decide what to kill) with its pid recorded in <stateDir>/pids.json; the state dir appears in
// every child's command line, which is how we recognise our own processes before signalling a pid.
// Unless `killOnExit: false` (the CLI), the starting process kills the lab when it exits or gets
// SIGINT/SIGTERM/SIGHUP, and the token issuer watches the starting process and kills the lab if it
// disappears without cleaning up (SIGKILL, OOM), so a failed test run never leaves registries behind.
import { spawn, execFile } from 'node:child_process'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { request } from './http.js'
import { seedLab } from './seed.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const REGISTRY_BIN = process.env.PULLGATE_LAB_REGISTRY_BIN ?? '/usr/bin/docker-registry'
const HOST = '127.0.0.1'
export const TOKEN_SERVICE = 'pullgate-lab-token'
export const TOKEN_ISSUER = 'pullgate-lab-issuer'
export const BASIC_REALM = 'pullgate-lab-basic'
/** Users known to the basic registry (htpasswd). */
export const BASIC_USERS = Object.freeze({ alice: 'alicepass', bob: 'bobpass' })
/** Users known to the token issuer; shorty gets tokens with expires_in = 1. */
export const TOKEN_USERS = Object.freeze({ alice: 'alicepass', bob: 'bobpass', shorty: 'shortypass' })
/**
 * distribution 2.8 accepts a JWT until exp + 60 s (registry/auth/token `Leeway`); the issuer moves
 * `exp` of short-lived tokens back by this much so they really stop working after ~expires_in.
 */
const REGISTRY_LEEWAY_SECONDS = 60
const READY_TIMEOUT_MS = 15000

/**
 * @typedef {{ digest: string, mediaType: string, size: number,
 *   manifests?: { digest: string, mediaType: string, platform?: { architecture: string, os: string, variant?: string }, annotations?: Record<string,string> }[] }} SeededImage
 * @typedef {{ host: string, url: string }} Endpoint
 * @typedef {{
 *   version: 1, stateDir: string, pids: number[], startedBy: number, killOnExit: boolean, ownsStateDir: boolean,
 *   open: Endpoint,
 *   basic: Endpoint & { realm: string, users: Record<string,string> },
 *   token: Endpoint & { service: string, issuer: Endpoint & { realm: string, name: string }, users: Record<string,string> },
 *   tls: Endpoint & { caFile: string },
 *   images: Record<string, SeededImage>,
 *   notes: string[],
 *   logs: Record<string, string>,
 *   timings: Record<string, number>
 * }} Lab
 */

// ---------------------------------------------------------------------------------------------
// Process bookkeeping: labs started by this process, killed on exit unless stopped first.

/** @type {Map<string, { pids: number[], ownsStateDir: boolean }>} */
const liveLabs = new Map()
let handlersInstalled = false

/** @param {NodeJS.Signals} sig */
function onSignal(sig) {
  killAllSync()
  // If nobody else handles the signal, behave as if we had not been there: die of it.
  if (process.listenerCount(sig) === 1) {
    removeHandlers()
    process.kill(process.pid, sig)
  }
}
const onExit = () => killAllSync()
const SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])

function installHandlers() {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', onExit)
  for (const s of SIGNALS) process.on(s, onSignal)
}
function removeHandlers() {
  if (!handlersInstalled) return
  handlersInstalled = false
  process.removeListener('exit', onExit)
  for (const s of SIGNALS) process.removeListener(s, onSignal)
}

/** Synchronous: runs inside 'exit' handlers where nothing async happens any more. */
function killAllSync() {
  for (const [stateDir, l] of liveLabs) {
    for (const pid of l.pids) if (isOurs(pid, stateDir)) safeKill(pid, 'SIGKILL')
    if (l.ownsStateDir) fs.rmSync(stateDir, { recursive: true, force: true })
  }
  liveLabs.clear()
}

/**
 * True if pid is alive and its command line mentions stateDir (guards against pid reuse; a zombie
 * has an empty cmdline and counts as gone).
 * @param {number} pid
 * @param {string} stateDir
 */
function isOurs(pid, stateDir) {
  try {
    // With the trailing separator, /tmp/lab does not match the processes of /tmp/lab2.
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(stateDir + path.sep)
  } catch {
    return false
  }
}

/** @param {number} pid @param {NodeJS.Signals} sig */
function safeKill(pid, sig) {
  try {
    process.kill(pid, sig)
  } catch {}
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** @param {string} cmd @param {string[]} args @param {{cwd?: string, input?: string}} [opts] */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { cwd: opts.cwd, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`))
      else resolve(stdout)
    })
    if (opts.input !== undefined) child.stdin?.end(opts.input)
  })
}

/** A port that was free a moment ago on 127.0.0.1 (the registry retries on a clash). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, HOST, () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address())
      srv.close(() => resolve(port))
    })
  })
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms))

/** @param {string} file @param {string} data */
async function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`
  await fsp.writeFile(tmp, data)
  await fsp.rename(tmp, file)
}

/**
 * Synchronous variant: pids.json is rewritten after every spawn and must never lag behind.
 * @param {string} file @param {string} data
 */
function writeAtomicSync(file, data) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`
  fs.writeFileSync(tmp, data)
  fs.renameSync(tmp, file)
}

/** @param {string} file */
const exists = (file) => fs.existsSync(file)

/**
 * Serialises startLab/stopLab on one state dir (jest projects, a demo and a test sharing a dir).
 * The lock file holds the owner pid; a lock whose owner is dead is taken over.
 * @param {string} stateDir
 */
async function lock(stateDir) {
  const file = path.join(stateDir, '.lock')
  const deadline = Date.now() + 120000
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx')
      fs.writeSync(fd, String(process.pid))
      fs.closeSync(fd)
      return () => fs.rmSync(file, { force: true })
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') throw e
      let owner = 0
      try {
        owner = Number(fs.readFileSync(file, 'utf8') || 0)
        // Created but the pid not written yet: give the owner a moment rather than stealing it.
        if (!owner && Date.now() - fs.statSync(file).mtimeMs < 5000) {
          await sleep(20)
          continue
        }
      } catch {
        continue // released meanwhile
      }
      let alive = false
      try {
        if (owner) process.kill(owner, 0)
        alive = owner > 0
      } catch {}
      if (!alive) {
        fs.rmSync(file, { force: true })
        continue
      }
      if (Date.now() > deadline) throw new Error(`lab: ${file} held by pid ${owner} for 120 s`)
      await sleep(100)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates, htpasswd, configs

/**
 * Lab CA + server certificate for the tls registry, and the token issuer's RS256 key/cert.
 * @param {string} certDir
 */
async function makeCerts(certDir) {
  await fsp.mkdir(certDir, { recursive: true })
  const p = (/** @type {string} */ f) => path.join(certDir, f)
  const jobs = []
  if (!exists(p('tls.crt')) || !exists(p('ca.crt'))) {
    jobs.push(
      (async () => {
        // EC P-256: key generation is instant, which keeps start-up fast; clients and Go are fine with it.
        await run('openssl', [
          'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
          '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '3650', '-subj', '/CN=pullgate lab CA',
          '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'
        ])
        await run('openssl', [
          'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
          '-keyout', p('tls.key'), '-out', p('tls.csr'), '-subj', '/CN=localhost'
        ])
        await fsp.writeFile(
          p('tls.ext'),
          [
            'subjectAltName=IP:127.0.0.1,DNS:localhost',
            'basicConstraints=critical,CA:FALSE',
            'keyUsage=critical,digitalSignature,keyEncipherment',
            'extendedKeyUsage=serverAuth',
            ''
          ].join('\n')
        )
        await run('openssl', [
          'x509', '-req', '-in', p('tls.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'),
          '-set_serial', '0x' + crypto.randomBytes(8).toString('hex'), '-days', '825',
          '-out', p('tls.crt'), '-extfile', p('tls.ext')
        ])
        // skopeo --dest-cert-dir treats every *.crt as a CA: give it a directory with only the CA.
        await fsp.mkdir(p('skopeo'), { recursive: true })
        await fsp.copyFile(p('ca.crt'), path.join(p('skopeo'), 'ca.crt'))
      })()
    )
  }
  if (!exists(p('token.crt'))) {
    // RSA because the spec'd tokens are RS256; self-signed, and the same cert is the registry's
    // rootcertbundle, so the x5c chain verifies to itself.
    jobs.push(
      run('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('token.key'), '-out', p('token.crt'),
        '-days', '3650', '-subj', '/CN=pullgate-lab-token-issuer'
      ])
    )
  }
  await Promise.all(jobs)
}

/**
 * bcrypt htpasswd entries (`htpasswd -Bbn`), which distribution's htpasswd auth requires.
 * @param {string} file
 */
async function makeHtpasswd(file) {
  if (exists(file)) return
  let out = ''
  for (const [u, pw] of Object.entries(BASIC_USERS)) out += (await run('htpasswd', ['-Bbn', u, pw])).trim() + '\n'
  await writeAtomic(file, out)
}

/**
 * distribution 2.8 configuration (version 0.1). No debug/metrics listener, no health checks.
 * @param {{ key: string, port: number, dataDir: string, auth?: string, tls?: {cert: string, key: string}, schema1?: boolean }} o
 */
function registryConfig(o) {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  formatter: text',
    '  fields:',
    `    lab: ${o.key}`,
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${o.dataDir}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${HOST}:${o.port}`,
    `  secret: ${crypto.randomBytes(16).toString('hex')}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]'
  ]
  if (o.tls) lines.push('  tls:', `    certificate: ${o.tls.cert}`, `    key: ${o.tls.key}`)
  if (o.auth) lines.push(o.auth)
  if (o.schema1) lines.push('compatibility:', '  schema1:', '    enabled: true')
  return lines.join('\n') + '\n'
}

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * Spawns a detached child with stdout/stderr appended to logFile; records its pid.
 * @param {string} cmd @param {string[]} args @param {string} logFile @param {number[]} pids @param {string} pidsFile
 */
async function spawnDetached(cmd, args, logFile, pids, pidsFile) {
  const fd = fs.openSync(logFile, 'a')
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] })
  fs.closeSync(fd)
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
    child.once('error', (err) => resolve({ code: -1, signal: null, err }))
  })
  child.unref()
  if (!child.pid) throw new Error(`lab: could not start ${cmd}: ${(/** @type {any} */ (await exited)).err}`)
  pids.push(child.pid)
  writeAtomicSync(pidsFile, JSON.stringify(pids))
  return { pid: child.pid, exited }
}

/**
 * Polls until `check` resolves true, or the process exits, or the timeout passes.
 * @param {() => Promise<boolean>} check @param {Promise<unknown>} exited @param {string} what @param {string} logFile
 */
async function waitReady(check, exited, what, logFile) {
  let gone = false
  exited.then(() => (gone = true))
  const deadline = Date.now() + READY_TIMEOUT_MS
  let delay = 20
  while (Date.now() < deadline) {
    if (gone) return false
    try {
      if (await check()) return true
    } catch {}
    await sleep(delay)
    delay = Math.min(delay * 2, 200)
  }
  const log = exists(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : ''
  throw new Error(`lab: ${what} not ready after ${READY_TIMEOUT_MS} ms\n${log}`)
}

/**
 * Starts the token issuer on an ephemeral port (it binds port 0 and reports the port in a file,
 * so there is no race with other processes).
 * @param {string} stateDir @param {string} certDir @param {number[]} pids @param {string} pidsFile
 * @param {number|undefined} watchPid @param {boolean} ownsStateDir
 */
async function startIssuer(stateDir, certDir, pids, pidsFile, watchPid, ownsStateDir) {
  const dir = path.join(stateDir, 'issuer')
  await fsp.mkdir(dir, { recursive: true })
  const portFile = path.join(dir, 'port')
  await fsp.rm(portFile, { force: true })
  const cfgFile = path.join(dir, 'issuer.json')
  await writeAtomic(
    cfgFile,
    JSON.stringify(
      {
        host: HOST,
        portFile,
        service: TOKEN_SERVICE,
        issuer: TOKEN_ISSUER,
        keyFile: path.join(certDir, 'token.key'),
        certFile: path.join(certDir, 'token.crt'),
        users: TOKEN_USERS,
        shortLivedUsers: { shorty: 1 },
        leewaySeconds: REGISTRY_LEEWAY_SECONDS,
        defaultTtl: 300,
        watchPid: watchPid ?? undefined,
        pidsFile,
        stateDir,
        removeOnOrphan: ownsStateDir
      },
      null,
      2
    )
  )
  const logFile = path.join(dir, 'issuer.log')
  const { exited } = await spawnDetached(process.execPath, [path.join(HERE, 'token-issuer.js'), cfgFile], logFile, pids, pidsFile)
  let port = 0
  const ok = await waitReady(
    async () => {
      if (!exists(portFile)) return false
      port = Number(fs.readFileSync(portFile, 'utf8'))
      return (await request(`http://${HOST}:${port}/healthz`, { timeoutMs: 2000 })).status === 200
    },
    exited,
    'token issuer',
    logFile
  )
  if (!ok) throw new Error(`lab: token issuer exited at start:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`)
  const host = `${HOST}:${port}`
  return { host, url: `http://${host}`, realm: `http://${host}/token`, name: TOKEN_ISSUER, logFile }
}

/**
 * Starts one registry, retrying on another port if the one we picked got taken meanwhile.
 * @param {{ key: string, stateDir: string, pids: number[], pidsFile: string, auth?: string, tls?: {cert: string, key: string, ca: string}, schema1?: boolean }} o
 */
async function startRegistry(o) {
  const dir = path.join(o.stateDir, 'registries', o.key)
  const dataDir = path.join(dir, 'data')
  await fsp.mkdir(dataDir, { recursive: true })
  const logFile = path.join(dir, 'registry.log')
  const cfgFile = path.join(dir, 'config.yml')
  const ca = o.tls ? fs.readFileSync(o.tls.ca) : undefined
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    await writeAtomic(cfgFile, registryConfig({ key: o.key, port, dataDir, auth: o.auth, tls: o.tls, schema1: o.schema1 }))
    const { exited } = await spawnDetached(REGISTRY_BIN, ['serve', cfgFile], logFile, o.pids, o.pidsFile)
    const scheme = o.tls ? 'https' : 'http'
    const url = `${scheme}://${HOST}:${port}`
    const ok = await waitReady(
      async () => {
        const r = await request(`${url}/v2/`, { ca, timeoutMs: 2000 })
        return r.status === 200 || r.status === 401
      },
      exited,
      `registry ${o.key}`,
      logFile
    )
    if (ok) return { host: `${HOST}:${port}`, url, logFile }
    // Exited at start: most likely "address already in use"; try another port.
  }
  throw new Error(`lab: registry ${o.key} kept exiting at start; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`)
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Starts the lab (idempotent per stateDir), seeds it, writes `${stateDir}/lab.json`, returns the Lab.
 * If a lab is already running in stateDir (all its processes alive and answering), it is returned
 * as is (seeded first if it was started with seed: false and seed is now true).
 * @param {{ stateDir?: string, seed?: boolean, killOnExit?: boolean, log?: (msg: string) => void }} [opts]
 *   killOnExit (default true): kill the lab when this process exits or dies; the CLI passes false.
 * @returns {Promise<Lab>}
 */
export async function startLab({ stateDir, seed = true, killOnExit = true, log = () => {} } = {}) {
  const t0 = performance.now()
  let ownsStateDir = false
  if (!stateDir) {
    stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pullgate-lab-'))
    ownsStateDir = true
  }
  stateDir = path.resolve(stateDir)
  await fsp.mkdir(stateDir, { recursive: true })
  const unlock = await lock(stateDir)
  try {
    const labFile = path.join(stateDir, 'lab.json')
    if (exists(labFile)) {
      /** @type {Lab} */
      const existing = readLab(stateDir)
      if (await isRunning(existing)) {
        if (seed && Object.keys(existing.images).length === 0) {
          const s0 = performance.now()
          const { images, notes } = await seedLab(existing, { log })
          existing.images = images
          existing.notes = notes
          existing.timings.seedMs = Math.round(performance.now() - s0)
          await writeAtomic(labFile, JSON.stringify(existing, null, 2) + '\n')
        }
        if (killOnExit && existing.startedBy === process.pid) track(existing)
        log(`lab already running in ${stateDir}`)
        return existing
      }
      // Half dead (a registry crashed, machine rebooted): stop what is left and start again on
      // the same storage; seeding is deterministic so the digests do not change.
      await killPids(existing.pids, stateDir)
      await fsp.rm(labFile, { force: true })
      ownsStateDir = ownsStateDir || existing.ownsStateDir
    }

    const certDir = path.join(stateDir, 'certs')
    const pidsFile = path.join(stateDir, 'pids.json')
    /** @type {number[]} */
    const pids = []
    await writeAtomic(pidsFile, '[]')
    const entry = { pids, ownsStateDir }
    if (killOnExit) {
      liveLabs.set(stateDir, entry)
      installHandlers()
    }

    const c0 = performance.now()
    await Promise.all([makeCerts(certDir), makeHtpasswd(path.join(stateDir, 'htpasswd'))])
    const certsMs = performance.now() - c0

    const p0 = performance.now()
    const issuer = await startIssuer(stateDir, certDir, pids, pidsFile, killOnExit ? process.pid : undefined, ownsStateDir)
    const [open, basic, token, tls] = await Promise.all([
      startRegistry({ key: 'open', stateDir, pids, pidsFile, schema1: true }),
      startRegistry({
        key: 'basic',
        stateDir,
        pids,
        pidsFile,
        auth: ['auth:', '  htpasswd:', `    realm: ${BASIC_REALM}`, `    path: ${path.join(stateDir, 'htpasswd')}`].join('\n')
      }),
      startRegistry({
        key: 'token',
        stateDir,
        pids,
        pidsFile,
        auth: [
          'auth:',
          '  token:',
          `    realm: ${issuer.realm}`,
          `    service: ${TOKEN_SERVICE}`,
          `    issuer: ${TOKEN_ISSUER}`,
          `    rootcertbundle: ${path.join(certDir, 'token.crt')}`
        ].join('\n')
      }),
      startRegistry({
        key: 'tls',
        stateDir,
        pids,
        pidsFile,
        tls: { cert: path.join(certDir, 'tls.crt'), key: path.join(certDir, 'tls.key'), ca: path.join(certDir, 'ca.crt') }
      })
    ])
    // A registry that was retried on another port left a dead pid behind: keep only live ones.
    const livePids = pids.filter((p) => isOurs(p, stateDir))
    pids.splice(0, pids.length, ...livePids)
    await writeAtomic(pidsFile, JSON.stringify(pids))
    const processesMs = performance.now() - p0

    /** @type {Lab} */
    const lab = {
      version: 1,
      stateDir,
      pids: [...pids],
      startedBy: process.pid,
      killOnExit,
      ownsStateDir,
      open: { host: open.host, url: open.url },
      basic: { host: basic.host, url: basic.url, realm: BASIC_REALM, users: { ...BASIC_USERS } },
      token: {
        host: token.host,
        url: token.url,
        service: TOKEN_SERVICE,
        issuer: { host: issuer.host, url: issuer.url, realm: issuer.realm, name: TOKEN_ISSUER },
        users: { ...TOKEN_USERS }
      },
      tls: { host: tls.host, url: tls.url, caFile: path.join(certDir, 'ca.crt') },
      images: {},
      notes: [],
      logs: { open: open.logFile, basic: basic.logFile, token: token.logFile, tls: tls.logFile, issuer: issuer.logFile },
      timings: { certsMs: Math.round(certsMs), processesMs: Math.round(processesMs) }
    }
    if (seed) {
      const s0 = performance.now()
      const { images, notes } = await seedLab(lab, { log })
      lab.images = images
      lab.notes = notes
      lab.timings.seedMs = Math.round(performance.now() - s0)
    }
    lab.timings.totalMs = Math.round(performance.now() - t0)
    await writeAtomic(labFile, JSON.stringify(lab, null, 2) + '\n')
    return lab
  } catch (err) {
    // Do not leave half a lab running.
    const pidsFile = path.join(stateDir, 'pids.json')
    if (exists(pidsFile)) await killPids(JSON.parse(fs.readFileSync(pidsFile, 'utf8')), stateDir)
    liveLabs.delete(stateDir)
    if (liveLabs.size === 0) removeHandlers()
    if (ownsStateDir) await fsp.rm(stateDir, { recursive: true, force: true })
    throw err
  } finally {
    if (exists(stateDir)) unlock()
  }
}

/** @param {Lab} lab */
function track(lab) {
  liveLabs.set(lab.stateDir, { pids: lab.pids, ownsStateDir: lab.ownsStateDir })
  installHandlers()
}

/**
 * All processes alive and every registry answering /v2/.
 * @param {Lab} lab
 */
async function isRunning(lab) {
  if (!lab.pids?.length || !lab.pids.every((p) => isOurs(p, lab.stateDir))) return false
  try {
    const ca = fs.readFileSync(lab.tls.caFile)
    for (const ep of [lab.open, lab.basic, lab.token, lab.tls]) {
      const r = await request(`${ep.url}/v2/`, { ca, timeoutMs: 2000 })
      if (r.status !== 200 && r.status !== 401) return false
    }
    return (await request(`${lab.token.issuer.url}/healthz`, { timeoutMs: 2000 })).status === 200
  } catch {
    return false
  }
}

/**
 * SIGTERM, then SIGKILL after a grace period; only pids whose command line names stateDir.
 * @param {number[]} pids @param {string} stateDir @param {number} [graceMs]
 */
async function killPids(pids, stateDir, graceMs = 3000) {
  const ours = pids.filter((p) => isOurs(p, stateDir))
  for (const p of ours) safeKill(p, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (ours.some((p) => isOurs(p, stateDir)) && Date.now() < deadline) await sleep(25)
  for (const p of ours) if (isOurs(p, stateDir)) safeKill(p, 'SIGKILL')
  while (ours.some((p) => isOurs(p, stateDir)) && Date.now() < deadline + 2000) await sleep(25)
}

/**
 * Stops every process startLab started (registries, token issuer) and removes the state dir
 * unless keep. Accepts the Lab or its state dir; a missing or already stopped lab is not an error.
 * @param {Lab|string} labOrStateDir
 * @param {{ keep?: boolean }} [opts]
 */
export async function stopLab(labOrStateDir, { keep = false } = {}) {
  const stateDir = path.resolve(typeof labOrStateDir === 'string' ? labOrStateDir : labOrStateDir.stateDir)
  if (!exists(stateDir)) return
  const unlock = await lock(stateDir)
  try {
    /** @type {Set<number>} */
    const pids = new Set()
    for (const f of ['pids.json', 'lab.json']) {
      try {
        const j = JSON.parse(fs.readFileSync(path.join(stateDir, f), 'utf8'))
        for (const p of Array.isArray(j) ? j : j.pids ?? []) pids.add(p)
      } catch {}
    }
    if (typeof labOrStateDir !== 'string') for (const p of labOrStateDir.pids ?? []) pids.add(p)
    await killPids([...pids], stateDir)
    liveLabs.delete(stateDir)
    if (liveLabs.size === 0) removeHandlers()
    if (!keep) {
      await fsp.rm(stateDir, { recursive: true, force: true })
      return
    }
    await fsp.rm(path.join(stateDir, 'lab.json'), { force: true })
    await writeAtomic(path.join(stateDir, 'pids.json'), '[]')
  } finally {
    if (exists(stateDir)) unlock()
  }
}

/**
 * Reads lab.json written by startLab (for tests running in other processes, e.g. jest workers).
 * @param {string} [stateDir] defaults to $PULLGATE_LAB_STATE
 * @returns {Lab}
 */
export function readLab(stateDir = process.env.PULLGATE_LAB_STATE) {
  if (!stateDir) throw new Error('readLab: no state dir given and PULLGATE_LAB_STATE is not set')
  const file = path.join(stateDir, 'lab.json')
  if (!exists(file)) throw new Error(`readLab: ${file} does not exist (lab not started, or stopped)`)
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/**
 * Every pid a lab in stateDir may have started that is still alive (used by verify.js and the CLI).
 * @param {string} stateDir
 */
export function livePids(stateDir) {
  stateDir = path.resolve(stateDir)
  const found = []
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    if (Number(d) === process.pid) continue
    if (isOurs(Number(d), stateDir)) found.push(Number(d))
  }
  return found
}
