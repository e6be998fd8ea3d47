import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction } from '../helpers/run-dist.js'
import { ROOT } from '../helpers/shared.js'
import { hasTime, runMeasured, type Measured } from './measure.js'

// A hostile manifest corpus, scanned in ONE workspace by the built CLI (dist/cli.js) with one
// ordinary manifest beside it. Small files are committed in __fixtures__/hostile/; big ones are
// generated here, in os.tmpdir(). What each file must yield is decided per file below, against
// what `kubectl apply` does with it (checked with kubectl 1.32: `kubectl create --dry-run=client
// -f FILE` parses the file before it needs a cluster, so its parse errors are visible here).

const FIXTURES = path.join(ROOT, '__fixtures__', 'hostile')

interface Finding {
  rule: string
  severity: string
  file: string
  line: number
  column: number
  message: string
  image?: string
}
interface Report {
  findings: Finding[]
  images: Array<{ image: string; reference: string | null; locations: Array<{ file: string; line: number; column: number }> }>
  summary: { files: number; manifests: number; documents: number; references: number; errors: number; warnings: number }
}
/** The built CLI, timed and measured (see ./measure.ts). */
function runCli(args: string[], options: { cwd: string; nodeFlags?: string[]; timeoutMs?: number }): Promise<Measured> {
  return runMeasured(args, options)
}

/** mulberry32: the same "random" binary file on every run. */
function seededBytes(seed: number, length: number): Buffer {
  const bytes = Buffer.alloc(length)
  let a = seed >>> 0
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    bytes[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff
  }
  return bytes
}

const pod = (name: string, image: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: app\n      image: ${image}\n`

const MANY = 10_000
const MEGA = 1024 * 1024
const HUGE_BYTES = 50 * 1024 * 1024

/** Writes the generated (large) members of the corpus into `dir`. */
function generateCorpus(dir: string): void {
  // 100,000-level flow nesting inside a manifest, on line 9 ("  extra: " is 9 characters)
  writeFileSync(path.join(dir, 'nesting.yaml'), `${pod('deep', 'nginx:1.30')}  extra: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`)
  // a 50 MiB manifest: a Pod and 50 MiB of comments
  const line = `# ${'x'.repeat(97)}\n`
  writeFileSync(path.join(dir, 'huge.yaml'), pod('huge', 'nginx:1.31') + line.repeat(Math.ceil(HUGE_BYTES / line.length)))
  // 64 KiB of seeded random bytes named .yaml
  writeFileSync(path.join(dir, 'binary.yaml'), seededBytes(20240611, 64 * 1024))
  // 10,000 documents, each a tiny Pod with its own image: document i's image is on line 8 + 9i
  writeFileSync(path.join(dir, 'many-docs.yaml'), Array.from({ length: MANY }, (_, i) => pod(`p${i}`, `registry.example.com/many/app:1.0.${i}`)).join('---\n'))
  // 1 MiB values and keys
  const value = 'v'.repeat(MEGA)
  const key = 'k'.repeat(MEGA)
  writeFileSync(path.join(dir, 'mega-value.yaml'), pod('mega-value', 'nginx:1.32').replace('metadata:\n', `metadata:\n  annotations:\n    big: ${value}\n    quoted: "${value}"\n`))
  writeFileSync(path.join(dir, 'mega-key.yaml'), pod('mega-key', 'nginx:1.33').replace('metadata:\n', `metadata:\n  annotations:\n    ${key}: x\n`))
  writeFileSync(path.join(dir, 'mega-explicit-key.yaml'), pod('mega-explicit-key', 'nginx:1.34').replace('metadata:\n', `metadata:\n  annotations:\n    ? ${key}\n    : ${value}\n`))
  writeFileSync(
    path.join(dir, 'mega-key.json'),
    `${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mega-key-json', annotations: { [key]: value } }, spec: { containers: [{ name: 'app', image: 'nginx:1.35' }] } }, null, 2)}\n`
  )
  // nesting that kubectl reads without complaint (go-yaml allows 10,000 levels), under the
  // default max-nesting-depth of 1,000 (which counts flow brackets only): 990 levels of flow sequences,
  // 2,000 levels of block mappings
  writeFileSync(path.join(dir, 'deep-flow-990.yaml'), `${pod('deep-flow', 'nginx:1.36')}  extra: ${'['.repeat(990)}${']'.repeat(990)}\n`)
  let block = `${pod('deep-block', 'nginx:1.37')}  extra:\n`
  for (let i = 0; i < 2000; i++) block += `${' '.repeat(4 + i)}a:\n`
  writeFileSync(path.join(dir, 'deep-block-2000.yaml'), `${block}${' '.repeat(2004)}b: 1\n`)
  // not a manifest (no apiVersion, no kind): data that happens to nest deeply
  writeFileSync(path.join(dir, 'deep-data.yaml'), `matrix: ${'['.repeat(2000)}${']'.repeat(2000)}\n`)
}

