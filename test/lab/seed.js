// Seeds a running lab (see lab.js) with tiny, deterministic images.
//
// 1. buildLayout(): writes an OCI image layout in Node: per platform (linux/amd64, linux/arm64/v8)
//    one gzip layer (a sorted ustar archive with fixed mtimes, gzip level 9, header mtime 0), a
//    config with os/architecture, an OCI manifest; an OCI index over both; plus the odd ones
//    (zstd layer, BuildKit-style attestation index, gzip bytes labelled as an uncompressed tar,
//    a Helm chart artifact, lab/app versions). Same bytes on every run, so the same digests.
// 2. pushes with skopeo: `--format v2s2` (Docker v2s2 / Docker manifest list via `--all`),
//    `--preserve-digests` for the OCI bytes, `--format v2s1` for a signed schema1 manifest.
//    Extra tags with identical content (v1.2, lab/many:1.0.1…1.0.24, lab/app:latest) are PUT
//    through the registry API from Node: 25 skopeo runs would cost seconds, a PUT costs ~1 ms.
// 3. collects what each registry now answers for every seeded tag (HEAD with every manifest type
//    in Accept; GET for indexes to record children) into lab.images, and checks that the OCI
//    content kept the digests computed here (skopeo must not have rewritten it).
//
// What skopeo cannot or will not do is pushed through the registry HTTP API directly and noted in
// lab.notes (and a failed schema1 push is skipped and noted rather than failing the lab).
import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import zlib from 'node:zlib'
import { request, basicAuth, fetchToken } from './http.js'

export const MT = Object.freeze({
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  OCI_LAYER: 'application/vnd.oci.image.layer.v1.tar',
  OCI_LAYER_GZIP: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OCI_LAYER_ZSTD: 'application/vnd.oci.image.layer.v1.tar+zstd',
  DOCKER_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  SCHEMA1_SIGNED: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  SCHEMA1: 'application/vnd.docker.distribution.manifest.v1+json',
  HELM_CONFIG: 'application/vnd.cncf.helm.config.v1+json',
  HELM_CHART: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  IN_TOTO: 'application/vnd.in-toto+json'
})

/** Every manifest type distribution 2.8 knows: with all of them in Accept nothing is converted. */
export const ACCEPT_ALL = [MT.OCI_INDEX, MT.OCI_MANIFEST, MT.DOCKER_LIST, MT.DOCKER_MANIFEST, MT.SCHEMA1_SIGNED, MT.SCHEMA1].join(', ')

/** @type {Set<string>} */
const INDEX_TYPES = new Set([MT.OCI_INDEX, MT.DOCKER_LIST])

/** Fixed timestamp for tar entries and image configs (2024-01-01T00:00:00Z). */
const EPOCH = 1704067200
const CREATED = '2024-01-01T00:00:00Z'

// ---------------------------------------------------------------------------------------------
// Deterministic content

/** @param {Buffer|string} b */
const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex')

/**
 * A POSIX ustar archive; entries are sorted by name so the order never depends on the caller.
 * @param {{ name: string, content?: string|Buffer, dir?: boolean, mode?: number }[]} entries
 */
export function tar(entries) {
  const blocks = []
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const body = e.dir ? Buffer.alloc(0) : Buffer.from(e.content ?? '')
    const h = Buffer.alloc(512)
    const put = (/** @type {string} */ s, /** @type {number} */ off, /** @type {number} */ len) => h.write(s, off, len, 'ascii')
    const oct = (/** @type {number} */ n, /** @type {number} */ len) => n.toString(8).padStart(len - 1, '0') + '\0'
    put(e.name, 0, 100)
    put(oct(e.mode ?? (e.dir ? 0o755 : 0o644), 8), 100, 8)
    put(oct(0, 8), 108, 8) // uid
    put(oct(0, 8), 116, 8) // gid
    put(oct(body.length, 12), 124, 12)
    put(oct(EPOCH, 12), 136, 12)
    put('        ', 148, 8) // checksum placeholder: spaces while summing
    put(e.dir ? '5' : '0', 156, 1)
    put('ustar\0', 257, 6)
    put('00', 263, 2)
    put('root', 265, 32)
    put('root', 297, 32)
    put(oct(0, 8), 329, 8)
    put(oct(0, 8), 337, 8)
    let sum = 0
    for (const byte of h) sum += byte
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8)
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

