import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { MANIFEST_FIXTURES } from '../helpers/fixtures.js'
import { runAction, runNode } from '../helpers/run-dist.js'

// These run the committed bundles, exactly what GitHub runs (.ci/run rebuilds dist/ first and fails if it changed).
describe('dist/index.js, the action as GitHub runs it', () => {
  test('annotations on the manifest lines, outputs, report file and job summary; the step fails on errors', async () => {
    const run = await runAction(MANIFEST_FIXTURES, { paths: 'invalid-references.yaml\nworkloads.yaml', 'fail-on': 'error', offline: 'true' })
    expect(run.code).toBe(1)
    const commands = run.stdout.split('\n').filter((l) => /^::(error|warning|notice) /.test(l))
    expect(commands.map((l) => l.slice(0, l.indexOf('::', 2)))).toEqual([
      '::error title=invalid-reference,file=invalid-references.yaml,line=8,endLine=8,col=14,endColumn=34',
      '::error title=invalid-reference,file=invalid-references.yaml,line=10,endLine=10,col=14,endColumn=25',
      '::error title=invalid-reference,file=invalid-references.yaml,line=12,endLine=12,col=14,endColumn=33',
      '::error title=invalid-reference,file=invalid-references.yaml,line=14,endLine=14,col=14,endColumn=42',
      '::error title=invalid-reference,file=invalid-references.yaml,line=16,endLine=16,col=14,endColumn=17',
      '::error title=invalid-reference,file=invalid-references.yaml,line=18,endLine=18,col=15,endColumn=15',
      '::error title=invalid-reference,file=invalid-references.yaml,line=22,endLine=22,col=14,endColumn=45',
      '::warning title=mutable-tag,file=workloads.yaml,line=20,endLine=20,col=14,endColumn=21',
      '::warning title=mutable-tag,file=workloads.yaml,line=53,endLine=53,col=18,endColumn=30'
    ])
    expect(run.stdout).toContain('::error::pullgate: 7 errors, 2 warnings in 2 files (2 manifests, 19 image references, 19 unique; offline); failing on error')
    expect(run.stdout).not.toMatch(/\n\s+at /)
    expect(run.outputs.errors).toBe('7')
    expect(run.outputs.warnings).toBe('2')
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    expect(report.summary.errors).toBe(7)
    expect(report.findings).toHaveLength(9)
    expect(run.summary).toContain('## pullgate ❌ failed')
    expect(run.summary).toContain('| ❌ error | `invalid-reference` | `nginx:-1.25` | invalid-references.yaml:10 |')
    expect(run.summary).toContain('| `busybox` | `docker.io/library/busybox:latest` | — | — | — | — | 1 | workloads.yaml:20 |')
  })

  test('the action prints exactly the lines `pullgate --format github` prints', async () => {
    const run = await runAction(MANIFEST_FIXTURES, { paths: '.', offline: 'true', 'fail-on': 'never' })
    expect(run.code).toBe(0)
    const cli = await runNode('dist/cli.js', ['--offline', '--format', 'github', '.'], { cwd: MANIFEST_FIXTURES })
    const annotations = run.stdout.split('\n').filter((l) => /^::(error|warning|notice) /.test(l))
    expect(annotations.length).toBeGreaterThan(10)
    expect(annotations).toEqual(cli.stdout.trimEnd().split('\n').filter((l) => /^::(error|warning|notice) /.test(l)))
  })

  test('GitHub shows 10 annotations per level and step: the rest go to the summary, with a notice saying so', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'pullgate-many-'))
    const containers = Array.from({ length: 14 }, (_, i) => `    - name: c${i}\n      image: Bad/Name${i}\n`).join('')
    writeFileSync(path.join(workspace, 'pod.yaml'), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: many\nspec:\n  containers:\n${containers}`)
    const run = await runAction(workspace, { offline: 'true' })
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error title='))
    expect(errors).toHaveLength(10)
    expect(run.stdout).toContain(
      '::notice::pullgate found 14 problems; GitHub shows 10 annotations of each level per step, so 4 more are listed only in the job summary and the JSON report.'
    )
    expect(run.summary.split('\n').filter((l) => l.startsWith('| ❌ error |'))).toHaveLength(14)
    expect(run.outputs.errors).toBe('14')
  })

  test('a bad input value fails the step with one line', async () => {
    const run = await runAction(MANIFEST_FIXTURES, { 'fail-on': 'sometimes' })
    expect(run.code).toBe(1)
    expect(run.stdout.trim()).toBe('::error::pullgate: fail-on must be one of error, warning, notice, never (got "sometimes")')
  })

  test('a summary links each location to the file at the commit', async () => {
    const run = await runAction(
      MANIFEST_FIXTURES,
      { paths: 'list.yaml', offline: 'true' },
      { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_SHA: 'abc123' }
    )
    expect(run.code).toBe(0)
    expect(run.summary).toContain('[list.yaml:13](https://github.com/acme/shop/blob/abc123/list.yaml#L13)')
    expect(run.summary).toContain('## pullgate ✅ passed')
  })
})

describe('dist/cli.js', () => {
  test('exit codes: 0 clean, 1 findings at --fail-on, 2 usage error', async () => {
    expect((await runNode('dist/cli.js', ['--offline', 'list.yaml'], { cwd: MANIFEST_FIXTURES })).code).toBe(0)
    expect((await runNode('dist/cli.js', ['--offline', 'broken.yaml'], { cwd: MANIFEST_FIXTURES })).code).toBe(1)
    const usage = await runNode('dist/cli.js', ['--format', 'yaml'], { cwd: MANIFEST_FIXTURES })
    expect(usage.code).toBe(2)
    expect(usage.stderr).toBe('pullgate: error: --format must be one of text, json, github, sarif (got "yaml")\nRun \'pullgate --help\' for usage.\n')
  })

  test('text output of a broken manifest names the parser position', async () => {
    const run = await runNode('dist/cli.js', ['--offline', 'broken.yaml'], { cwd: MANIFEST_FIXTURES })
    expect(run.stdout.split('\n')[0]).toBe(
      'broken.yaml:18:6  error  invalid-manifest  This file is not valid YAML: Sequence item without - indicator (1 of 2 documents could not be read; the others were checked). `kubectl apply` would reject it and none of the images in the broken document were checked. Fix the syntax at this position.'
    )
  })
})