let workspace: string
let json: Measured
let text: Measured
let capped: Measured
let report: Report
/**
 * Findings without the ones whose position depends on where the parser's recursion overflowed:
 * that depth depends on what else is on the stack, so the column moves between runs of the same
 * input (deep-flow-990.yaml: 9:802 in one run, 9:868 in the next). See the nesting tests below.
 */
const stable = (findings: Finding[]) => findings.filter((f) => !f.message.includes('call stack'))
const byFile = (file: string) => report.findings.filter((f) => f.file === file)
const imagesOf = (file: string) => report.images.filter((i) => i.locations.some((l) => l.file === file)).map((i) => i.image)

beforeAll(async () => {
  workspace = mkdtempSync(path.join(tmpdir(), 'pullgate-hostile-'))
  for (const f of readdirSync(FIXTURES)) copyFileSync(path.join(FIXTURES, f), path.join(workspace, f))
  generateCorpus(workspace)
  json = await runCli(['--offline', '--format', 'json', '.'], { cwd: workspace })
  report = JSON.parse(json.stdout) as Report
  text = await runCli(['--offline', '.'], { cwd: workspace })
  // the same scan with the old-space heap capped at 256 MiB: it must still finish, not die of OOM
  capped = await runCli(['--offline', '--format', 'json', '.'], { cwd: workspace, nodeFlags: ['--max-old-space-size=256'] })
}, 180_000)

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true })
})

