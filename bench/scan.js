#!/usr/bin/env node
/**
 * Scan benchmark: how fast is `pullgate --offline` on a large, realistic manifest tree, and how
 * far is it from the floor (a bare `node` that only reads the files and parses them with the same
 * `yaml` package)? Every measurement is a separate `node` process, startup included, because that
 * is how the CLI and the action are run.
 *
 *   npm run bench:scan -- [--files N] [--runs N] [--seed N] [--keep DIR] [--json] [--no-time]
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { BenchError, CLI, makeRng, MB, median, run, TEAMS, WORDS } from './common.js'

// ---------------------------------------------------------------------------------------------
// Generator. Seeded so that two runs (or two machines) time exactly the same bytes (makeRng).

const COMMENTS = ['managed by platform team', 'TODO: tighten once the SLO is agreed', 'renovate: datasource=docker', 'keep in sync with staging', 'see runbook RB-112']
const PLAIN = /^[A-Za-z0-9][\w./@:+-]*$/
const KEYWORDS = /^(y|n|yes|no|on|off|true|false|null)$/i

/**
 * Writes `fileCount` manifest files under `dir`; returns what a correct scan must find: every
 * `image` a kubelet would pull (merge-key copies count again, as they are separate containers).
 */
function generateTree(dir, fileCount, seed) {
  const r = makeRng(seed)
  const truth = { files: 0, bytes: 0, references: 0, unique: new Set(), documents: 0 }
  // ~500 references over three registries: tags, digests, tag+digest, :latest and no tag at all
  const pool = new Set()
  while (pool.size < 500) {
    const repo = `127.0.0.1:${5000 + (pool.size % 3)}/${r.pick(TEAMS)}/${r.pick(WORDS)}-${r.pick(WORDS)}`
    const x = r.next()
    const tag = `v${r.int(4)}.${r.int(30)}.${r.int(12)}`
    pool.add(x < 0.6 ? `${repo}:${tag}` : x < 0.7 ? `${repo}:${r.int(3)}.${r.int(30)}-alpine` : x < 0.8 ? `${repo}@sha256:${r.hex(64)}` : x < 0.85 ? `${repo}:${tag}@sha256:${r.hex(64)}` : x < 0.95 ? `${repo}:latest` : repo)
  }
  const images = [...pool]
  /** Picks an image and records it: the generator, not pullgate, is the source of truth. */
  const image = (copies = 1) => {
    const s = images[Math.floor(images.length * r.next() ** 1.5)] // skewed: some images are everywhere, like real sidecars
    truth.references += copies
    truth.unique.add(s)
    return s
  }
  const configText = (bytes) => {
    const lines = []
    for (let n = 0; n < bytes; ) {
      const line = r.chance(0.05) ? `# image: ${r.pick(images)}  (documentation only, not a container)` : `${r.pick(WORDS)}.${r.pick(WORDS)}.timeout_${r.int(99)} = ${r.int(100000)} ${r.pick(COMMENTS)}`
      lines.push(lines.length > 0 && r.chance(0.2) ? `  ${line}` : line) // an indented first line would need an indentation indicator
      n += line.length + 1
    }
    return `${lines.join('\n')}\n`
  }
  const container = (name, init) => ({
    name,
    image: image(),
    ...(r.chance(0.4) ? { imagePullPolicy: r.pick(['IfNotPresent', 'Always']) } : {}),
    ...(init ? { command: ['sh', '-c', 'until nc -z db 5432; do sleep 1; done'] } : { args: [`--port=${8080 + r.int(10)}`, '--log-format=json'], ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }),
    env: Array.from({ length: 2 + r.int(8) }, (_, i) => ({ name: `${r.pick(WORDS).toUpperCase()}_SETTING_${i}`, value: `${r.pick(WORDS)}-${r.int(1000)}` })),
    resources: { requests: { cpu: `${50 * (1 + r.int(8))}m`, memory: `${64 * (1 + r.int(16))}Mi` }, limits: { memory: `${128 * (1 + r.int(16))}Mi` } },
    ...(init ? {} : { readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 } }),
    volumeMounts: [{ name: 'config', mountPath: '/etc/app', readOnly: true }]
  })
  const podSpec = (name) => ({
    serviceAccountName: name,
    ...(r.chance(0.3) ? { imagePullSecrets: [{ name: 'regcred' }] } : {}),
    ...(r.chance(0.5) ? { initContainers: [container('wait-for-db', true)] } : {}),
    containers: Array.from({ length: 1 + r.int(3) }, (_, i) => container(i === 0 ? name : `sidecar-${i}`, false)),
    volumes: [{ name: 'config', configMap: { name: `${name}-config` } }]
  })
  const meta = (name, team) => ({ name, namespace: team, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': team } })
  const template = (name, team) => ({ metadata: { labels: meta(name, team).labels }, spec: podSpec(name) })
  const workload = (kind, name, team) => {
    if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: meta(name, team), spec: podSpec(name) }
    if (kind === 'Job') return { apiVersion: 'batch/v1', kind, metadata: meta(name, team), spec: { backoffLimit: 2, template: template(name, team) } }
    if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: meta(name, team), spec: { schedule: `${r.int(60)} */6 * * *`, jobTemplate: { spec: { template: template(name, team) } } } }
    if (kind === 'Rollout') return { apiVersion: 'argoproj.io/v1alpha1', kind, metadata: meta(name, team), spec: { replicas: 3, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: { duration: '1h' } }] } }, template: template(name, team) } }
    if (kind === 'Task') {
      const step = (i) => ({ name: `step-${i}`, image: image(), script: `#!/bin/sh\nset -eu\nmake -C /workspace ${r.pick(WORDS)}\n` })
      const sidecars = r.chance(0.3) ? { sidecars: [{ name: 'dind', image: image() }] } : {}
      return { apiVersion: 'tekton.dev/v1', kind, metadata: meta(name, team), spec: { stepTemplate: { env: [{ name: 'HOME', value: '/workspace' }] }, steps: Array.from({ length: 2 + r.int(4) }, (_, i) => step(i)), ...sidecars } }
    }
    return { apiVersion: 'apps/v1', kind, metadata: meta(name, team), spec: { ...(kind === 'DaemonSet' ? {} : { replicas: 1 + r.int(5) }), selector: { matchLabels: meta(name, team).labels }, template: template(name, team) } }
  }
  const service = (name, team) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name, team), spec: { selector: meta(name, team).labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } })
  const configMap = (name, team, bytes) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${name}-config`, team), data: { 'app.properties': configText(bytes), 'LOG_LEVEL': 'info' } })

  /** A small YAML emitter, so the same objects also serve the JSON files; adds comment and quoting variety. */
  const scalar = (v) => (typeof v !== 'string' ? String(v) : PLAIN.test(v) && Number.isNaN(Number(v)) && !KEYWORDS.test(v) ? (r.chance(0.1) ? `'${v}'` : v) : JSON.stringify(v))
  const emit = (node, pad, out) => {
    if (Array.isArray(node)) {
      for (const item of node) {
        if (typeof item !== 'object') { out.push(`${pad}- ${scalar(item)}`); continue }
        const sub = []
        emit(item, `${pad}  `, sub)
        out.push(`${pad}- ${sub[0].trimStart()}`, ...sub.slice(1))
      }
      return
    }
    Object.entries(node).forEach(([k, v], i) => {
      if (i > 0 && r.chance(0.02)) out.push(`${pad}# ${r.pick(COMMENTS)}`)
      if (typeof v === 'string' && v.includes('\n')) out.push(`${pad}${k}: |`, ...v.slice(0, -1).split('\n').map((l) => `${pad}  ${l}`))
      else if (typeof v !== 'object') out.push(`${pad}${k}: ${scalar(v)}${k === 'image' && r.chance(0.1) ? ` # ${r.pick(COMMENTS)}` : ''}`)
      else if (Array.isArray(v) && r.chance(0.5)) (out.push(`${pad}${k}:`), emit(v, pad, out)) // kubectl style: "- " level with the key
      else (out.push(`${pad}${k}:`), emit(v, `${pad}  `, out))
    })
  }
  const toYaml = (docs) => docs.map((d) => { const out = []; emit(d, '', out); return out.join('\n') }).join('\n---\n')
  /** Anchors, aliases and `<<` merge keys: the `worker` container inherits main's image (a second reference). */
  const anchored = (name, team) => {
    const [main, proxy] = [image(2), image()]
    return `# shared defaults through anchors
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${team}
  labels: &labels
    app.kubernetes.io/name: ${name}
spec:
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels: *labels
    spec:
      containers:
        - &main
          name: ${name}
          image: "${main}"
          resources: &res
            requests: {cpu: 100m, memory: 128Mi}
          env: &env
            - {name: MODE, value: server}
        - <<: *main
          name: worker
          args: ["--worker"]
        - name: proxy
          image: ${proxy}
          resources: *res
          env: *env
`
  }

  const bigEvery = Math.max(2, Math.round(fileCount / 500)) // a few 200 KB+ files, wherever the seed puts them
  const big = new Set(Array.from({ length: bigEvery }, () => r.int(fileCount)))
  for (let i = 0; i < fileCount; i++) {
    const team = TEAMS[i % TEAMS.length]
    const name = `${r.pick(WORDS)}-${i}`
    const folder = path.join(dir, 'clusters', `team-${team}`, `app-${Math.floor(i / 12)}`)
    let docs
    let text
    let ext = 'yaml'
    const x = r.next()
    if (big.has(i)) docs = i % 2 ? [configMap(name, team, 220_000 + r.int(80_000)), workload('Deployment', name, team)] : Array.from({ length: 70 }, (_, j) => workload('Deployment', `${name}-${j}`, team))
    else if (x < 0.42) docs = [workload(r.pick(['Deployment', 'Deployment', 'StatefulSet', 'DaemonSet']), name, team), service(name, team), ...(r.chance(0.5) ? [configMap(name, team, 500 + r.int(2500))] : []), ...(r.chance(0.5) ? [workload('CronJob', `${name}-cron`, team)] : [])]
    else if (x < 0.52) docs = [workload('CronJob', name, team), workload('Job', `${name}-migrate`, team)]
    else if (x < 0.57) docs = [workload('Pod', name, team), workload('Pod', `${name}-debug`, team)]
    else if (x < 0.65) docs = [workload('Rollout', name, team), service(name, team)]
    else if (x < 0.73) docs = Array.from({ length: 1 + r.int(3) }, (_, j) => workload('Task', `${name}-${j}`, team))
    else if (x < 0.81) docs = [configMap(name, team, 3000 + r.int(12000)), workload('Deployment', name, team)]
    else if (x < 0.89) {
      ext = 'json' // kubectl accepts JSON: one object, or a List of them
      const items = [workload(r.pick(['Deployment', 'StatefulSet']), name, team), service(name, team)]
      text = JSON.stringify(r.chance(0.5) ? { apiVersion: 'v1', kind: 'List', items } : items[0], null, r.chance(0.8) ? 2 : 0)
      truth.documents += 1
    } else {
      text = `${anchored(name, team)}---\n${toYaml([service(name, team)])}`
      truth.documents += 2
    }
    if (docs) {
      text = `${r.chance(0.3) ? `# ${r.pick(COMMENTS)}\n` : ''}${r.chance(0.3) ? '---\n' : ''}${toYaml(docs)}`
      truth.documents += docs.length
    }
    text = `${text}\n`
    if (ext === 'yaml' && r.chance(0.02)) text = text.replace(/\n/g, '\r\n') // Windows checkouts exist
    mkdirSync(folder, { recursive: true })
    writeFileSync(path.join(folder, `${String(i).padStart(5, '0')}-${name}.${ext}`), text)
    truth.files++
    truth.bytes += Buffer.byteLength(text)
  }
  return truth
}

