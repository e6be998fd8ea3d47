#!/usr/bin/env node
/**
 * Full benchmark: `pullgate` against real registries (the test lab: CNCF distribution on loopback),
 * cold and warm (--cache-file), next to the floor (a bare undici loop sending the minimal set of
 * requests for the same check), skopeo, the offline scan, and how the cold run scales with the
 * tree. Every measurement is a separate process, startup included. Requests are counted outside
 * the code under test: by default from the registries' own access logs and the token issuer's
 * counter (`--count logs`), or by a forward proxy on loopback that every pullgate and floor run
 * goes through (`--count proxy`; on a small machine the proxy's own CPU slows both runs).
 *
 *   node bench/full.js [--files 5000] [--unique 1000] [--runs 1] [--seed 42] [--keep DIR] [--json]
 *                      [--skopeo-sample 100] [--no-skopeo] [--no-time] [--no-scaling] [--profile DIR]
 *                      [--count logs|proxy] [--cpus split|shared]
 *
 * --cpus split (the default) runs the lab's servers on one half of the CPUs and every measured
 * run on the other, as when the registry is another machine; --cpus shared lets them compete.
 *
 * Besides the cold scaling (which follows the unique images as much as the files), the offline
 * scan is timed on 100, 1,000 and all files: the part of the work that grows with the files.
 * The last lines check issue #9's targets against what was measured, and print the floor's own
 * lead over skopeo beside pullgate's: no client can be further ahead of skopeo than the floor.
 * Exit status 0 whatever the targets say: this measures, it does not gate.
 *
 * --profile DIR runs one more cold and warm run with V8's CPU profiler, not counted in the
 * figures, and writes the profiles there (open them in Chrome's DevTools, or summarise them
 * with `node bench/profile-summary.js FILE`).
 *
 * Seeding: every image reuses the layers of the lab's open/lab/app:1.0.0 (cross-repository blob
 * mounts) but gets its own small config blob (a label naming it), so every image has its own
 * manifest digest and config, as in real life; seeding time is reported separately.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, readFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, Agent as HttpAgent } from 'node:http'
import { connect } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { BenchError, CLI, CLI_RUN, makeRng, MB, median, run, runMeasuredOn, TEAMS, WORDS } from './common.js'
import { Agent, request } from 'undici'
import { startLab, stopLab } from '../test/lab/lab.js'
import { basicAuth } from '../test/lab/http.js'
import { pool } from '../test/lab/seed.js'

const CONCURRENCY = 8 // per registry, as pullgate
const ALICE = { user: 'alice', password: 'alicepass' }
const BASIC = basicAuth(ALICE.user, ALICE.password)
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')
const KINDS = ['token', 'ping', 'headManifest', 'getManifest', 'getBlob', 'tagsList', 'connect', 'other']
/** Findings that mean the bench itself is broken (seeding, credentials, lab), not a real result. */
const BROKEN_RULES = new Set(['invalid-manifest', 'invalid-reference', 'unresolved-reference', 'tag-not-found', 'repository-not-found', 'digest-not-found', 'credentials-missing', 'credentials-rejected', 'rate-limited', 'registry-unreachable', 'registry-error', 'digest-mismatch'])

// ---------------------------------------------------------------------------------------------
// Counting forward proxy (test/helpers/proxy.ts in JS), classifying what it forwards.

function startProxy(issuerHost) {
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0]))
  const stats = { counts, total: 0, unauthorized: 0 }
  const reset = () => {
    for (const k of KINDS) counts[k] = 0
    stats.total = 0
    stats.unauthorized = 0
  }
  const classify = (method, u) => (u.host === issuerHost ? 'token' : classifyPath(method, u.pathname))
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 })
  const server = createServer((req, res) => {
    let target
    try { target = new URL(req.url) } catch { res.writeHead(400); res.end(); return }
    stats.total++
    counts[classify(req.method, target)]++
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers, agent }, (answer) => {
      if (answer.statusCode === 401) stats.unauthorized++
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => { res.writeHead(502); res.end() })
    req.pipe(upstream)
  })
  server.on('connect', (req, socket, head) => {
    stats.total++
    counts.connect++ // a tunnel: its contents cannot be classified (pullgate does not tunnel plain HTTP)
    const [host, port] = req.url.split(':')
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    reset,
    snapshot: () => ({ ...stats, counts: { ...counts } }),
    stop: () => new Promise((r) => { server.closeAllConnections(); agent.destroy(); server.close(() => r()) })
  })))
}

// ---------------------------------------------------------------------------------------------
// Counting by the lab's own records: the registries' access logs (one Apache-style line per
// request) and the token issuer's request counter.

function classifyPath(method, p) {
  if (p === '/v2/' || p === '/v2') return 'ping'
  if (/\/manifests\/[^/]+$/.test(p)) return method === 'HEAD' ? 'headManifest' : method === 'GET' ? 'getManifest' : 'other'
  if (/\/blobs\/sha256:[0-9a-f]+$/.test(p) && method === 'GET') return 'getBlob'
  if (/\/tags\/list$/.test(p)) return 'tagsList'
  return 'other'
}