describe('the hostile corpus, in one workspace, scanned once', () => {
  test('exit 1 (there are errors), no stack trace, under 60 s, bounded memory', () => {
    expect(json.code).toBe(1)
    expect(text.code).toBe(1)
    for (const run of [json, text, capped]) {
      expect(run.stderr).not.toMatch(/\n\s+at /)
      expect(run.stderr).not.toMatch(/FATAL ERROR|heap out of memory|Maximum call stack/)
      expect(run.ms).toBeLessThan(60_000)
    }
    // with the heap capped at 256 MiB the scan still completes, and says the same
    expect(capped.signal).toBeNull()
    expect(capped.code).toBe(1)
    expect(stable((JSON.parse(capped.stdout) as Report).findings)).toEqual(stable(report.findings))
    if (hasTime) {
      // 50 MiB of input is never read whole (it is over the limit); 10,000 documents are parsed
      expect(json.maxRssKb).toBeLessThan(512 * 1024)
    } else {
      console.warn('/usr/bin/time is not installed: peak RSS not measured (the 256 MiB heap cap still applies)')
    }
  })

  test('every file of the corpus is counted as scanned', () => {
    expect(report.summary.files).toBe(readdirSync(workspace).length)
  })

  test('the ordinary manifest is still checked: its mutable-tag finding is there', () => {
    expect(byFile('good.yaml').map((f) => [f.rule, f.line, f.column, f.image])).toEqual([['mutable-tag', 9, 14, 'nginx:latest']])
  })

  // kubectl: "yaml: line 8: did not find expected '-' indicator"; the offending line is 9, where
  // `ports:` is indented one column short of its mapping
  test('malformed YAML: invalid-manifest at the badly indented key', () => {
    expect(byFile('malformed.yaml').map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 9, 6]])
    expect(byFile('malformed.yaml')[0]!.message).toMatch(/^This file is not valid YAML: .+kubectl apply/)
    expect(imagesOf('malformed.yaml')).toEqual([])
  })

  // kubectl: "json: offset 87: invalid character '"' after object key:value pair" — offset 87 is line 5, column 3
  test('malformed JSON (a missing comma): invalid-manifest at the property after it', () => {
    expect(byFile('malformed.json').map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 5, 3]])
    expect(byFile('malformed.json')[0]!.message).toContain("This file is not valid JSON: Expected ',' or '}' after property value.")
  })

  // kubectl: "yaml: line 10: found unexpected end of stream" — the quote opened on line 8 runs to the end
  test('an unterminated quote: invalid-manifest where the parser (and kubectl) gives up', () => {
    expect(byFile('unterminated-quote.yaml').map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 10, 1]])
    expect(byFile('unterminated-quote.yaml')[0]!.message).toContain('Missing closing "quote')
  })

  // kubectl: "yaml: document contains excessive aliasing"
  test('billion laughs: invalid-manifest naming the alias bomb, found without expanding it', () => {
    const found = byFile('alias-bomb.yaml')
    // line 1 is a comment: the document starts on line 2
    expect(found.map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 2, 1]])
    expect(found[0]!.message).toContain('expands more than 10000 aliases')
  })

  // kubectl: "yaml: line 9: exceeded max depth of 10000"
  test('100,000 levels of flow nesting: invalid-manifest on line 9, at the bracket past the limit', () => {
    expect(byFile('nesting.yaml').map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 9, 10 + 256]])
    expect(byFile('nesting.yaml')[0]!.message).toContain('nests flow collections ([ or {) more than 256 levels deep')
  })

  test('a 50 MiB manifest: invalid-manifest saying it is over the 16 MiB limit, not read', () => {
    expect(byFile('huge.yaml').map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 1, 1]])
    expect(byFile('huge.yaml')[0]!.message).toMatch(/This file is \d+ bytes, over the 16777216-byte limit, so it was not read/)
    expect(imagesOf('huge.yaml')).toEqual([])
  })

  // random bytes have no apiVersion and kind: not a manifest, not ours to judge (README: files
  // without apiVersion and kind are skipped silently), like a PNG someone named .yaml
  test('random binary bytes named .yaml: skipped silently', () => {
    expect(byFile('binary.yaml')).toEqual([])
    expect(imagesOf('binary.yaml')).toEqual([])
  })

  test('10,000 documents in one file: all 10,000 images found, each at its own line', () => {
    expect(byFile('many-docs.yaml')).toEqual([])
    const found = report.images.filter((i) => i.locations[0]!.file === 'many-docs.yaml')
    expect(found).toHaveLength(MANY)
    const lines = new Map(found.map((i) => [i.image, i.locations[0]!.line]))
    for (let i = 0; i < MANY; i++) expect(lines.get(`registry.example.com/many/app:1.0.${i}`)).toBe(8 + 9 * i)
  })

  test('1 MiB values (plain and quoted): read, and the image is found', () => {
    expect(byFile('mega-value.yaml')).toEqual([])
    expect(imagesOf('mega-value.yaml')).toEqual(['nginx:1.32'])
  })

  // YAML caps an implicit key at 1024 characters; go-yaml too (kubectl: "yaml: line 5: mapping
  // values are not allowed in this context")
  test('a 1 MiB implicit key: invalid-manifest on its line', () => {
    expect(byFile('mega-key.yaml').map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 5, 5]])
    expect(byFile('mega-key.yaml')[0]!.message).toContain('1024')
  })

  // an explicit key (`? key`) and a JSON key have no length cap, in YAML or for kubectl
  test('a 1 MiB explicit key and a 1 MiB JSON key: read, and the images are found', () => {
    expect(byFile('mega-explicit-key.yaml')).toEqual([])
    expect(imagesOf('mega-explicit-key.yaml')).toEqual(['nginx:1.34'])
    expect(byFile('mega-key.json')).toEqual([])
    expect(imagesOf('mega-key.json')).toEqual(['nginx:1.35'])
  })

  // kubectl 1.32 reads this file (the byte pair becomes U+FFFD): `kubectl create --dry-run=client`
  // gets past parsing. So does it with a Latin-1 "é" in a comment. The file is deployable as
  // written: its image should be checked, with at most a manifest-recovered warning — not an
  // error claiming `kubectl rejects it ("invalid leading UTF-8 octet")`.
  test('invalid UTF-8 that kubectl accepts: read as kubectl reads it, the image checked', () => {
    expect(byFile('bad-utf8.yaml').filter((f) => f.severity === 'error')).toEqual([])
    expect(imagesOf('bad-utf8.yaml')).toEqual(['nginx:1.28'])
  })

  test('invalid UTF-8: one finding at most, never a crash', () => {
    expect(byFile('bad-utf8.yaml').length).toBeLessThanOrEqual(1)
  })

  // kubectl: "yaml: control characters are not allowed" (go-yaml refuses C0 controls but tab/LF/CR)
  test('a NUL byte inside a manifest: invalid-manifest at the NUL (line 4, column 10)', () => {
    expect(byFile('nul.yaml').map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 4, 10]])
  })

  // kubectl reads .json files with Go's JSON decoder: "json: offset 5: invalid character '/'
  // looking for beginning of object key string". The YAML reader here turns the comment into part
  // of a key, so the file loses its apiVersion and is skipped silently: its image is never checked.
  test('JSON with a // comment: invalid-manifest at the comment (line 2, column 3), not silence', () => {
    expect(byFile('comment.json').map((f) => [f.rule, f.line, f.column])).toEqual([['invalid-manifest', 2, 3]])
  })

  // kubectl: "json: offset 156: invalid character ']' looking for beginning of value"; YAML flow
  // collections allow the trailing comma, so the file passes the gate and fails at deploy
  test('JSON with a trailing comma: invalid-manifest, as kubectl rejects it', () => {
    expect(byFile('trailing-comma.json').map((f) => f.rule)).toEqual(['invalid-manifest'])
  })

  // kubectl reads both (go-yaml allows 10,000 levels); both pass the max-nesting-depth check
  // (1,000 flow levels by default; block nesting is not counted at all). The YAML parser's
  // recursion overflows Node's stack at about 770-870 levels, and that RangeError is reported as a
  // YAML syntax error: "This file is not valid YAML: Maximum call stack size exceeded. `kubectl
  // apply` would reject it" — which it would not — at a column that changes from run to run.
  test('990 levels of flow nesting (under the limit, valid for kubectl): checked, or refused with the nesting message', () => {
    const found = byFile('deep-flow-990.yaml')
    for (const f of found) expect(f.message).not.toContain('call stack')
    expect(found.length === 0 ? imagesOf('deep-flow-990.yaml') : found.map((f) => f.message)).toEqual(found.length === 0 ? ['nginx:1.36'] : [expect.stringContaining('nests')])
  })

  test('2,000 levels of block nesting (valid for kubectl): checked, or refused with a nesting message', () => {
    const found = byFile('deep-block-2000.yaml')
    for (const f of found) expect(f.message).not.toContain('call stack')
    expect(found.length === 0 ? imagesOf('deep-block-2000.yaml') : found.map((f) => f.message)).toEqual(found.length === 0 ? ['nginx:1.37'] : [expect.stringContaining('nest')])
  })

  // README: "Files without apiVersion and kind are skipped silently" — the binary check honours
  // it, the nesting check does not: it runs before anyone looks for apiVersion and kind
  test('deep nesting in a file that is not a manifest: skipped silently', () => {
    expect(byFile('deep-data.yaml')).toEqual([])
  })

  test('text format: one line per finding, file:line:col, and the count line', () => {
    const lines = text.stdout.trimEnd().split('\n')
    for (const f of stable(report.findings)) {
      expect(lines).toContain(`${f.file}:${f.line}:${f.column}  ${f.severity}  ${f.rule}  ${f.message}`)
    }
    expect(lines.at(-1)).toMatch(new RegExp(`^${report.summary.errors} errors?, ${report.summary.warnings} warnings? in ${report.summary.files} files \\(`))
  })
})