// ---------------------------------------------------------------------------------------------
// Measurement. Each case is `node SCRIPT ARGS...` in its own process.

/** The floor: discover (cheaply), read and parse every file with pullgate's `yaml` and options. Nothing else. */
const floorScript = (yamlUrl) => `import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseAllDocuments } from ${JSON.stringify(yamlUrl)}
const dir = process.argv[2]
let files = 0, documents = 0
for (const rel of readdirSync(dir, { recursive: true })) {
  if (!/\\.(ya?ml|json)$/.test(rel)) continue
  const docs = parseAllDocuments(readFileSync(path.join(dir, rel), 'utf8'), { merge: true, uniqueKeys: false })
  files++
  documents += Array.isArray(docs) ? docs.length : 0
}
process.stdout.write(JSON.stringify({ files, documents }) + '\\n')
`
/** Runs `node ...args` with wall time and peak RSS (bench/common.js). */
const runNode = (args, useTime, cwd) => run(null, args, { useTime, cwd })

async function main() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '2000' },
      runs: { type: 'string', default: '5' },
      seed: { type: 'string', default: '42' },
      keep: { type: 'string' }, // generate into DIR (must be empty or new) and leave it there
      json: { type: 'boolean', default: false },
      'no-time': { type: 'boolean', default: false } // peak RSS from the child itself, as where /usr/bin/time is missing
    }
  })
  const [files, runs, seed] = ['files', 'runs', 'seed'].map((k) => Number(values[k]))
  if (![files, runs].every((n) => Number.isInteger(n) && n >= 1) || !Number.isInteger(seed)) throw new BenchError('--files and --runs must be positive integers, --seed an integer')
  if (!existsSync(CLI)) throw new BenchError(`${path.relative(process.cwd(), CLI) || CLI} is missing: run \`npm run bundle\` first`)
  const useTime = !values['no-time'] && spawnSync('sh', ['-c', 'command -v /usr/bin/time'], { stdio: 'ignore' }).status === 0

  if (values.keep && existsSync(values.keep) && readdirSync(values.keep).length > 0) throw new BenchError(`--keep ${values.keep}: folder exists and is not empty`)
  const work = mkdtempSync(path.join(os.tmpdir(), 'pullgate-bench-'))
  const tree = values.keep ? path.resolve(values.keep) : path.join(work, 'tree')
  try {
    process.stderr.write(`generating ${files} files (seed ${seed}) in ${tree}\n`)
    const truth = generateTree(tree, files, seed)
    const floor = path.join(work, 'floor.mjs')
    writeFileSync(floor, floorScript(import.meta.resolve('yaml'))) // resolved from this project: the yaml pullgate bundles
    const noop = path.join(work, 'noop.mjs')
    writeFileSync(noop, '')
    const cases = {
      pullgate: [CLI, '--offline', '--format', 'json', tree],
      floor: [floor, tree],
      version: [CLI, '--version'],
      node: [noop]
    }

    // Untimed first pass: warms the page cache, and proves the scan is correct before it is timed.
    const first = await runNode(cases.pullgate, useTime, tree)
    let report
    try { report = JSON.parse(first.stdout) } catch { throw new BenchError(`pullgate exited ${first.code} without a JSON report: ${first.stderr.trim().split('\n')[0]}`) }
    const s = report.summary
    const broken = report.findings.filter((f) => f.rule === 'invalid-manifest').length
    if (first.code > 1 || s.references !== truth.references || s.uniqueImages !== truth.unique.size || s.files !== truth.files || s.documents !== truth.documents || broken > 0)
      throw new BenchError(`pullgate counts disagree with the generator: references ${s.references}/${truth.references}, unique ${s.uniqueImages}/${truth.unique.size}, files ${s.files}/${truth.files}, documents ${s.documents}/${truth.documents}, invalid-manifest findings ${broken} (exit ${first.code})`)
    const floorRun = await runNode(cases.floor, useTime, tree)
    if (floorRun.code !== 0) throw new BenchError(`floor exited ${floorRun.code}: ${floorRun.stderr.trim().split('\n')[0]}`)
    const floorCheck = JSON.parse(floorRun.stdout)
    if (floorCheck.files !== truth.files || floorCheck.documents !== truth.documents) throw new BenchError(`floor read ${floorCheck.files} files / ${floorCheck.documents} documents, expected ${truth.files} / ${truth.documents}`)

    // Interleaved, so that a noisy moment on the machine hits every case alike rather than one.
    const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`run ${i + 1}/${runs}\n`)
      for (const [name, args] of Object.entries(cases)) {
        const result = await runNode(args, useTime, tree)
        if (result.code > (name === 'pullgate' ? 1 : 0)) throw new BenchError(`${name} run ${i + 1} exited ${result.code}: ${result.stderr.trim().split('\n')[0]}`)
        if (name === 'pullgate' && result.stdout.length !== first.stdout.length) throw new BenchError(`pullgate run ${i + 1} printed a different report than the checked one`)
        samples[name].push(result)
      }
    }
    const stat = (name) => ({ ms: median(samples[name].map((x) => x.ms)), rssMB: median(samples[name].map((x) => x.rss)) / MB })
    const [pg, fl, ver, nd] = ['pullgate', 'floor', 'version', 'node'].map(stat)
    const mb = truth.bytes / MB
    const rate = (x) => ({ ...x, filesPerSec: truth.files / (x.ms / 1000), mbPerSec: mb / (x.ms / 1000) })
    const result = {
      files: truth.files, mb, references: truth.references, uniqueImages: truth.unique.size, documents: truth.documents, runs, seed, rss: useTime ? '/usr/bin/time -v' : 'process.resourceUsage',
      pullgate: rate(pg), floor: rate(fl), startup: { pullgateVersion: ver, node: nd },
      ratio: { wall: pg.ms / fl.ms, withoutStartup: (pg.ms - ver.ms) / (fl.ms - nd.ms), rss: pg.rssMB / fl.rssMB }
    }
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : table(result))
  } finally {
    rmSync(work, { recursive: true, force: true }) // the tree too, unless it lives in --keep DIR
  }
}