/** gzip with fixed level; Node writes mtime 0 and no file name, so the bytes depend only on zlib. */
const gzip = (/** @type {Buffer} */ b) => zlib.gzipSync(b, { level: 9 })
const zstd = (/** @type {Buffer} */ b) =>
  zlib.zstdCompressSync(b, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 3, [zlib.constants.ZSTD_c_checksumFlag]: 1 } })

/** @typedef {{ digest: string, size: number }} Desc */

/** An OCI layout under construction: blobs by digest plus named refs in index.json. */
class Layout {
  constructor() {
    /** @type {Map<string, Buffer>} */
    this.blobs = new Map()
    /** @type {Map<string, { mediaType: string, digest: string, size: number }>} */
    this.refs = new Map()
  }
  /** @param {Buffer|string} data @returns {Desc} */
  blob(data) {
    const b = Buffer.from(data)
    const digest = sha256(b)
    this.blobs.set(digest, b)
    return { digest, size: b.length }
  }
  /** @param {object} obj JSON without whitespace, key order as written @returns {Desc} */
  json(obj) {
    return this.blob(JSON.stringify(obj))
  }
  /** @param {string} name @param {string} mediaType @param {Desc} d */
  ref(name, mediaType, d) {
    this.refs.set(name, { mediaType, digest: d.digest, size: d.size })
  }
  /** @param {string} dir */
  async write(dir) {
    await fsp.rm(dir, { recursive: true, force: true })
    await fsp.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true })
    await fsp.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
    await Promise.all(
      [...this.blobs].map(([d, b]) => fsp.writeFile(path.join(dir, 'blobs', 'sha256', d.slice(7)), b))
    )
    const manifests = [...this.refs].map(([name, r]) => ({
      mediaType: r.mediaType,
      digest: r.digest,
      size: r.size,
      annotations: { 'org.opencontainers.image.ref.name': name }
    }))
    await fsp.writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }))
  }
}