// Every reader of a document keeps to max-alias-expansions, not only the image extractor: a
// ServiceAccount's pull secrets or a kustomization's images written as aliases are refused too.
describe('aliases beyond max-alias-expansions where no image is', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pullgate-aliases-'))
    writeFileSync(path.join(dir, 'sa.yaml'), 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\nimagePullSecrets: [&s {name: a}, *s, *s, *s, *s, *s]\n')
    mkdirSync(path.join(dir, 'app'))
    writeFileSync(path.join(dir, 'app', 'kustomization.yaml'), 'resources: []\nimages: [&i {name: a, newTag: "1"}, *i, *i, *i, *i]\n')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('a ServiceAccount and a kustomization each get invalid-manifest, not an internal error', async () => {
    const run = await runCli(['--offline', '--format', 'json', '--limits', 'max-alias-expansions: 3', '.'], { cwd: dir })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)
    expect((JSON.parse(run.stdout) as Report).findings.map((f) => [f.file, f.rule, f.line, f.column])).toEqual([
      ['app/kustomization.yaml', 'invalid-manifest', 1, 1],
      ['sa.yaml', 'invalid-manifest', 1, 1]
    ])
  })
})

describe('the limits input moves the bounds', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pullgate-limits-'))
    // 1,338 bytes, nesting 3 levels deep at most
    writeFileSync(path.join(dir, 'padded.yaml'), pod('padded', 'nginx:1.25').replace('metadata:\n', `metadata:\n  annotations:\n    note: "${'x'.repeat(1200)}"\n`))
    // 207 bytes, nesting 6 levels deep ({ spec { containers [ { env [ { valueFrom { configMapKeyRef {)
    writeFileSync(
      path.join(dir, 'nested.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'n' }, spec: { containers: [{ name: 'a', image: 'nginx:1.26', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }] } })
    )
    // 5 aliases
    writeFileSync(path.join(dir, 'aliases.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: &x one\n  a: *x\n  b: *x\n  c: *x\n  d: *x\n  e: *x\n`)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const findings = async (args: string[]) => {
    const run = await runCli(['--offline', '--format', 'json', ...args, '.'], { cwd: dir })
    expect(run.stderr).not.toMatch(/\n\s+at /)
    return { code: run.code, findings: (JSON.parse(run.stdout) as Report).findings.map((f) => [f.file, f.rule, f.line, f.column, f.message]) }
  }

  test('by default all three files are fine', async () => {
    expect(await findings([])).toEqual({ code: 0, findings: [] })
  })

  test('max-file-bytes: 1000 makes a 1,338-byte file too large to read', async () => {
    expect(await findings(['--limits', 'max-file-bytes: 1000'])).toEqual({
      code: 1,
      findings: [
        ['padded.yaml', 'invalid-manifest', 1, 1, 'This file is 1338 bytes, over the 1000-byte limit, so it was not read and its images were not checked. Split it, or raise the limit.']
      ]
    })
  })

  test('max-nesting-depth: 5 refuses the JSON file at its sixth level', async () => {
    const run = await findings(['--limits', 'max-nesting-depth: 5'])
    expect(run.code).toBe(1)
    expect(run.findings).toEqual([['nested.json', 'invalid-manifest', 1, expect.any(Number), expect.stringContaining('more than 5 levels deep')]])
    // the column is that of the bracket that opens the sixth level
    const column = run.findings[0]![3] as number
    const prefix = readFileSync(path.join(dir, 'nested.json'), 'utf8').slice(0, column)
    expect(prefix.split(/[[{]/).length - prefix.split(/[\]}]/).length).toBe(6)
    expect(prefix.at(-1)).toMatch(/[[{]/)
  })

  test('max-alias-expansions: 3 refuses a document with 5 aliases', async () => {
    const run = await findings(['--limits', 'max-alias-expansions: 3'])
    expect(run.findings).toEqual([['aliases.yaml', 'invalid-manifest', 1, 1, expect.stringContaining('more than 3 aliases')]])
  })

  test('several limits at once (comma-separated), and the same through the action input', async () => {
    expect((await findings(['--limits', 'max-file-bytes: 1000, max-nesting-depth: 5'])).findings.map((f) => f[0])).toEqual(['nested.json', 'padded.yaml'])
    const action = await runAction(dir, { offline: 'true', limits: 'max-file-bytes: 1000\nmax-nesting-depth: 5' })
    expect(action.code).toBe(1)
    expect(action.outputs.errors).toBe('2')
    expect(action.stdout).toContain('::error title=invalid-manifest,file=padded.yaml,line=1')
    expect(action.stdout).toContain('::error title=invalid-manifest,file=nested.json,line=1')
  })

  test('a limit that is not a positive number, or not a limit, is a usage error (exit 2, one line)', async () => {
    for (const bad of ['max-file-bytes: 0', 'max-file-bytes: -1', 'max-depth: 5', 'max-file-bytes: lots']) {
      const run = await runCli(['--offline', '--limits', bad, '.'], { cwd: dir })
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/^pullgate: error: limits: /)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
  })
})

describe('hostile input that reaches other readers', () => {
  // The size limit is checked with stat(), and the scanner does not read the file; but the
  // suppression pass (src/findings/suppress.ts) then reads every file that has a finding, whole,
  // to look for `# pullgate-ignore` comments — including the file that was "not read". A 300 MiB
  // sparse file (no disk used) makes the CLI read 300 MiB, and with a 256 MiB heap it dies of OOM.
  test('a file over max-file-bytes is never read: a 300 MiB file does not exhaust a 256 MiB heap', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-sparse-'))
    try {
      copyFileSync(path.join(FIXTURES, 'good.yaml'), path.join(dir, 'good.yaml'))
      writeFileSync(path.join(dir, 'sparse.yaml'), '')
      truncateSync(path.join(dir, 'sparse.yaml'), 300 * 1024 * 1024)
      const run = await runCli(['--offline', '--format', 'json', '.'], { cwd: dir, nodeFlags: ['--max-old-space-size=256'] })
      expect(run.stderr).not.toMatch(/heap out of memory/)
      expect(run.code).toBe(1)
      const found = (JSON.parse(run.stdout) as Report).findings.map((f) => [f.file, f.rule])
      expect(found).toEqual([
        ['sparse.yaml', 'invalid-manifest'],
        ['good.yaml', 'mutable-tag']
      ])
      if (run.maxRssKb !== undefined) expect(run.maxRssKb).toBeLessThan(200 * 1024)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  // A chart's values.yaml is read by the Helm stage with no nesting check: the parser overflows
  // the stack, and the RangeError becomes a second finding for the same file, "This file is not
  // valid YAML: Maximum call stack size exceeded. … position.. `helm install` would refuse …"
  test('a Helm values file with 100,000 levels of nesting: one clear finding, no "call stack", no ".."', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-helm-deep-'))
    try {
      mkdirSync(path.join(dir, 'chart'))
      writeFileSync(path.join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\nappVersion: "1.0"\n')
      writeFileSync(path.join(dir, 'chart', 'values.yaml'), `image:\n  repository: nginx\n  tag: "1.25"\nextra: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`)
      const run = await runCli(['--offline', '--format', 'json', '.'], { cwd: dir })
      expect(run.code).toBe(1)
      const found = (JSON.parse(run.stdout) as Report).findings
      expect(found.map((f) => [f.file, f.rule])).toEqual([['chart/values.yaml', 'invalid-manifest']])
      for (const f of found) {
        expect(f.message).not.toContain('call stack')
        expect(f.message).not.toMatch(/\.\. /)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a Helm values alias bomb: refused without expansion, one finding', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-helm-bomb-'))
    try {
      mkdirSync(path.join(dir, 'chart'))
      writeFileSync(path.join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\nappVersion: "1.0"\n')
      const bomb = readFileSync(path.join(FIXTURES, 'alias-bomb.yaml'), 'utf8').split('\n').filter((l) => /^ {2}[a-i]: /.test(l)).map((l) => l.slice(2)).join('\n')
      writeFileSync(path.join(dir, 'chart', 'values.yaml'), `image:\n  repository: nginx\n  tag: "1.25"\n${bomb}\n`)
      const run = await runCli(['--offline', '--format', 'json', '.'], { cwd: dir, timeoutMs: 30_000 })
      expect(run.ms).toBeLessThan(20_000)
      expect(run.code).toBe(1)
      const found = (JSON.parse(run.stdout) as Report).findings
      expect(found.map((f) => [f.file, f.rule])).toEqual([['chart/values.yaml', 'invalid-manifest']])
      expect(found[0]!.message).toContain('alias')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  // The kustomize and Helm stages read the files they reach on their own: before they used the
  // scan's reader, a resource over max-file-bytes was read and parsed whole through its
  // kustomization, and a resource kubectl refuses was checked as if it were fine.
  test('a kustomization reaching a 300 MiB file and a file with a control character: neither is parsed, each reported once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-kust-guard-'))
    try {
      mkdirSync(path.join(dir, 'base'))
      mkdirSync(path.join(dir, 'app'))
      writeFileSync(path.join(dir, 'app', 'kustomization.yaml'), 'resources:\n  - ../base/sparse.yaml\n  - ../base/control.yaml\n  - ../base/good.yaml\n')
      writeFileSync(path.join(dir, 'base', 'sparse.yaml'), '')
      truncateSync(path.join(dir, 'base', 'sparse.yaml'), 300 * 1024 * 1024)
      writeFileSync(path.join(dir, 'base', 'control.yaml'), pod('ctl', '"nginx:1.25\x01"'))
      copyFileSync(path.join(FIXTURES, 'good.yaml'), path.join(dir, 'base', 'good.yaml'))
      // only app/ is scanned: base/ is reached through the kustomization alone, and its refused files are still reported
      for (const paths of [['app'], ['.']]) {
        const run = await runCli(['--offline', '--format', 'json', ...paths], { cwd: dir, nodeFlags: ['--max-old-space-size=256'] })
        expect(run.stderr).not.toMatch(/heap out of memory|\n\s+at /)
        expect(run.code).toBe(1)
        const found = (JSON.parse(run.stdout) as Report).findings.map((f) => [f.file, f.rule, f.line, f.column])
        expect(found).toEqual([
          ['base/control.yaml', 'invalid-manifest', 8, 25],
          ['base/sparse.yaml', 'invalid-manifest', 1, 1],
          ['base/good.yaml', 'mutable-tag', 9, 14]
        ])
        if (run.maxRssKb !== undefined) expect(run.maxRssKb).toBeLessThan(200 * 1024)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a Helm values file over max-file-bytes: the chart is not composed from it, the file gets its one finding', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-helm-big-'))
    try {
      mkdirSync(path.join(dir, 'chart'))
      writeFileSync(path.join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n')
      writeFileSync(path.join(dir, 'chart', 'values.yaml'), `image:\n  repository: nginx\n# ${'padding '.repeat(100)}\n`)
      const run = await runCli(['--offline', '--format', 'json', '--limits', 'max-file-bytes: 500', '.'], { cwd: dir })
      expect(run.code).toBe(1)
      const found = (JSON.parse(run.stdout) as Report).findings
      expect(found.map((f) => [f.file, f.rule, f.line])).toEqual([['chart/values.yaml', 'invalid-manifest', 1]])
      expect(found[0]!.message).toContain('over the 500-byte limit')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('max-alias-expansions bounds Helm values too: 5 aliases under a limit of 3 refuse the values file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-helm-alias-'))
    try {
      mkdirSync(path.join(dir, 'chart'))
      writeFileSync(path.join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n')
      writeFileSync(path.join(dir, 'chart', 'values.yaml'), 'image:\n  repository: nginx\n  tag: "1.25"\nlabels: [&l {a: b}, *l, *l, *l, *l, *l]\n')
      const limited = await runCli(['--offline', '--format', 'json', '--limits', 'max-alias-expansions: 3', '.'], { cwd: dir })
      expect(limited.code).toBe(1)
      const found = (JSON.parse(limited.stdout) as Report).findings
      expect(found.map((f) => [f.file, f.rule])).toEqual([['chart/values.yaml', 'invalid-manifest']])
      expect(found[0]!.message).toContain('alias')
      const unlimited = await runCli(['--offline', '--format', 'json', '.'], { cwd: dir })
      expect((JSON.parse(unlimited.stdout) as Report).findings).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a kustomization whose resource nests 100,000 levels: the resource is refused once, the run survives', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-kust-deep-'))
    try {
      writeFileSync(path.join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deep.yaml\n  - good.yaml\n')
      writeFileSync(path.join(dir, 'deep.yaml'), `${pod('deep', 'nginx:1.25')}  extra: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`)
      copyFileSync(path.join(FIXTURES, 'good.yaml'), path.join(dir, 'good.yaml'))
      const run = await runCli(['--offline', '--format', 'json', '.'], { cwd: dir })
      expect(run.code).toBe(1)
      expect(run.stderr).not.toMatch(/\n\s+at /)
      const found = (JSON.parse(run.stdout) as Report).findings
      expect(found.filter((f) => f.file === 'deep.yaml').map((f) => [f.rule, f.line])).toEqual([['invalid-manifest', 9]])
      // the good resource is still checked, through the kustomization that deploys it
      expect(found.filter((f) => f.file === 'good.yaml').map((f) => f.rule)).toEqual(['mutable-tag'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
