import { describe, expect, test } from '@jest/globals'
import { fixtureRepo, labOrSkip } from '../helpers/lab.js'
import { cleanEnv, runNode } from '../helpers/run-dist.js'

const lab = labOrSkip()


;(lab ? describe : describe.skip)('Helm charts: the images values files compose, against the real registry', () => {
  async function findings(dir: string, args: string[] = []) {
    const run = await runNode('dist/cli.js', ['--format', 'json', '--rules', 'registry-unreachable: off', ...args, '.'], { cwd: dir, env: cleanEnv({ HOME: dir }) })
    expect(run.stderr).toBe('')
    const report = JSON.parse(run.stdout) as { findings: Array<{ rule: string; file: string; line: number; column: number; image?: string }>; images: Array<{ image: string; digest?: string }> }
    return report
  }

  test('each shape, reported at the values line that decides it; templates are not read', async () => {
    const open = lab!.open.host
    const dir = fixtureRepo('helm-repo', { OPEN: open })
    const report = await findings(dir)
    expect(report.findings.map((f) => [f.rule, f.file, f.line, f.column, f.image])).toEqual([
      // worker.image: a wrong tag, at its tag line
      ['tag-not-found', 'charts/shop/values.yaml', 14, 10, `${open}/lab/app:3.0.0`],
      // sidecar.image: a string, at its line
      ['repository-not-found', 'charts/shop/values.yaml', 24, 10, `${open}/lab/helo:1.0`]
    ])
    // image: registry + repository + the chart's appVersion when the tag is empty
    expect(report.images.find((i) => i.image === `${open}/lab/app:1.1.0`)!.digest).toBe(lab!.images['open/lab/app:1.1.0']!.digest)
    expect(report.images.map((i) => i.image)).not.toContainEqual(expect.stringContaining('{{'))
  })

  test('helm-values files override values.yaml key by key; global.imageRegistry replaces every registry', async () => {
    const open = lab!.open.host
    const dir = fixtureRepo('helm-repo', { OPEN: open })
    const report = await findings(dir, ['--helm-values', 'charts/shop/values-prod.yaml'])
    expect(report.findings.map((f) => [f.rule, f.file, f.line, f.column])).toEqual([
      ['tag-not-found', 'charts/shop/values-prod.yaml', 4, 8],
      ['tag-not-found', 'charts/shop/values.yaml', 14, 10],
      ['repository-not-found', 'charts/shop/values.yaml', 24, 10]
    ])
    // metrics.image said docker.io; the global registry moves it to the lab, where it exists
    expect(report.images.find((i) => i.image === `${open}/lab/hello:v1.2`)!.digest).toBe(lab!.images['open/lab/hello:v1.2']!.digest)
  })

  test('helm: false skips charts', async () => {
    const dir = fixtureRepo('helm-repo', { OPEN: lab!.open.host })
    expect((await findings(dir, ['--helm', 'false'])).images).toEqual([])
  })
})