function table(r) {
  const f = (v, d = 1) => v.toFixed(d).padStart(10)
  const row = (label, x, full = true) => `${label.padEnd(22)}${f(x.ms)}${full ? `${f(x.filesPerSec, 0)}${f(x.mbPerSec, 2)}` : ' '.repeat(20)}${x.rssMB.toFixed(1).padStart(12)}`
  return [
    `${r.files} files, ${r.mb.toFixed(2)} MB of YAML/JSON, ${r.documents} documents, ${r.references} image references (${r.uniqueImages} unique); median of ${r.runs} runs`,
    `${''.padEnd(22)}${'wall ms'.padStart(10)}${'files/s'.padStart(10)}${'MB/s'.padStart(10)}${'peak RSS MB'.padStart(12)}`,
    row('pullgate --offline', r.pullgate),
    row('floor (yaml parse)', r.floor),
    row('pullgate --version', r.startup.pullgateVersion, false),
    row('node (empty script)', r.startup.node, false),
    `ratio pullgate/floor: wall ${r.ratio.wall.toFixed(2)}x, peak RSS ${r.ratio.rss.toFixed(2)}x`,
    // startup taken out of both sides: what is left is the per-file work (pullgate's bundle load vs importing yaml)
    `ratio (pullgate - --version)/(floor - node): ${r.ratio.withoutStartup.toFixed(2)}x`,
    ''
  ].join('\n')
}

main().catch((error) => {
  process.stderr.write(`bench:scan: ${error instanceof BenchError ? error.message : error?.stack ?? error}\n`)
  process.exit(1)
})
