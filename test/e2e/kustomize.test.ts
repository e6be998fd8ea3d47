import { beforeAll, describe, expect, test } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fixtureRepo, labOrSkip } from '../helpers/lab.js'
import { cleanEnv, runNode } from '../helpers/run-dist.js'

const lab = labOrSkip()


;(lab ? describe : describe.skip)('kustomize overlays, rendered natively, against the real registry', () => {
  let dir = ''
  beforeAll(() => {
    dir = fixtureRepo('kustomize-repo', { OPEN: lab!.open.host })
  })

  async function report(args: string[] = []) {
    const run = await runNode('dist/cli.js', ['--format', 'json', ...args, '.'], { cwd: dir, env: cleanEnv({ HOME: dir }) })
    expect(run.stderr).toBe('')
    return JSON.parse(run.stdout) as {
      findings: Array<{ rule: string; file: string; line: number; column: number; message: string }>
      images: Array<{ image: string; digest?: string; locations: Array<{ file: string; line: number }> }>
    }
  }

  test('each root checks what it deploys, at the line that decided it, naming the overlay', async () => {
    const { findings } = await report()
    expect(findings.map((f) => [f.rule, f.file, f.line, f.column])).toEqual([
      // the component the prod overlay pulls in brings an image whose repository is missing
      ['repository-not-found', 'components/metrics/exporter.yaml', 10, 18],
      // prod's newTag is missing: reported at that line, not at the base's `image: app`
      ['tag-not-found', 'overlays/prod/kustomization.yaml', 14, 13],
      // prod's strategic-merge patch replaces the sidecar with a missing tag
      ['tag-not-found', 'overlays/prod/sidecar-patch.yaml', 10, 18],
      ['unresolved-reference', 'overlays/prod/kustomization.yaml', 6, 5]
    ])
    expect(findings[1]!.message).toMatch(/^127\.0\.0\.1:\d+\/lab\/app:3\.0\.0: the tag "3\.0\.0" does not exist/)
    expect(findings[1]!.message).toMatch(/\(as deployed by overlays\/prod\/kustomization\.yaml\)$/)
    expect(findings[3]!.message).toBe(
      'the remote resource https://github.com/acme/shared//deploy?ref=v1.4.0 is not fetched, so the images it brings are not checked. Render it (`kustomize build`) and point pullgate at the output to check them.'
    )
  })

  test('the base is not checked as written (its `image: app` would be a false repository-not-found), and later overlays win', async () => {
    const { images } = await report()
    const open = lab!.open.host
    expect(images.map((i) => i.image)).not.toContain('app')
    // prod-eu builds on staging (app → lab/app:1.1.0) and moves the tag to 2.0.0; its JSON patch swaps the sidecar
    expect(images.find((i) => i.image === `${open}/lab/app:2.0.0`)!.digest).toBe(lab!.images['open/lab/app:2.0.0']!.digest)
    expect(images.find((i) => i.image === `${open}/lab/hello:oci`)!.locations).toEqual([{ file: 'overlays/prod-eu/kustomization.yaml', line: 6, column: 5 }])
    // the cronjob keeps its base image in both roots: written once, deployed twice
    expect(images.find((i) => i.image === `${open}/lab/hello:v2s2`)!.locations.map((l) => `${l.file}:${l.line}`)).toEqual(['base/cronjob.yaml:14', 'base/cronjob.yaml:14'])
  })

  test('kustomize: false checks every file as written instead', async () => {
    writeFileSync(path.join(dir, '.pullgate.yaml'), 'kustomize: false\n')
    try {
      const { findings } = await report()
      expect(findings.map((f) => [f.rule, f.file, f.line])).toContainEqual(['mutable-tag', 'base/deployment.yaml', 10])
    } finally {
      writeFileSync(path.join(dir, '.pullgate.yaml'), '')
    }
  })
})