function logCounter(lab) {
  const logs = ['open', 'basic', 'token'].map((k) => lab.logs[k])
  const issuerStats = async () => JSON.parse((await call(`http://${lab.token.issuer.host}/stats`, { expect: [200] })).body.toString()).tokenRequests
  let marks = []
  let tokenMark = 0
  return {
    reset: async () => {
      marks = logs.map((f) => statSync(f).size)
      tokenMark = await issuerStats()
    },
    snapshot: async () => {
      await new Promise((r) => setTimeout(r, 200)) // a registry writes its access line as the response ends
      const counts = Object.fromEntries(KINDS.map((k) => [k, 0]))
      const stats = { counts, total: 0, unauthorized: 0 }
      logs.forEach((file, i) => {
        const size = statSync(file).size
        const fd = openSync(file, 'r')
        const buf = Buffer.alloc(size - marks[i])
        readSync(fd, buf, 0, buf.length, marks[i])
        closeSync(fd)
        for (const line of buf.toString().split('\n')) {
          const m = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3})/.exec(line)
          if (!m) continue
          counts[classifyPath(m[1], new URL(m[2], 'http://x').pathname)]++
          stats.total++
          if (m[3] === '401') stats.unauthorized++
        }
      })
      counts.token = (await issuerStats()) - tokenMark
      stats.total += counts.token
      return stats
    }
  }
}

/** CPU seconds the lab's registries and token issuer have used so far (Linux /proc; NaN elsewhere). */
/**
 * Gives the lab's servers half of the CPUs and the measured runs the other half (taskset), so
 * that the client's own work does not slow the registries down, as it cannot when a registry is
 * another machine: on a 2-core machine the registries need about one core for this job, and
 * sharing both cores makes every extra CPU second of the client count twice. Returns the two CPU
 * lists, or null (shared) when the machine has one CPU or no taskset.
 */
function splitCpus(lab, log) {
  const n = os.availableParallelism()
  if (n < 2 || spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status !== 0) {
    log('--cpus split needs two CPUs and taskset (util-linux): the lab and the measured runs share the CPUs')
    return null
  }
  const half = Math.floor(n / 2)
  const measured = half === 1 ? '0' : `0-${half - 1}`
  const labSet = half === n - 1 ? `${half}` : `${half}-${n - 1}`
  for (const pid of lab.pids) {
    // -a: every thread the server already has; threads started later inherit it
    const pinned = spawnSync('taskset', ['-a', '-p', '-c', labSet, String(pid)], { stdio: 'ignore' })
    if (pinned.status !== 0) throw new BenchError(`taskset could not pin the lab's process ${pid} to CPUs ${labSet}`)
  }
  runMeasuredOn(measured)
  return { lab: labSet, measured }
}

function labCpuSeconds(lab) {
  const tick = 100 // USER_HZ on Linux
  try {
    return lab.pids.reduce((sum, pid) => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      return sum + (Number(fields[11]) + Number(fields[12])) / tick
    }, 0)
  } catch {
    return NaN
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding N images through the registry API (keep-alive undici, 8 at a time per registry).

const seedAgent = new Agent({ connections: CONCURRENCY * 2, pipelining: 1 })

async function call(url, { method = 'GET', headers = {}, body, expect }) {
  const r = await request(url, { method, headers, body, dispatcher: seedAgent })
  const buf = Buffer.from(await r.body.arrayBuffer())
  if (expect && !expect.includes(r.statusCode)) throw new BenchError(`seeding: ${method} ${url} answered ${r.statusCode}: ${buf.toString().slice(0, 300)}`)
  return { status: r.statusCode, headers: r.headers, body: buf }
}

const sha = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`

/** Plans N images over the three registries: ~3 tags per repository, repositories round-robin. */
function planImages(lab, n, seed) {
  const r = makeRng(seed ^ 0x5eed)
  const regs = ['open', 'basic', 'token']
  const repoCount = Math.max(1, Math.ceil(n / 3))
  const repos = Array.from({ length: repoCount }, (_, i) => ({ reg: regs[i % 3], host: lab[regs[i % 3]].host, repo: `bench/${r.pick(TEAMS)}/${r.pick(WORDS)}-${r.pick(WORDS)}-${i}` }))
  return Array.from({ length: n }, (_, j) => {
    const repo = repos[j % repoCount]
    return { ...repo, tag: `v${1 + (j % 3)}.${Math.floor(j / repoCount)}.${r.int(10)}` }
  })
}

async function seedImages(lab, images) {
  // The template: open/lab/app:1.0.0 as the registry serves it, and its blobs.
  const base = await call(`${lab.open.url}/v2/lab/app/manifests/1.0.0`, { headers: { Accept: ACCEPT }, expect: [200] })
  const mediaType = base.headers['content-type'].split(';')[0]
  const manifest = JSON.parse(base.body.toString())
  if (!manifest.config || !Array.isArray(manifest.layers)) throw new BenchError(`seeding: open/lab/app:1.0.0 is a ${mediaType}, not a single-platform manifest`)
  const config = JSON.parse((await call(`${lab.open.url}/v2/lab/app/blobs/${manifest.config.digest}`, { expect: [200] })).body.toString())
  const layers = []
  for (const l of manifest.layers) layers.push({ ...l, bytes: (await call(`${lab.open.url}/v2/lab/app/blobs/${l.digest}`, { expect: [200] })).body })

  const tokens = new Map()
  const auth = async (reg, repo, from) => {
    if (reg === 'basic') return { Authorization: BASIC }
    if (reg !== 'token') return {}
    const key = `${repo} ${from ?? ''}`
    if (!tokens.has(key)) {
      const u = new URL(lab.token.issuer.realm)
      u.searchParams.set('service', lab.token.service)
      u.searchParams.append('scope', `repository:${repo}:pull,push`)
      if (from) u.searchParams.append('scope', `repository:${from}:pull`)
      tokens.set(key, call(u.href, { headers: { Authorization: BASIC }, expect: [200] }).then((t) => JSON.parse(t.body.toString()).token))
    }
    return { Authorization: `Bearer ${await tokens.get(key)}` }
  }
  const upload = async (reg, repo, digest, bytes) => {
    const headers = await auth(reg, repo)
    const start = await call(`${lab[reg].url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers, expect: [202] })
    const loc = new URL(start.headers.location, lab[reg].url)
    loc.searchParams.set('digest', digest)
    await call(loc.href, { method: 'PUT', headers: { ...headers, 'Content-Type': 'application/octet-stream' }, body: bytes, expect: [201] })
  }
  // Layers: already in open/lab/app; uploaded once to bench/base on basic and token.
  const from = { open: 'lab/app', basic: 'bench/base', token: 'bench/base' }
  for (const reg of ['basic', 'token']) for (const l of layers) await upload(reg, 'bench/base', l.digest, l.bytes)

  const byReg = { open: [], basic: [], token: [] }
  for (const img of images) byReg[img.reg].push(img)
  await Promise.all(Object.entries(byReg).map(([reg, list]) => pool(list, CONCURRENCY, async (img) => {
    const cfg = Buffer.from(JSON.stringify({ ...config, config: { ...(config.config ?? {}), Labels: { ...(config.config?.Labels ?? {}), 'bench.pullgate/image': `${img.repo}:${img.tag}` } } }))
    const cfgDigest = sha(cfg)
    await upload(reg, img.repo, cfgDigest, cfg)
    const headers = await auth(reg, img.repo, from[reg])
    for (const l of layers) await call(`${lab[reg].url}/v2/${img.repo}/blobs/uploads/?mount=${l.digest}&from=${from[reg]}`, { method: 'POST', headers, expect: [201] })
    const body = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: cfgDigest, size: cfg.length } }))
    const put = await call(`${lab[reg].url}/v2/${img.repo}/manifests/${img.tag}`, { method: 'PUT', headers: { ...(await auth(reg, img.repo)), 'Content-Type': mediaType }, body, expect: [201] })
    img.digest = sha(body)
    if (put.headers['docker-content-digest'] && put.headers['docker-content-digest'] !== img.digest) throw new BenchError(`seeding: ${img.repo}:${img.tag} stored as ${put.headers['docker-content-digest']}, expected ${img.digest}`)
  })))
  return { mediaType, layers: layers.length }
}