const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' }
]
/** @param {{os: string, architecture: string, variant?: string}} p */
const platformString = (p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/')

/**
 * Builds every piece of seeded content into one OCI layout.
 * @param {string} dir
 * @returns {Promise<{ refs: Map<string, {mediaType: string, digest: string, size: number}>, layout: Layout }>}
 */
export async function buildLayout(dir) {
  const L = new Layout()

  /** @param {{os: string, architecture: string, variant?: string}} p @param {Record<string,string>} [labels] */
  const image = (p, labels = {}, compress = 'gzip') => {
    const ps = platformString(p)
    const layerTar = tar([
      { name: 'etc/', dir: true },
      { name: 'etc/pullgate-lab-release', content: `PLATFORM=${ps}\n` },
      { name: 'hello', content: `#!/bin/sh\necho "hello from the pullgate lab (${ps})"\n`, mode: 0o755 }
    ])
    const layerBytes = compress === 'zstd' ? zstd(layerTar) : gzip(layerTar)
    const layer = L.blob(layerBytes)
    const config = L.json({
      architecture: p.architecture,
      os: p.os,
      ...(p.variant ? { variant: p.variant } : {}),
      created: CREATED,
      config: { Env: ['PATH=/'], Cmd: ['/hello'], Labels: { 'lab.platform': ps, ...labels } },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created: CREATED, created_by: 'pullgate lab (test/lab/seed.js)' }]
    })
    return { config, layer, layerBytes }
  }
  /** @param {Desc} config @param {{mediaType: string} & Desc} layer @param {string} [configType] */
  const manifest = (config, layer, configType = MT.OCI_CONFIG) =>
    L.json({
      schemaVersion: 2,
      mediaType: MT.OCI_MANIFEST,
      config: { mediaType: configType, digest: config.digest, size: config.size },
      layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }]
    })

  // Plain images per platform.
  /** @type {Record<string, Desc>} */
  const byPlatform = {}
  for (const p of PLATFORMS) {
    const img = image(p)
    byPlatform[platformString(p)] = manifest(img.config, { mediaType: MT.OCI_LAYER_GZIP, ...img.layer })
  }
  const amd64 = byPlatform['linux/amd64']
  const arm64 = byPlatform['linux/arm64/v8']
  L.ref('amd64', MT.OCI_MANIFEST, amd64)
  L.ref('arm64', MT.OCI_MANIFEST, arm64)
  const multi = L.json({
    schemaVersion: 2,
    mediaType: MT.OCI_INDEX,
    manifests: PLATFORMS.map((p) => ({
      mediaType: MT.OCI_MANIFEST,
      digest: byPlatform[platformString(p)].digest,
      size: byPlatform[platformString(p)].size,
      platform: { architecture: p.architecture, os: p.os, ...(p.variant ? { variant: p.variant } : {}) }
    }))
  })
  L.ref('multi', MT.OCI_INDEX, multi)

  // zstd layer (same config: diff_ids are over the uncompressed tar).
  const z = image(PLATFORMS[0], {}, 'zstd')
  L.ref('zstd', MT.OCI_MANIFEST, manifest(z.config, { mediaType: MT.OCI_LAYER_ZSTD, ...z.layer }))

  // gzip bytes labelled as an uncompressed tar (what some broken pushers produce).
  const g = image(PLATFORMS[0])
  L.ref('uncompressed-gzip', MT.OCI_MANIFEST, manifest(g.config, { mediaType: MT.OCI_LAYER, ...g.layer }))

  // BuildKit-style attestation: index with the amd64 image and an in-toto manifest for it.
  const statement = L.json({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: 'pkg:docker/lab/hello@attest?platform=linux%2Famd64', digest: { sha256: amd64.digest.slice(7) } }],
    predicate: { builder: { id: 'https://github.com/pullgate/lab' }, buildType: 'https://mobyproject.org/buildkit@v1' }
  })
  const attConfig = L.json({
    architecture: 'unknown',
    os: 'unknown',
    config: {},
    rootfs: { type: 'layers', diff_ids: [statement.digest] }
  })
  const attManifest = L.json({
    schemaVersion: 2,
    mediaType: MT.OCI_MANIFEST,
    config: { mediaType: MT.OCI_CONFIG, digest: attConfig.digest, size: attConfig.size },
    layers: [
      {
        mediaType: MT.IN_TOTO,
        digest: statement.digest,
        size: statement.size,
        annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' }
      }
    ]
  })
  const attest = L.json({
    schemaVersion: 2,
    mediaType: MT.OCI_INDEX,
    manifests: [
      { mediaType: MT.OCI_MANIFEST, digest: amd64.digest, size: amd64.size, platform: { architecture: 'amd64', os: 'linux' } },
      {
        mediaType: MT.OCI_MANIFEST,
        digest: attManifest.digest,
        size: attManifest.size,
        annotations: { 'vnd.docker.reference.digest': amd64.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
        platform: { architecture: 'unknown', os: 'unknown' }
      }
    ]
  })
  L.ref('attest', MT.OCI_INDEX, attest)

  // Helm chart as an OCI artifact (what `helm push` stores).
  const chartTgz = L.blob(
    gzip(
      tar([
        { name: 'hello/', dir: true },
        {
          name: 'hello/Chart.yaml',
          content: 'apiVersion: v2\nname: hello\nversion: 0.1.0\ndescription: pullgate lab test chart\ntype: application\n'
        },
        { name: 'hello/values.yaml', content: 'image: lab/hello:latest\n' }
      ])
    )
  )
  const chartConfig = L.json({
    name: 'hello',
    version: '0.1.0',
    description: 'pullgate lab test chart',
    apiVersion: 'v2',
    type: 'application'
  })
  L.ref(
    'chart',
    MT.OCI_MANIFEST,
    L.json({
      schemaVersion: 2,
      mediaType: MT.OCI_MANIFEST,
      config: { mediaType: MT.HELM_CONFIG, digest: chartConfig.digest, size: chartConfig.size },
      layers: [{ mediaType: MT.HELM_CHART, digest: chartTgz.digest, size: chartTgz.size }],
      annotations: { 'org.opencontainers.image.created': CREATED }
    })
  )

  // lab/app versions: distinct configs (version label), so distinct digests per tag.
  for (const v of ['1.0.0', '1.1.0', '2.0.0']) {
    const img = image(PLATFORMS[0], { 'org.opencontainers.image.version': v })
    L.ref(`app-${v}`, MT.OCI_MANIFEST, manifest(img.config, { mediaType: MT.OCI_LAYER_GZIP, ...img.layer }))
  }

  await L.write(dir)
  return { refs: L.refs, layout: L }
}

// ---------------------------------------------------------------------------------------------
// Pushing

/**
 * @typedef {{ key: 'open'|'basic'|'token'|'tls', host: string, url: string }} Target
 * @typedef {{ target: Target, repo: string, tag: string, ref: string, format?: 'v2s2'|'oci'|'v2s1', all?: boolean,
 *   preserve?: boolean, optional?: string, httpFallback?: boolean }} Push
 */

