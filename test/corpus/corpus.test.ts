import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { scan, type ScanResult } from '../../src/engine/scan.js'
import type { ImageOccurrence } from '../../src/manifests/extract.js'
import type { KustomizeImageEntry } from '../../src/manifests/kustomize.js'
import { CORPUS, hasCorpus, readTsv } from '../helpers/shared.js'

// The corpus is third-party data kept in ../shared; it is never copied into the project.
if (!hasCorpus) {
  process.stderr.write(`\n*** SKIPPED: the manifest corpus test needs ${CORPUS} (../shared beside the checkout); it is absent. ***\n\n`)
}
const describeCorpus = hasCorpus ? describe : describe.skip

describeCorpus('the real-world corpus in ../shared/corpus', () => {
  let result: ScanResult
  // extraction as written: kustomize rendering has its own tests
  const load = async () => (result ??= await scan({ workspace: CORPUS, paths: [], offline: true, kustomize: false }))

  test('every container image is found at its exact line and column, and nothing is invented', async () => {
    const expected = readTsv(readFileSync(path.join(CORPUS, 'expected-images.tsv'), 'utf8')).map((r) =>
      [r.file, r.line, r.col, r.image, r.kind, r.name, r.container, r.list, r.category, r.doc, r.path].join('\t')
    )
    const actual = (await load()).images
      .filter((i) => i.source === 'container')
      .map((i) => i.occurrence as ImageOccurrence)
      .map((o) =>
        [o.file, o.line, o.column, o.image, o.kind, o.objectName ?? '', o.container ?? '', o.list, o.category, o.document, o.path].join('\t')
      )
    // row by row, so a failure names the rows that differ
    expect(actual.filter((row) => !expected.includes(row))).toEqual([])
    expect(expected.filter((row) => !actual.includes(row))).toEqual([])
    expect(actual).toHaveLength(expected.length)
  })

  test('every kustomization images: entry is found at its name line', async () => {
    const expected = readTsv(readFileSync(path.join(CORPUS, 'expected-kustomize-images.tsv'), 'utf8')).map((r) =>
      [r.file, r.line, r.col, r.name, r.newName, r.newTag, r.digest, r.kind, r.doc, r.path].join('\t')
    )
    const actual = (await load()).images
      .filter((i) => i.source === 'kustomize')
      .map((i) => i.occurrence as KustomizeImageEntry)
      .map((k) =>
        [k.file, k.line, k.column, k.name, k.newName?.value ?? '', k.newTag?.value ?? '', k.digest?.value ?? '', k.kind, k.document, k.path].join('\t')
      )
    expect(actual).toEqual(expected)
  })

  test('the end column is just past the image text as written', async () => {
    for (const scanned of (await load()).images.filter((i) => i.source === 'container')) {
      const o = scanned.occurrence as ImageOccurrence
      const line = readFileSync(path.join(CORPUS, o.file), 'utf8').split('\n')[o.line - 1]!
      expect(line.slice(o.column - 1, o.endColumn - 1)).toBe(o.image)
    }
  })

  test('argo-workflows ci.yaml, which only kubectl-style parsers accept, is recovered with a warning', async () => {
    const findings = (await load()).findings.filter((f) => f.file === 'argoproj__argo-workflows/examples/ci.yaml')
    expect(findings.map((f) => [f.rule, f.severity, f.line, f.column])).toEqual([
      ['manifest-recovered', 'warning', 70, 7],
      ['unresolved-reference', 'warning', 80, 15]
    ])
  })

  test('unrendered Helm templates are reported as unresolved, not as broken manifests', async () => {
    const findings = (await load()).findings.filter((f) => f.file.includes('/templates/') && f.rule !== 'mutable-tag')
    expect(findings.map((f) => [f.file, f.rule, f.line])).toEqual([
      ['GoogleCloudPlatform__microservices-demo/helm-chart/templates/cartservice.yaml', 'unresolved-reference', 15],
      ['argoproj__argo-rollouts/examples/helm-blue-green/templates/rollout.yaml', 'unresolved-reference', 4],
      ['kubernetes__ingress-nginx/charts/ingress-nginx/templates/admission-webhooks/job-patch/job-createSecret.yaml', 'unresolved-reference', 1]
    ])
    expect((await load()).findings.filter((f) => f.rule === 'invalid-manifest')).toEqual([])
  })
})