// ---------------------------------------------------------------------------------------------
// The tree: F files, 4 references each, every seeded image at least once, the rest Zipf-ish.

function generateTree(dir, fileCount, images, seed) {
  const r = makeRng(seed)
  // How each image is written: 85% name:tag, 10% name@digest, 5% name:tag@digest.
  const refs = images.map((img) => {
    const x = r.next()
    const name = `${img.host}/${img.repo}`
    return x < 0.85 ? `${name}:${img.tag}` : x < 0.95 ? `${name}@${img.digest}` : `${name}:${img.tag}@${img.digest}`
  })
  const total = fileCount * 4
  const draws = refs.slice(0, total)
  while (draws.length < total) draws.push(refs[Math.floor(refs.length * r.next() ** 2)]) // skewed: some images everywhere
  for (let i = draws.length - 1; i > 0; i--) { const j = r.int(i + 1); [draws[i], draws[j]] = [draws[j], draws[i]] }
  const groups = []
  const files = [] // per file: its folder group and references, for sub-tree truths
  for (let i = 0; i < fileCount; i++) {
    const team = TEAMS[i % TEAMS.length]
    const name = `${r.pick(WORDS)}-${i}`
    const group = `g${String(Math.floor(i / 100)).padStart(3, '0')}` // 100 files per top folder: sub-trees are folder lists
    if (groups.at(-1) !== group) groups.push(group)
    const folder = path.join(dir, group, `team-${team}`, `app-${Math.floor(i / 12)}`)
    const mine = draws.slice(i * 4, i * 4 + 4)
    const c = (n, img, ind) => `${ind}- name: ${n}\n${ind}  image: ${img}\n${ind}  resources:\n${ind}    requests: {cpu: 100m, memory: 128Mi}\n`
    let text
    if (r.chance(0.8)) {
      text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${team}\nspec:\n  replicas: ${1 + r.int(4)}\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      imagePullSecrets: [{name: regcred}]\n      initContainers:\n${c('init', mine[0], '        ')}      containers:\n${mine.slice(1).map((m, k) => c(k ? `sidecar-${k}` : name, m, '        ')).join('')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${team}\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80}]\n`
    } else {
      text = `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: ${name}\n  namespace: ${team}\nspec:\n  schedule: "${r.int(60)} */6 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          imagePullSecrets: [{name: regcred}]\n          restartPolicy: OnFailure\n          containers:\n${mine.map((m, k) => c(`step-${k}`, m, '            ')).join('')}`
    }
    mkdirSync(folder, { recursive: true })
    writeFileSync(path.join(folder, `${String(i).padStart(5, '0')}-${name}.yaml`), text)
    files.push({ group, refs: mine })
  }
  return { groups, files }
}

function truthOf(files, groupSet) {
  const t = { files: 0, references: 0, unique: new Set() }
  for (const f of files) if (!groupSet || groupSet.has(f.group)) { t.files++; t.references += f.refs.length; f.refs.forEach((x) => t.unique.add(x)) }
  return t
}