/**
 * @param {import('./lab.js').Lab} lab
 * @param {{ log?: (msg: string) => void, concurrency?: number }} [opts]
 * @returns {Promise<{ images: Record<string, import('./lab.js').SeededImage>, notes: string[] }>}
 */
export async function seedLab(lab, { log = () => {}, concurrency = Number(process.env.LAB_SEED_CONCURRENCY ?? 4) } = {}) {
  const work = path.join(lab.stateDir, 'seed')
  const layoutDir = path.join(work, 'layout')
  const { refs, layout } = await buildLayout(layoutDir)
  /** @type {string[]} */
  const notes = []

  // Hermetic skopeo: no system registries.conf (mirrors, blocks), no user auth file, no
  // signature-store configuration, temp files under the state dir. Its blob-info cache stays in
  // /var/lib/containers/cache as root (skopeo 1.9.3 has no option for it).
  const skopeoDir = path.join(work, 'skopeo')
  await fsp.mkdir(path.join(skopeoDir, 'registries.d'), { recursive: true })
  await fsp.mkdir(path.join(skopeoDir, 'tmp'), { recursive: true })
  await fsp.writeFile(path.join(skopeoDir, 'registries.conf'), '# pullgate lab: no mirrors, no search registries\n')
  const env = {
    ...process.env,
    CONTAINERS_REGISTRIES_CONF: path.join(skopeoDir, 'registries.conf'),
    REGISTRY_AUTH_FILE: path.join(skopeoDir, 'auth.json'),
    TMPDIR: path.join(skopeoDir, 'tmp')
  }
  const certDir = path.join(lab.stateDir, 'certs', 'skopeo')
  const T = {
    open: /** @type {Target} */ ({ key: 'open', host: lab.open.host, url: lab.open.url }),
    basic: /** @type {Target} */ ({ key: 'basic', host: lab.basic.host, url: lab.basic.url }),
    token: /** @type {Target} */ ({ key: 'token', host: lab.token.host, url: lab.token.url }),
    tls: /** @type {Target} */ ({ key: 'tls', host: lab.tls.host, url: lab.tls.url })
  }

  /** @type {Push[]} */
  const pushes = [
    { target: T.open, repo: 'lab/hello', tag: 'latest', ref: 'multi', format: 'v2s2', all: true },
    { target: T.open, repo: 'lab/hello', tag: 'v2s2', ref: 'amd64', format: 'v2s2' },
    { target: T.open, repo: 'lab/hello', tag: 'oci', ref: 'amd64', preserve: true },
    { target: T.open, repo: 'lab/hello', tag: 'multi-oci', ref: 'multi', all: true, preserve: true },
    { target: T.open, repo: 'lab/hello', tag: 'arm64-only', ref: 'arm64', preserve: true },
    { target: T.open, repo: 'lab/hello', tag: 'zstd', ref: 'zstd', preserve: true, httpFallback: true },
    { target: T.open, repo: 'lab/hello', tag: 'v2s1', ref: 'amd64', format: 'v2s1', optional: 'schema1' },
    { target: T.open, repo: 'lab/hello', tag: 'attest', ref: 'attest', all: true, preserve: true, httpFallback: true },
    { target: T.open, repo: 'lab/hello', tag: 'uncompressed-gzip', ref: 'uncompressed-gzip', preserve: true, httpFallback: true },
    { target: T.open, repo: 'lab/chart', tag: '0.1.0', ref: 'chart', preserve: true, httpFallback: true },
    { target: T.open, repo: 'lab/many', tag: '1.0.0', ref: 'amd64', format: 'v2s2' },
    { target: T.open, repo: 'lab/app', tag: '1.0.0', ref: 'app-1.0.0', preserve: true },
    { target: T.open, repo: 'lab/app', tag: '1.1.0', ref: 'app-1.1.0', preserve: true },
    { target: T.open, repo: 'lab/app', tag: '2.0.0', ref: 'app-2.0.0', preserve: true },
    { target: T.basic, repo: 'private/hello', tag: 'latest', ref: 'multi', format: 'v2s2', all: true },
    { target: T.basic, repo: 'private/hello', tag: 'v2s2', ref: 'amd64', format: 'v2s2' },
    { target: T.basic, repo: 'private/hello', tag: 'oci', ref: 'amd64', preserve: true },
    { target: T.token, repo: 'public/hello', tag: 'latest', ref: 'multi', format: 'v2s2', all: true },
    { target: T.token, repo: 'public/hello', tag: '1.0', ref: 'amd64', format: 'v2s2' },
    { target: T.token, repo: 'private/hello', tag: 'latest', ref: 'multi', format: 'v2s2', all: true },
    { target: T.token, repo: 'private/hello', tag: '1.0', ref: 'amd64', preserve: true },
    { target: T.tls, repo: 'lab/hello', tag: 'latest', ref: 'multi', format: 'v2s2', all: true },
    { target: T.tls, repo: 'lab/hello', tag: 'oci', ref: 'amd64', preserve: true }
  ]
  /** Extra tags with the same manifest as an existing one: [target, repo, fromTag, toTags]. */
  const aliases = /** @type {[Target, string, string, string[]][]} */ ([
    [T.open, 'lab/hello', 'v2s2', ['v1.2']],
    [T.open, 'lab/hello', 'latest', ['multi-docker']],
    [T.open, 'lab/many', '1.0.0', Array.from({ length: 24 }, (_, i) => `1.0.${i + 1}`)],
    [T.open, 'lab/app', '2.0.0', ['latest']]
  ])

  const ca = fs.readFileSync(lab.tls.caFile)
  const alice = { user: 'alice', password: lab.basic.users.alice }
  const tokenCache = new Map()
  /** Authorization header for API calls to a target (alice everywhere; push rights where needed). */
  /** @type {(t: Target, repo: string, actions?: string) => Promise<Record<string, string>>} */
  const authFor = async (t, repo, actions = 'pull,push') => {
    if (t.key === 'basic') return { Authorization: basicAuth(alice.user, alice.password) }
    if (t.key !== 'token') return {}
    const scope = `repository:${repo}:${actions}`
    if (!tokenCache.has(scope)) {
      tokenCache.set(scope, await fetchToken({ realm: lab.token.issuer.realm, service: lab.token.service }, [scope], alice))
    }
    return { Authorization: `Bearer ${tokenCache.get(scope)}` }
  }

  /**
   * Monolithic blob upload (POST, then PUT with the digest), skipped when the repo has it.
   * @param {Target} t @param {string} repo @param {string} digest
   */
  async function putBlob(t, repo, digest) {
    const auth = await authFor(t, repo)
    const head = await request(`${t.url}/v2/${repo}/blobs/${digest}`, { ca, method: 'HEAD', headers: auth })
    if (head.status === 200) return
    const start = await request(`${t.url}/v2/${repo}/blobs/uploads/`, { ca, method: 'POST', headers: auth })
    if (start.status !== 202) throw new Error(`lab seed: upload start ${t.key}/${repo}: ${start.status} ${start.body}`)
    const loc = new URL(String(start.headers.location), t.url)
    loc.searchParams.set('digest', digest)
    const body = /** @type {Buffer} */ (layout.blobs.get(digest))
    const put = await request(loc.href, {
      ca,
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
      body
    })
    if (put.status !== 201) throw new Error(`lab seed: blob PUT ${t.key}/${repo}@${digest}: ${put.status} ${put.body}`)
  }

  /** @param {Push} p */
  const skopeo = async (p) => {
    const args = ['--insecure-policy', '--registries.d', path.join(skopeoDir, 'registries.d'), '--tmpdir', env.TMPDIR, 'copy', '--quiet', '--retry-times', '2']
    if (p.all) args.push('--all')
    if (p.format) args.push('--format', p.format)
    if (p.preserve) args.push('--preserve-digests')
    if (p.target.key === 'tls') args.push('--dest-cert-dir', certDir)
    else args.push('--dest-tls-verify=false')
    if (p.target.key === 'basic' || p.target.key === 'token') args.push('--dest-creds', `${alice.user}:${alice.password}`)
    else args.push('--dest-no-creds')
    args.push(`oci:${layoutDir}:${p.ref}`, `docker://${p.target.host}/${p.repo}:${p.tag}`)
    await execP('skopeo', args, env)
  }

  // distribution 2.8 writes link files (tags, manifest revisions, layer links) in place, truncating
  // first (filesystem driver PutContent), so a manifest PUT that re-links a manifest while another
  // request in the same repository reads that link sees an empty file: the other PUT fails with
  // "digest invalid" / "manifest blob unknown". Writes are therefore serialised per repository;
  // repositories are seeded in parallel, the longest queue first.
  /** @type {Map<string, Push[]>} */
  const queues = new Map()
  for (const p of pushes) {
    const k = `${p.target.key}/${p.repo}`
    queues.set(k, [...(queues.get(k) ?? []), p])
  }
  const s0 = performance.now()
  let skopeoRuns = 0
  /** @type {Push[]} */
  const retry = []
  await pool([...queues.values()].sort((a, b) => b.length - a.length), concurrency, async (queue) => {
    for (const p of queue) {
      try {
        skopeoRuns++
        await skopeo(p)
      } catch (err) {
        log(`seed: ${p.target.key}/${p.repo}:${p.tag} failed, will retry: ${String(/** @type {Error} */ (err).message).trim().split('\n').slice(-1)[0]}`)
        retry.push(p)
      }
    }
  })
  // Whatever failed in parallel gets one more, sequential, chance before we judge it.
  await pool(retry, 1, async (p) => {
    const what = `${p.target.key}/${p.repo}:${p.tag}`
    try {
      skopeoRuns++
      await skopeo(p)
    } catch (err) {
      const msg = String(/** @type {Error} */ (err).message).trim().split('\n').slice(-1)[0]
      if (p.optional) {
        notes.push(`${what} (${p.optional}) not seeded: skopeo failed: ${msg}`)
        return
      }
      if (p.httpFallback) {
        notes.push(`${what}: skopeo failed (${msg}); pushed through the registry API instead`)
        await pushViaApi(p.target, p.repo, p.tag, p.ref)
        return
      }
      throw new Error(`lab seed: ${what}: ${msg}`)
    }
  })
  log(`seed: ${skopeoRuns} skopeo pushes in ${Math.round(performance.now() - s0)} ms`)

  /**
   * Pushes blobs and the manifest(s) of a layout ref with plain registry API calls.
   * @param {Target} t @param {string} repo @param {string} tag @param {string} refName
   */
  async function pushViaApi(t, repo, tag, refName) {
    const ref = /** @type {{mediaType: string, digest: string}} */ (refs.get(refName))
    const auth = await authFor(t, repo)
    /** @param {string} digest @param {string} mediaType @param {string} reference */
    const putManifest = async (digest, mediaType, reference) => {
      const body = /** @type {Buffer} */ (layout.blobs.get(digest))
      const m = JSON.parse(body.toString('utf8'))
      if (INDEX_TYPES.has(mediaType)) {
        for (const c of m.manifests) await putManifest(c.digest, c.mediaType, c.digest)
      } else {
        for (const d of [m.config, ...m.layers]) await putBlob(t, repo, d.digest)
      }
      const r = await request(`${t.url}/v2/${repo}/manifests/${reference}`, {
        ca,
        method: 'PUT',
        headers: { ...auth, 'Content-Type': mediaType },
        body
      })
      if (r.status !== 201) throw new Error(`manifest PUT ${repo}:${reference}: ${r.status} ${r.body}`)
    }
    await putManifest(ref.digest, ref.mediaType, tag)
  }

  // Aliases: GET the manifest as stored, PUT the same bytes under the other tags.
  const a0 = performance.now()
  /** @type {Map<string, typeof aliases>} */
  const aliasQueues = new Map()
  for (const a of aliases) aliasQueues.set(`${a[0].key}/${a[1]}`, [...(aliasQueues.get(`${a[0].key}/${a[1]}`) ?? []), a])
  await pool([...aliasQueues.values()], concurrency, async (queue) => {
    for (const [t, repo, from, tos] of queue) {
      const auth = await authFor(t, repo)
      const src = await request(`${t.url}/v2/${repo}/manifests/${from}`, { ca, headers: { ...auth, Accept: ACCEPT_ALL } })
      if (src.status !== 200) throw new Error(`lab seed: alias source ${t.key}/${repo}:${from}: ${src.status}`)
      const type = String(src.headers['content-type'])
      for (const to of tos) {
        const r = await request(`${t.url}/v2/${repo}/manifests/${to}`, {
          ca,
          method: 'PUT',
          headers: { ...auth, 'Content-Type': type },
          body: src.body
        })
        if (r.status !== 201) throw new Error(`lab seed: PUT ${t.key}/${repo}:${to}: ${r.status} ${r.body}`)
      }
    }
  })
  log(`seed: alias tags in ${Math.round(performance.now() - a0)} ms`)

  // Collect what the registries answer now, and check the OCI content kept our digests.
  /** @type {[Target, string, string, string|undefined][]} */
  const expected = []
  for (const p of pushes) {
    if (p.optional && notes.some((n) => n.startsWith(`${p.target.key}/${p.repo}:${p.tag} `))) continue
    expected.push([p.target, p.repo, p.tag, p.preserve ? refs.get(p.ref)?.digest : undefined])
  }
  for (const [t, repo, , tos] of aliases) for (const to of tos) expected.push([t, repo, to, undefined])

  /** @type {Record<string, import('./lab.js').SeededImage>} */
  const images = {}
  /** @type {{ t: Target, repo: string, tag: string, want: string, got: string }[]} */
  const mismatched = []
  await pool(expected, 8, async ([t, repo, tag, want]) => {
    const auth = await authFor(t, repo, 'pull')
    const head = await request(`${t.url}/v2/${repo}/manifests/${tag}`, { ca, method: 'HEAD', headers: { ...auth, Accept: ACCEPT_ALL } })
    if (head.status !== 200) throw new Error(`lab seed: ${t.key}/${repo}:${tag} not found after seeding (${head.status})`)
    const mediaType = String(head.headers['content-type']).split(';')[0].trim()
    const digest = String(head.headers['docker-content-digest'])
    /** @type {import('./lab.js').SeededImage} */
    const img = { digest, mediaType, size: Number(head.headers['content-length']) }
    if (INDEX_TYPES.has(mediaType)) {
      const get = await request(`${t.url}/v2/${repo}/manifests/${digest}`, { ca, headers: { ...auth, Accept: ACCEPT_ALL } })
      img.manifests = JSON.parse(get.body.toString('utf8')).manifests.map(
        (/** @type {any} */ m) => ({
          digest: m.digest,
          mediaType: m.mediaType,
          ...(m.platform ? { platform: m.platform } : {}),
          ...(m.annotations ? { annotations: m.annotations } : {})
        })
      )
    }
    images[`${t.key}/${repo}:${tag}`] = img
    if (want && want !== digest) mismatched.push({ t, repo, tag, want, got: digest })
  })

  // skopeo rewrote something it was told to preserve: push our bytes through the API instead.
  for (const m of mismatched) {
    const p = /** @type {Push} */ (pushes.find((x) => x.target === m.t && x.repo === m.repo && x.tag === m.tag))
    if (!p.httpFallback) throw new Error(`lab seed: ${m.t.key}/${m.repo}:${m.tag}: skopeo pushed ${m.got}, expected ${m.want}`)
    notes.push(`${m.t.key}/${m.repo}:${m.tag}: skopeo changed the digest (${m.got}); pushed through the registry API instead`)
    await pushViaApi(m.t, m.repo, m.tag, p.ref)
    const ref = /** @type {{mediaType: string, digest: string, size: number}} */ (refs.get(p.ref))
    images[`${m.t.key}/${m.repo}:${m.tag}`] = { digest: ref.digest, mediaType: ref.mediaType, size: ref.size }
  }

  // Stable key order in lab.json: registry (open, basic, token, tls), repository, tag (numeric-aware).
  const regOrder = ['open', 'basic', 'token', 'tls']
  const sortKey = (/** @type {[Target, string, string, unknown]} */ e) => [regOrder.indexOf(e[0].key), e[1], e[2]]
  const order = [...expected]
    .sort((a, b) => {
      const [ra, pa, ta] = sortKey(a)
      const [rb, pb, tb] = sortKey(b)
      return Number(ra) - Number(rb) || String(pa).localeCompare(String(pb)) || String(ta).localeCompare(String(tb), 'en', { numeric: true })
    })
    .map(([t, repo, tag]) => `${t.key}/${repo}:${tag}`)
  const sorted = Object.fromEntries(order.filter((k) => images[k]).map((k) => [k, images[k]]))
  return { images: sorted, notes }
}

/**
 * @param {string} cmd @param {string[]} args @param {NodeJS.ProcessEnv} env
 * @returns {Promise<string>}
 */
function execP(cmd, args, env) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`))
      else resolve(stdout)
    })
  })
}

/**
 * Runs fn over items with at most n in flight.
 * @template T @param {T[]} items @param {number} n @param {(item: T) => Promise<void>} fn
 */
export async function pool(items, n, fn) {
  let i = 0
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++])
  })
  await Promise.all(workers)
}

