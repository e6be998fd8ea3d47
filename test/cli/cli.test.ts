import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { cli } from '../../src/cli/main.js'
import { MANIFEST_FIXTURES } from '../helpers/fixtures.js'

async function run(args: string[], cwd = MANIFEST_FIXTURES): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await cli(args, { stdout: (t) => void (stdout += t), stderr: (t) => (stderr += t), cwd })
  return { code, stdout, stderr }
}

describe('pullgate CLI', () => {
  test('text format: file:line:col  severity  rule  message, in file order, then the counts; exit 1 on errors', async () => {
    const { code, stdout, stderr } = await run(['--offline', 'workloads.yaml', 'invalid-references.yaml'])
    expect(code).toBe(1)
    expect(stderr).toBe('')
    const lines = stdout.trimEnd().split('\n')
    expect(lines.map((l) => l.split('  ').slice(0, 3).join('  '))).toEqual([
      'invalid-references.yaml:8:14  error  invalid-reference',
      'invalid-references.yaml:10:14  error  invalid-reference',
      'invalid-references.yaml:12:14  error  invalid-reference',
      'invalid-references.yaml:14:14  error  invalid-reference',
      'invalid-references.yaml:16:14  error  invalid-reference',
      'invalid-references.yaml:18:15  error  invalid-reference',
      'invalid-references.yaml:22:14  error  invalid-reference',
      'workloads.yaml:20:14  warning  mutable-tag',
      'workloads.yaml:53:18  warning  mutable-tag',
      '7 errors, 2 warnings in 2 files (2 manifests, 19 image references, 19 unique; offline)'
    ])
  })

  test('--fail-on sets the threshold: warnings alone pass by default and fail with --fail-on warning', async () => {
    expect((await run(['--offline', 'workloads.yaml'])).code).toBe(0)
    expect((await run(['--offline', '--fail-on', 'warning', 'workloads.yaml'])).code).toBe(1)
    expect((await run(['--offline', '--fail-on', 'never', 'invalid-references.yaml'])).code).toBe(0)
    expect((await run(['--offline', '--fail-on=notice', 'list.yaml'])).code).toBe(0)
  })

  test('json format: the public report shape', async () => {
    const { code, stdout } = await run(['--offline', '--format', 'json', 'workloads.yaml'])
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(Object.keys(report)).toEqual(['version', 'tool', 'mode', 'findings', 'images', 'suppressed', 'summary'])
    expect(report.version).toBe(1)
    expect(report.findings[0]).toEqual({
      rule: 'mutable-tag',
      severity: 'warning',
      file: 'workloads.yaml',
      line: 20,
      column: 14,
      endLine: 20,
      endColumn: 21,
      image: 'busybox',
      message: expect.stringContaining('"busybox" has no tag, so it means docker.io/library/busybox:latest')
    })
    expect(report.images.find((i: { image: string }) => i.image === 'busybox')).toEqual({
      image: 'busybox',
      reference: 'docker.io/library/busybox:latest',
      locations: [{ file: 'workloads.yaml', line: 20, column: 14 }]
    })
    expect(report.images.find((i: { image: string }) => i.image.startsWith('postgres')).reference).toBe(
      'docker.io/library/postgres:16.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
    )
    expect(report.summary).toEqual({ files: 1, manifests: 1, documents: 9, references: 12, uniqueImages: 12, errors: 0, warnings: 2, notices: 0, suppressed: 0 })
  })

  test('an image used in several places is one report row with every location', async () => {
    const report = JSON.parse((await run(['--offline', '--format', 'json', 'anchors.yaml'])).stdout)
    expect(report.images).toEqual([
      {
        image: 'ghcr.io/acme/anchored:1.0',
        reference: 'ghcr.io/acme/anchored:1.0',
        locations: [
          { file: 'anchors.yaml', line: 11, column: 23 },
          { file: 'anchors.yaml', line: 11, column: 23 },
          { file: 'anchors.yaml', line: 11, column: 23 }
        ]
      },
      { image: 'ghcr.io/acme/sidecar:latest', reference: 'ghcr.io/acme/sidecar:latest', locations: [{ file: 'anchors.yaml', line: 15, column: 18 }] }
    ])
  })

  test('github format: workflow commands with file, line, col and endColumn, escaped like @actions/core', async () => {
    const { stdout } = await run(['--offline', '--format', 'github', 'crlf-bom.yaml', 'invalid-references.yaml'])
    const lines = stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(8)
    expect(lines[0]).toBe(
      '::error title=invalid-reference,file=invalid-references.yaml,line=8,endLine=8,col=14,endColumn=34::image "ghcr.io/Acme/App:1.0" is not a valid reference: ' +
        'invalid reference format: repository name (Acme/App) must be lowercase' +
        lines[0]!.split('must be lowercase')[1]
    )
    expect(lines[7]).toMatch(/^::warning title=mutable-tag,file=crlf-bom.yaml,line=10,endLine=10,col=15,endColumn=43::"mcr.microsoft.com\/powershell" has no tag/)
  })

  test('--report-file writes the JSON report whatever the stdout format', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-cli-'))
    const file = path.join(dir, 'nested', 'report.json')
    const { code, stdout } = await run(['--offline', '--report-file', file, 'list.yaml'])
    expect(code).toBe(0)
    expect(stdout).toBe('0 errors, 0 warnings in 1 file (1 manifest, 1 image reference, 1 unique; offline)\n')
    expect(JSON.parse(readFileSync(file, 'utf8')).images[0].reference).toBe('ghcr.io/acme/listed:2.0')
  })

  test('folders, globs, --paths and ! exclusions; file names relative to --workspace', async () => {
    const root = path.resolve(MANIFEST_FIXTURES, '..')
    const { stdout } = await run(['--offline', '--workspace', root, '--paths', 'manifests/kustomize', '!manifests/kustomize/base/**'], root)
    expect(stdout.trimEnd().split('\n').map((l) => l.split('  ')[0])).toEqual([
      'manifests/kustomize/overlays/prod/kustomization.yaml:10:13',
      'manifests/kustomize/overlays/prod/kustomization.yaml:14:14',
      '1 error, 1 warning in 1 file (1 manifest, 5 image references, 4 unique; offline)'
    ])
    const globbed = await run(['--offline', '--format', 'json', '**/*.json'])
    expect(JSON.parse(globbed.stdout).summary.files).toBe(2)
  })

  test.each([
    [['--fail-on', 'sometimes'], 'pullgate: error: fail-on must be one of error, warning, notice, never (got "sometimes")'],
    [['--format', 'xml'], 'pullgate: error: --format must be one of text, json, github, sarif (got "xml")'],
    [['--no-such-flag'], "pullgate: error: Unknown option '--no-such-flag'"],
    [['does-not-exist.yaml'], 'pullgate: error: no such file or directory: does-not-exist.yaml']
  ])('usage error %j: exit 2 with one line, no stack trace', async (args, first) => {
    const { code, stdout, stderr } = await run(args)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    const lines = stderr.trimEnd().split('\n')
    expect(lines[0]!.startsWith(first)).toBe(true)
    expect(lines.slice(1)).toEqual(["Run 'pullgate --help' for usage."])
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  test('--help lists every flag; --version prints the version', async () => {
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    for (const flag of ['--paths', '--fail-on', '--offline', '--report-file', '--format', '--workspace']) expect(help.stdout).toContain(flag)
    const pkg = JSON.parse(readFileSync(path.resolve(MANIFEST_FIXTURES, '..', '..', 'package.json'), 'utf8'))
    expect((await run(['--version'])).stdout).toBe(`pullgate ${pkg.version}\n`)
  })
})