// ---------------------------------------------------------------------------------------------
// Processes


/** The floor: a bare undici loop, 8 requests at a time per registry, the minimal set of requests. */
const floorScript = (undiciUrl) => `import { readFileSync } from 'node:fs'
import { EnvHttpProxyAgent, request } from ${JSON.stringify(undiciUrl)}
const job = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const dispatcher = new EnvHttpProxyAgent({ proxyTunnel: false, connections: ${CONCURRENCY} })
let requests = 0
const call = async (url, method, headers) => {
  requests++
  const r = await request(url, { method, headers, dispatcher, reset: method === 'HEAD' ? false : undefined }) // keep-alive after HEAD too
  const body = method === 'HEAD' ? null : Buffer.from(await r.body.arrayBuffer())
  if (method === 'HEAD') await r.body.dump()
  if (r.statusCode !== 200) throw new Error(method + ' ' + url + ' -> ' + r.statusCode)
  return { headers: r.headers, body }
}
const tokens = new Map()
const auth = async (reg, repo) => {
  if (reg.kind === 'basic') return { authorization: job.basic }
  if (reg.kind !== 'token') return {}
  if (!tokens.has(repo)) tokens.set(repo, call(job.realm + '?service=' + encodeURIComponent(job.service) + '&scope=' + encodeURIComponent('repository:' + repo + ':pull'), 'GET', { authorization: job.basic }).then((r) => JSON.parse(r.body).token))
  return { authorization: 'Bearer ' + (await tokens.get(repo)) }
}
const seen = new Set()
await Promise.all(job.registries.map(async (reg) => {
  let i = 0
  await Promise.all(Array.from({ length: ${CONCURRENCY} }, async () => {
    while (i < reg.refs.length) {
      const { repo, ref } = reg.refs[i++]
      const h = await auth(reg, repo)
      const head = await call(reg.url + '/v2/' + repo + '/manifests/' + ref, 'HEAD', { ...h, accept: job.accept })
      const digest = head.headers['docker-content-digest']
      if (!digest) throw new Error('no digest for ' + repo + ':' + ref)
      if (seen.has(reg.url + digest)) continue
      seen.add(reg.url + digest)
      const m = await call(reg.url + '/v2/' + repo + '/manifests/' + digest, 'GET', { ...h, accept: job.accept })
      const config = JSON.parse(m.body).config.digest
      await call(reg.url + '/v2/' + repo + '/blobs/' + config, 'GET', h)
    }
  }))
}))
process.stdout.write(JSON.stringify({ requests, digests: seen.size, tokens: tokens.size }) + '\\n')
`

