import { describe, expect, test } from '@jest/globals'
import ajvDraft04 from 'ajv-draft-04'
import ajvFormats from 'ajv-formats'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { labOrSkip } from '../helpers/lab.js'
import { cleanEnv, runAction, runNode } from '../helpers/run-dist.js'

const require = createRequire(import.meta.url)
// CommonJS packages: under NodeNext their classes are the default export's `default`
const Ajv = ajvDraft04.default
const addFormats = ajvFormats.default

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-gh-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
  return dir
}

const POD = (images: string[], comments: Record<number, string> = {}) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n${images
    .map((image, i) => `    - name: c${i}\n${comments[i] ? `      ${comments[i]}\n` : ''}      image: ${image}\n`)
    .join('')}`

describe('suppressions and the settings file', () => {
  test('# pullgate-ignore on the line or the line above, and ignore globs; suppressed findings stay in the report', async () => {
    const dir = workspace({
      'pod.yaml': POD(['nginx', 'redis # pullgate-ignore: mutable-tag dev-only cache', 'busybox', 'registry.internal/tools/debug'], {
        2: '# pullgate-ignore: mutable-tag, invalid-reference vendored manifest'
      })
    })
    const run = await runNode('dist/cli.js', ['--offline', '--format', 'json', '--ignore', 'registry.internal/*', '.'], { cwd: dir })
    const report = JSON.parse(run.stdout)
    expect(report.findings.map((f: { rule: string; image: string }) => [f.rule, f.image])).toEqual([['mutable-tag', 'nginx']])
    expect(report.suppressed.map((f: { image: string; suppressedBy: string }) => [f.image, f.suppressedBy])).toEqual([
      ['redis', 'pullgate-ignore: dev-only cache'],
      ['busybox', 'pullgate-ignore: vendored manifest'],
      ['registry.internal/tools/debug', 'ignore: registry.internal/*']
    ])
    expect(report.summary.suppressed).toBe(3)
  })

  test('.pullgate.yaml holds the inputs; inputs and flags win over it; an unknown key is a usage error', async () => {
    const dir = workspace({
      '.pullgate.yaml': 'paths: [deploy]\nfail-on: warning\noffline: true\nrules:\n  invalid-reference: warning\n',
      'deploy/pod.yaml': POD(['nginx']),
      'other/pod.yaml': POD(['Bad/Name'])
    })
    const fromFile = await runNode('dist/cli.js', ['--format', 'json'], { cwd: dir })
    expect(fromFile.code).toBe(1)
    expect(JSON.parse(fromFile.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['deploy/pod.yaml'])
    const flagsWin = await runNode('dist/cli.js', ['--format', 'json', '--fail-on', 'error', 'other'], { cwd: dir })
    expect(flagsWin.code).toBe(0)
    expect(JSON.parse(flagsWin.stdout).findings.map((f: { rule: string; severity: string }) => [f.rule, f.severity])).toEqual([['invalid-reference', 'warning']])
    const action = await runAction(dir, { 'fail-on': 'never' })
    expect(action.code).toBe(0)
    expect(action.outputs.warnings).toBe('1')
    writeFileSync(path.join(dir, '.pullgate.yaml'), 'fail_on: warning\n')
    const bad = await runNode('dist/cli.js', [], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr.split('\n')[0]).toBe('pullgate: error: .pullgate.yaml: unknown setting "fail_on"; settings are paths, scope, fail-on, offline, rules, ignore, docker-config, insecure-registries, runtime, platforms, accept-media-types, cluster-pull-secrets, node-credentials, report-file, sarif-file, pin, kustomize, helm, helm-values, allowed-registries, timeout-seconds, limits, cache-file')
  })
})

describe('SARIF', () => {
  test('--format sarif and the sarif-file input write the same valid SARIF 2.1.0 log', async () => {
    const dir = workspace({ 'deploy/pod.yaml': POD(['nginx', 'Bad/Name']) })
    const cli = await runNode('dist/cli.js', ['--offline', '--format', 'sarif', '.'], { cwd: dir })
    const action = await runAction(dir, { offline: 'true', 'sarif-file': 'out/pullgate.sarif' })
    const fromAction = JSON.parse(readFileSync(path.join(dir, 'out/pullgate.sarif'), 'utf8'))
    expect(action.outputs.sarif).toBe(path.join(dir, 'out/pullgate.sarif'))
    expect(fromAction).toEqual(JSON.parse(cli.stdout))
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })
    addFormats(ajv)
    const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json')
    const valid = ajv.validate(schema, fromAction)
    expect(ajv.errors ?? []).toEqual([])
    expect(valid).toBe(true)
    expect(fromAction.runs[0].results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level])).toEqual([
      ['invalid-reference', 'error'],
      ['mutable-tag', 'warning']
    ])
  })
})

const lab = labOrSkip()
;(lab ? describe : describe.skip)('fork pull requests', () => {
  test('credentials-missing on a fork says why (no secrets reach it) and what to do', async () => {
    const { pullRequestRepo } = await import('../helpers/git-repo.js')
    const repo = pullRequestRepo()
    writeFileSync(path.join(repo.dir, 'deploy/changed.yaml'), POD([`${lab!.basic.host}/private/hello:v2s2`]))
    const run = await runAction(repo.dir, { scope: 'all', paths: 'deploy/changed.yaml' }, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: repo.event('pull_request_fork.json') })
    const line = run.stdout.split('\n').find((l) => l.startsWith('::error title=credentials-missing'))!
    expect(line).toContain('This pull request comes from a fork, and GitHub gives workflows of fork pull requests no secrets')
    const same = await runAction(repo.dir, { scope: 'all', paths: 'deploy/changed.yaml' }, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: repo.event('pull_request.json') })
    expect(same.stdout).not.toContain('comes from a fork')
  })
})

;(lab ? describe : describe.skip)('pin', () => {
  test('rewrites each checked tag to name:tag@digest in place, and no other byte', async () => {
    const open = lab!.open.host
    const original =
      '\uFEFF# the shop\r\napiVersion: v1\r\nkind: Pod\r\nmetadata: {name: shop}   # café 𝄞\r\nspec:\r\n  containers:\r\n' +
      `    - name: web\r\n      image: "${open}/lab/app:1.0.0"  # pinned by pullgate\r\n` +
      `    - {name: side, image: ${open}/lab/hello:v1.2}\r\n` +
      `    - name: dup\r\n      image: &img '${open}/lab/app:2.0.0'\r\n    - name: dup2\r\n      image: *img\r\n` +
      `    - name: missing\r\n      image: ${open}/lab/app:9.9.9\r\n` +
      `    - name: pinned\r\n      image: ${open}/lab/app@${lab!.images['open/lab/app:1.0.0']!.digest}`
    const dir = workspace({ 'pod.yaml': original })
    const run = await runNode('dist/cli.js', ['--pin', '--format', 'json', '.'], { cwd: dir, env: cleanEnv({ HOME: dir }) })
    expect(run.stderr).toBe('Pinned 3 image references to digests in 1 file: pod.yaml.\n')
    const d = (tag: string) => lab!.images[`open/lab/${tag}`]!.digest
    const expected = original
      .replace(`${open}/lab/app:1.0.0"`, `${open}/lab/app:1.0.0@${d('app:1.0.0')}"`)
      .replace(`${open}/lab/hello:v1.2}`, `${open}/lab/hello:v1.2@${d('hello:v1.2')}}`)
      .replace(`${open}/lab/app:2.0.0'`, `${open}/lab/app:2.0.0@${d('app:2.0.0')}'`)
    expect(Buffer.from(readFileSync(path.join(dir, 'pod.yaml'))).equals(Buffer.from(expected, 'utf8'))).toBe(true)
  })
})