// ---------------------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '5000' },
      unique: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '1' },
      seed: { type: 'string', default: '42' },
      keep: { type: 'string' },
      json: { type: 'boolean', default: false },
      'skopeo-sample': { type: 'string', default: '100' },
      'no-skopeo': { type: 'boolean', default: false },
      'no-time': { type: 'boolean', default: false },
      profile: { type: 'string' },
      count: { type: 'string', default: 'logs' },
      'no-scaling': { type: 'boolean', default: false },
      cpus: { type: 'string', default: 'split' }
    }
  })
  const [files, unique, runs, seed, sample] = ['files', 'unique', 'runs', 'seed', 'skopeo-sample'].map((k) => Number(values[k]))
  if (![files, unique, runs, sample].every((n) => Number.isInteger(n) && n >= 1) || !Number.isInteger(seed)) throw new BenchError('--files, --unique, --runs and --skopeo-sample must be positive integers, --seed an integer')
  if (values.count !== 'logs' && values.count !== 'proxy') throw new BenchError('--count must be logs or proxy')
  if (values.cpus !== 'split' && values.cpus !== 'shared') throw new BenchError('--cpus must be split or shared')
  if (!existsSync(CLI)) throw new BenchError(`${CLI} is missing: run \`npm run bundle\` first`)
  if (values.keep && existsSync(values.keep) && readdirSync(values.keep).length > 0) throw new BenchError(`--keep ${values.keep}: folder exists and is not empty`)
  const useTime = !values['no-time'] && existsSync('/usr/bin/time')
  const haveSkopeo = !values['no-skopeo'] && spawnSync('sh', ['-c', 'command -v skopeo'], { stdio: 'ignore' }).status === 0
  const log = (m) => process.stderr.write(`${m}\n`)

  const work = mkdtempSync(path.join(os.tmpdir(), 'pullgate-bench-full-'))
  const tree = values.keep ? path.resolve(values.keep) : path.join(work, 'tree')
  let lab
  let proxy
  const cleanup = () => rmSync(work, { recursive: true, force: true })
  const onSignal = (sig) => { cleanup(); process.exit(sig === 'SIGINT' ? 130 : 143) } // the lab kills itself on signals
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    // 1. Lab and seeding.
    log('starting the lab')
    const l0 = performance.now()
    lab = await startLab()
    const labMs = performance.now() - l0
    const cpus = values.cpus === 'split' ? splitCpus(lab, log) : null
    const images = planImages(lab, unique, seed)
    log(`seeding ${images.length} images over open, basic and token`)
    const s0 = performance.now()
    const seeded = await seedImages(lab, images)
    const seedMs = performance.now() - s0

    // 2. Tree and Docker config.
    log(`generating ${files} files (seed ${seed}) in ${tree}`)
    const g0 = performance.now()
    const gen = generateTree(tree, files, images, seed)
    const genMs = performance.now() - g0
    const truth = truthOf(gen.files)
    const dockerConfig = path.join(work, 'docker-config.json')
    const b64 = BASIC.slice('Basic '.length)
    writeFileSync(dockerConfig, JSON.stringify({ auths: { [lab.basic.host]: { auth: b64 }, [lab.token.host]: { auth: b64 } } }, null, 2))

    const proxied = { ...process.env }
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy', 'DOCKER_CONFIG']) delete proxied[k]
    let counter
    if (values.count === 'proxy') {
      proxy = await startProxy(lab.token.issuer.host)
      Object.assign(proxied, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, http_proxy: proxy.url, https_proxy: proxy.url, NO_PROXY: '', no_proxy: '' })
      counter = proxy
    } else counter = logCounter(lab)
    let cacheN = 0
    const profileDir = values.profile ? path.resolve(values.profile) : undefined
    if (profileDir) mkdirSync(profileDir, { recursive: true })
    const pullgate = async (label, paths, cacheFile, t, extra = [], profile = false) => {
      await counter.reset()
      const lab0 = labCpuSeconds(lab)
      const nodeArgs = profile && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}.cpuprofile`] : []
      // a worker thread's profile would be overwritten by the launcher's: profile the run in-thread
      const res = await run(null, [profile ? CLI_RUN : CLI, '--format', 'json', '--docker-config', dockerConfig, ...(cacheFile ? ['--cache-file', cacheFile] : []), ...extra, ...paths], { useTime, env: proxied, nodeArgs })
      const requests = await counter.snapshot()
      const labCpu = labCpuSeconds(lab) - lab0
      let report
      try { report = JSON.parse(res.stdout) } catch { throw new BenchError(`${label}: pullgate exited ${res.code} without a JSON report: ${res.stderr.trim().split('\n').slice(0, 3).join(' | ')}`) }
      const s = report.summary
      const rules = {}
      for (const f of report.findings ?? []) rules[f.rule] = (rules[f.rule] ?? 0) + 1
      const broken = Object.fromEntries(Object.entries(rules).filter(([rule]) => BROKEN_RULES.has(rule)))
      if (res.code > 1 || s.files !== t.files || s.references !== t.references || s.uniqueImages !== t.unique.size || Object.keys(broken).length > 0)
        throw new BenchError(`${label}: pullgate disagrees with the generator: files ${s.files}/${t.files}, references ${s.references}/${t.references}, unique ${s.uniqueImages}/${t.unique.size}, unexpected findings ${JSON.stringify(broken)}, exit ${res.code}`)
      return { ms: res.ms, rssMB: res.rss / MB, cpuS: res.cpu, labCpuS: labCpu, requests, rules }
    }
    // the run with the median wall time, its requests and findings included; RSS and CPU are medians of their own
    const medianRun = (xs) => ({ ...[...xs].sort((a, b) => a.ms - b.ms)[Math.floor((xs.length - 1) / 2)], ...Object.fromEntries(['rssMB', 'cpuS', 'labCpuS'].map((k) => [k, median(xs.map((x) => x[k]))])) })

    // The floor's job: every unique reference, by registry.
    const floorFile = path.join(work, 'floor.mjs')
    writeFileSync(floorFile, floorScript(import.meta.resolve('undici')))
    const byImage = new Map(images.map((x) => [`${x.host}/${x.repo}`, x]))
    const parsed = [...truth.unique].map((ref) => {
      const at = ref.indexOf('@')
      const noDigest = at >= 0 ? ref.slice(0, at) : ref
      const colon = noDigest.lastIndexOf(':')
      const name = colon > noDigest.indexOf('/') ? noDigest.slice(0, colon) : noDigest
      const img = byImage.get(name)
      if (!img) throw new BenchError(`the generator wrote ${ref}, which names no seeded image`)
      return { reg: img.reg, repo: img.repo, ref: at >= 0 ? ref.slice(at + 1) : noDigest.slice(colon + 1), skopeo: at >= 0 ? `${name}@${ref.slice(at + 1)}` : ref }
    })
    const job = {
      accept: ACCEPT, basic: BASIC, realm: lab.token.issuer.realm, service: lab.token.service,
      registries: ['open', 'basic', 'token'].map((kind) => ({ kind, url: lab[kind].url, refs: parsed.filter((p) => p.reg === kind).map(({ repo, ref }) => ({ repo, ref })) }))
    }
    const jobFile = path.join(work, 'floor.json')
    writeFileSync(jobFile, JSON.stringify(job))
    const runFloor = async () => {
      await counter.reset()
      const lab0 = labCpuSeconds(lab)
      const res = await run(null, [floorFile, jobFile], { useTime, env: proxied })
      if (res.code !== 0) throw new BenchError(`floor exited ${res.code}: ${res.stderr.trim().split('\n').slice(0, 3).join(' | ')}`)
      const out = JSON.parse(res.stdout)
      const requests = await counter.snapshot()
      // the floor knows what it sent: a counter that saw less missed requests
      if (requests.total !== out.requests) throw new BenchError(`the counter saw ${requests.total} of the floor's ${out.requests} requests`)
      return { ms: res.ms, rssMB: res.rss / MB, cpuS: res.cpu, labCpuS: labCpuSeconds(lab) - lab0, requests, own: out }
    }

    // 3a-3c. Cold, warm and the floor, interleaved so that a noisy moment hits every case alike.
    const colds = []
    const warms = []
    const floors = []
    for (let i = 0; i < runs; i++) {
      const cache = path.join(work, `cache-${cacheN++}.json`)
      log(`pullgate cold ${i + 1}/${runs}`)
      colds.push(await pullgate('cold', [tree], cache, truth))
      log(`pullgate warm ${i + 1}/${runs}`)
      warms.push(await pullgate('warm', [tree], cache, truth))
      log(`floor ${i + 1}/${runs}`)
      floors.push(await runFloor())
    }
    // profiled runs are slower and heavier: measured apart, never counted
    if (profileDir) {
      const cache = path.join(work, `cache-${cacheN++}.json`)
      log('pullgate cold and warm with --cpu-prof')
      await pullgate('cold', [tree], cache, truth, [], true)
      await pullgate('warm', [tree], cache, truth, [], true)
    }
    const cold = medianRun(colds)
    const warm = medianRun(warms)
    const floor = medianRun(floors)
    // the action's usual outputs beside the report: a SARIF file for code scanning (memory, mostly)
    log('pullgate warm with --sarif-file and --report-file')
    const reports = await pullgate('warm + files', [tree], path.join(work, `cache-${cacheN - 1}.json`), truth, ['--sarif-file', path.join(work, 'pullgate.sarif'), '--report-file', path.join(work, 'report.json')])
    const sarifResults = JSON.parse(readFileSync(path.join(work, 'pullgate.sarif'), 'utf8')).runs[0].results.length
    const findingCount = Object.values(reports.rules).reduce((a, b) => a + b, 0)
    if (sarifResults !== findingCount) throw new BenchError(`the SARIF file holds ${sarifResults} results for ${findingCount} findings`)
    rmSync(path.join(work, 'pullgate.sarif'))
    rmSync(path.join(work, 'report.json'))

    // 3d. skopeo.
    let skopeo = null
    if (haveSkopeo) {
      const argsOf = (p) => `--tls-verify=false ${p.reg === 'open' ? '' : `--creds ${ALICE.user}:${ALICE.password} `}docker://${p.skopeo}`
      const step = Math.max(1, Math.floor(parsed.length / sample))
      const picked = parsed.filter((_, i) => i % step === 0).slice(0, sample)
      const loopFile = path.join(work, 'skopeo-loop.sh')
      writeFileSync(loopFile, `set -e\n${picked.map((p) => `skopeo inspect ${argsOf(p)} >/dev/null`).join('\n')}\n`)
      const bare = { ...process.env }
      for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete bare[k]
      log(`skopeo loop over ${picked.length} references`)
      const loop = await run('sh', [loopFile], { env: bare })
      if (loop.code !== 0) throw new BenchError(`skopeo loop failed (${loop.code}): ${loop.stderr.trim().split('\n').slice(-3).join(' | ')}`)
      const listFile = path.join(work, 'skopeo-all.txt')
      writeFileSync(listFile, `${parsed.map(argsOf).join('\n')}\n`)
      log(`skopeo xargs -P ${CONCURRENCY} over ${parsed.length} references`)
      const xargs = await run('sh', ['-c', `xargs -P ${CONCURRENCY} -L 1 skopeo inspect < "$1" > /dev/null`, 'sh', listFile], { env: bare })
      if (xargs.code !== 0) throw new BenchError(`skopeo xargs failed (${xargs.code}): ${xargs.stderr.trim().split('\n').slice(-3).join(' | ')}`)
      skopeo = {
        loop: { sample: picked.length, ms: loop.ms, extrapolatedMs: (loop.ms / picked.length) * parsed.length },
        xargs: { references: parsed.length, ms: xargs.ms }
      }
    }

    // 3e. Offline scan.
    log('pullgate --offline')
    const off = await pullgate('offline', [tree], null, truth, ['--offline'])
    if (off.requests.total !== 0) throw new BenchError(`--offline sent ${off.requests.total} requests`)

    // 3f. Scaling (cold, fresh cache each).
    const scaling = []
    for (const n of values['no-scaling'] ? [files] : [100, 1000, files]) {
      if (n > files || scaling.some((x) => x.files === n)) continue
      const groups = gen.groups.slice(0, Math.ceil(n / 100))
      const t = truthOf(gen.files, new Set(groups))
      log(`pullgate cold on ${t.files} files`)
      const r = n === files ? cold : await pullgate(`scaling ${n}`, groups.map((g) => path.join(tree, g)), path.join(work, `cache-${cacheN++}.json`), t)
      scaling.push({ files: t.files, references: t.references, unique: t.unique.size, ms: r.ms, requests: r.requests.total, rssMB: r.rssMB, reused: n === files })
    }

    // 3g. Scaling of the scan alone (offline): what grows with the files rather than the images.
    const offlineScaling = []
    for (const n of values['no-scaling'] ? [files] : [100, 1000, files]) {
      if (n > files || offlineScaling.some((x) => x.files === n)) continue
      const groups = gen.groups.slice(0, Math.ceil(n / 100))
      const t = truthOf(gen.files, new Set(groups))
      log(`pullgate --offline on ${t.files} files`)
      const r = n === files ? off : await pullgate(`offline ${n}`, groups.map((g) => path.join(tree, g)), null, t, ['--offline'])
      offlineScaling.push({ files: t.files, references: t.references, ms: r.ms, rssMB: r.rssMB, reused: n === files })
    }

    const u = truth.unique.size
    const result = {
      files: truth.files, references: truth.references, uniqueReferences: u, uniqueImages: images.length,
      seed, runs, rss: useTime ? '/usr/bin/time -v' : 'process.resourceUsage',
      countedBy: values.count === 'proxy' ? 'a counting forward proxy' : "the registries' access logs and the token issuer's counter",
      cpus: cpus ?? { shared: os.availableParallelism() },
      lab: { startMs: labMs, seedMs, seededManifest: seeded.mediaType, layersPerImage: seeded.layers, treeMs: genMs },
      uniqueTags: uniqueTags(truth.unique),
      cold, warm, reports, floor, offline: off, skopeo, scaling, offlineScaling,
      ratio: {
        coldOverFloor: cold.ms / floor.ms,
        warmOverFloor: warm.ms / floor.ms,
        skopeoLoopOverCold: skopeo ? skopeo.loop.extrapolatedMs / cold.ms : null,
        skopeoXargsOverCold: skopeo ? skopeo.xargs.ms / cold.ms : null,
        requestsPerUniqueCold: cold.requests.total / u,
        requestsPerUniqueWarm: warm.requests.total / u,
        requestsPerUniqueFloor: floor.requests.total / u,
        // the best any client can do against these registries: the floor's own lead over skopeo
        skopeoLoopOverFloor: skopeo ? skopeo.loop.extrapolatedMs / floor.ms : null,
        skopeoXargsOverFloor: skopeo ? skopeo.xargs.ms / floor.ms : null
      }
    }
    result.targets = targetsOf(result)
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : table(result))
  } finally {
    await proxy?.stop()
    await seedAgent.close().catch(() => {})
    if (lab) await stopLab(lab).catch((e) => log(`stopping the lab: ${e.message}`))
    cleanup()
  }
}

/** `name:tag` of every unique reference that names a tag: what a warm run may still HEAD (one each). */
function uniqueTags(references) {
  const tags = new Set()
  for (const ref of references) {
    const name = ref.split('@')[0]
    const colon = name.lastIndexOf(':')
    if (colon > name.lastIndexOf('/')) tags.add(name)
  }
  return tags.size
}

/** Issue #9's targets, each with what was measured and whether it is met. */
function targetsOf(r) {
  const x = r.ratio
  const perFile = (s) => s.ms / s.files
  const [small, , large] = r.offlineScaling.length === 3 ? r.offlineScaling : [undefined, undefined, r.offlineScaling.at(-1)]
  const growth = small && large ? (large.ms - small.ms) / (large.files - small.files) : null
  const midGrowth = small && r.offlineScaling.length === 3 ? (r.offlineScaling[1].ms - small.ms) / (r.offlineScaling[1].files - small.files) : null
  const registries = 3
  return [
    { target: 'pullgate cold wall <= 1.3 x the floor', measured: `${x.coldOverFloor.toFixed(2)}x`, met: x.coldOverFloor <= 1.3 },
    { target: '>= 10 x faster than the skopeo inspect loop', measured: x.skopeoLoopOverCold == null ? '-' : `${x.skopeoLoopOverCold.toFixed(1)}x (the floor itself: ${x.skopeoLoopOverFloor.toFixed(1)}x)`, met: x.skopeoLoopOverCold == null ? null : x.skopeoLoopOverCold >= 10 },
    { target: `>= 2 x faster than skopeo with xargs -P ${CONCURRENCY}`, measured: x.skopeoXargsOverCold == null ? '-' : `${x.skopeoXargsOverCold.toFixed(2)}x (the floor itself: ${x.skopeoXargsOverFloor.toFixed(2)}x)`, met: x.skopeoXargsOverCold == null ? null : x.skopeoXargsOverCold >= 2 },
    { target: `requests <= the floor's + 1 per registry (${r.floor.requests.total + registries})`, measured: `${r.cold.requests.total}`, met: r.cold.requests.total <= r.floor.requests.total + registries },
    { target: `warm run <= one HEAD per unique tag (${r.uniqueTags}), no GET`, measured: `${r.warm.requests.counts.headManifest} HEAD, ${r.warm.requests.counts.getManifest + r.warm.requests.counts.getBlob} GET`, met: r.warm.requests.counts.headManifest <= r.uniqueTags && r.warm.requests.counts.getManifest + r.warm.requests.counts.getBlob === 0 },
    { target: 'peak RSS < 250 MB (cold, warm, and warm writing SARIF and report files)', measured: `${Math.max(r.cold.rssMB, r.warm.rssMB, r.reports.rssMB).toFixed(0)} MB`, met: Math.max(r.cold.rssMB, r.warm.rssMB, r.reports.rssMB) < 250 },
    {
      target: 'scan time linear in files (offline ms per added file, 100->1000 vs 100->5000)',
      measured: growth == null || midGrowth == null ? '-' : `${midGrowth.toFixed(2)} vs ${growth.toFixed(2)} ms/file (${perFile(large).toFixed(2)} ms/file overall)`,
      met: growth == null || midGrowth == null ? null : growth <= midGrowth * 1.25
    }
  ]
}

function table(r) {
  const n = (v, w = 10, d = 0) => (v == null || Number.isNaN(v) ? '-' : v.toFixed(d)).padStart(w)
  const head = `${''.padEnd(26)}${'wall ms'.padStart(10)}${'RSS MB'.padStart(8)}${'CPU s'.padStart(7)}${'lab CPU'.padStart(8)}${'total'.padStart(7)}${KINDS.map((k) => ({ token: 'token', ping: 'ping', headManifest: 'HEAD m', getManifest: 'GET m', getBlob: 'GET b', tagsList: 'tags', connect: 'CONNECT', other: 'other' })[k].padStart(8)).join('')}${'401s'.padStart(6)}`
  const row = (label, x) => `${label.padEnd(26)}${n(x.ms)}${n(x.rssMB, 8, 1)}${n(x.cpuS, 7, 1)}${n(x.labCpuS, 8, 1)}${n(x.requests.total, 7)}${KINDS.map((k) => n(x.requests.counts[k], 8)).join('')}${n(x.requests.unauthorized, 6)}`
  const lines = [
    `${r.files} files, ${r.references} image references, ${r.uniqueReferences} unique (${r.uniqueImages} images seeded over open/basic/token); median of ${r.runs} run(s); RSS by ${r.rss}; requests counted by ${r.countedBy}`,
    r.cpus.shared ? `CPUs: the lab's servers and the measured runs share all ${r.cpus.shared}` : `CPUs: the lab's servers on ${r.cpus.lab}, the measured runs (and their children) on ${r.cpus.measured}, as a registry is another machine`,
    `lab start ${r.lab.startMs.toFixed(0)} ms; seeding ${r.uniqueImages} images ${r.lab.seedMs.toFixed(0)} ms (${r.lab.seededManifest}, ${r.lab.layersPerImage} mounted layer(s) + own config each); tree ${r.lab.treeMs.toFixed(0)} ms`,
    '',
    head,
    row('pullgate cold', r.cold),
    row('pullgate warm (cache)', r.warm),
    row('warm + SARIF, report file', r.reports),
    row(`floor (undici, ${CONCURRENCY}/registry)`, r.floor),
    row('pullgate --offline', r.offline),
    ''
  ]
  if (r.skopeo) {
    lines.push(
      `skopeo inspect, shell loop: ${r.skopeo.loop.sample} refs in ${r.skopeo.loop.ms.toFixed(0)} ms -> ${r.skopeo.loop.extrapolatedMs.toFixed(0)} ms for ${r.uniqueReferences} (linear extrapolation)`,
      `skopeo inspect, xargs -P ${CONCURRENCY} (8 in total, not per registry): ${r.skopeo.xargs.references} refs in ${r.skopeo.xargs.ms.toFixed(0)} ms`,
      ''
    )
  } else lines.push('skopeo: skipped (not installed or --no-skopeo)', '')
  lines.push(`scaling (pullgate cold, fresh cache)`, `${'files'.padStart(8)}${'refs'.padStart(8)}${'unique'.padStart(8)}${'wall ms'.padStart(10)}${'requests'.padStart(10)}${'RSS MB'.padStart(8)}`)
  for (const s of r.scaling) lines.push(`${n(s.files, 8)}${n(s.references, 8)}${n(s.unique, 8)}${n(s.ms)}${n(s.requests)}${n(s.rssMB, 8, 1)}${s.reused ? '  (= cold run above)' : ''}`)
  lines.push('', 'scaling (pullgate --offline: the scan alone)', `${'files'.padStart(8)}${'refs'.padStart(8)}${'wall ms'.padStart(10)}${'ms/file'.padStart(9)}${'RSS MB'.padStart(8)}`)
  for (const s of r.offlineScaling) lines.push(`${n(s.files, 8)}${n(s.references, 8)}${n(s.ms)}${n(s.ms / s.files, 9, 2)}${n(s.rssMB, 8, 1)}${s.reused ? '  (= offline run above)' : ''}`)
  const x = r.ratio
  lines.push(
    '',
    `ratio pullgate cold/floor wall: ${x.coldOverFloor.toFixed(2)}x; warm/floor: ${x.warmOverFloor.toFixed(2)}x`,
    r.skopeo ? `ratio skopeo loop (extrapolated)/pullgate cold: ${x.skopeoLoopOverCold.toFixed(1)}x; skopeo xargs/pullgate cold: ${x.skopeoXargsOverCold.toFixed(1)}x` : 'ratio skopeo: -',
    `requests per unique reference: cold ${x.requestsPerUniqueCold.toFixed(2)}, warm ${x.requestsPerUniqueWarm.toFixed(2)}, floor ${x.requestsPerUniqueFloor.toFixed(2)}`,
    `CPU s used by the client (user+system) and by the lab's registries and token issuer meanwhile: cold ${r.cold.cpuS.toFixed(1)} + ${r.cold.labCpuS.toFixed(1)}, floor ${r.floor.cpuS.toFixed(1)} + ${r.floor.labCpuS.toFixed(1)} (on ${os.cpus().length} cores)`,
    `peak RSS MB: cold ${r.cold.rssMB.toFixed(1)}, warm ${r.warm.rssMB.toFixed(1)}, warm with SARIF and report files ${r.reports.rssMB.toFixed(1)}, floor ${r.floor.rssMB.toFixed(1)}, offline ${r.offline.rssMB.toFixed(1)}`,
    `findings (cold): ${Object.entries(r.cold.rules).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    '',
    "issue #9's targets"
  )
  for (const t of r.targets) lines.push(`  ${t.met === null ? 'n/a ' : t.met ? 'met ' : 'NOT '} ${t.target}: ${t.measured}`)
  lines.push('')
  return lines.join('\n')
}

main().catch((error) => {
  process.stderr.write(`bench:full: ${error instanceof BenchError ? error.message : error?.stack ?? error}\n`)
  process.exit(1)
})
