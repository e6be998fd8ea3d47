import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { chartImages, decidingField, type HelmImage, type ValuesField } from '../../src/helm/values.js'
import { ROOT } from '../helpers/shared.js'

const FIXTURES = '__fixtures__/helm'
const DIGEST_A = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
const DIGEST_B = 'sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210'

/** Reads workspace-relative paths from the checkout, as the engine's reader does. */
function readWorkspace(file: string): string | undefined {
  const full = path.join(ROOT, file)
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined
}

/** A workspace held in memory. */
function memory(files: Record<string, string>): (file: string) => string | undefined {
  return (file) => files[file]
}

/** The text a span covers, as an editor shows it (1-based code-point columns, end exclusive). */
function textAt(text: string, span: { line: number; column: number; endLine: number; endColumn: number }): string {
  expect(span.endLine).toBe(span.line)
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''))
  return [...lines[span.line - 1]!].slice(span.column - 1, span.endColumn - 1).join('')
}

/** Checks that a field's span covers exactly its text in the file it names. */
function expectSpanText(field: ValuesField | undefined, expected: string, read: (file: string) => string | undefined = readWorkspace): void {
  expect(field).toBeDefined()
  const text = read(field!.file)
  expect(text).toBeDefined()
  expect(textAt(text!, field!)).toBe(expected)
}

function fixture(chart: string, extra: string[] = []) {
  const dir = `${FIXTURES}/${chart}`
  return chartImages(dir, readWorkspace, extra.map((f) => `${dir}/${f}`))
}

function byPath(images: HelmImage[], p: string): HelmImage {
  const found = images.find((i) => i.path === p)
  if (!found) throw new Error(`no image at ${p}; found ${images.map((i) => i.path).join(', ')}`)
  return found
}

describe('chartImages on fixture charts', () => {
  test('(a) a plain chart: image.repository and a quoted tag, pullPolicy ignored', () => {
    const { images, problems } = fixture('plain')
    expect(problems).toEqual([])
    expect(images).toHaveLength(1)
    const [image] = images as [HelmImage]
    const values = `${FIXTURES}/plain/values.yaml`
    expect(image).toEqual({
      chart: `${FIXTURES}/plain`,
      chartName: 'web',
      path: 'image',
      image: 'ghcr.io/acme/web:1.2.3',
      placeholder: false,
      tagSource: 'values',
      fields: {
        // "  repository: " is 14 characters
        repository: { file: values, value: 'ghcr.io/acme/web', line: 3, column: 15, endLine: 3, endColumn: 31 },
        // '  tag: "' is 8 characters: the span is inside the quotes
        tag: { file: values, value: '1.2.3', line: 4, column: 9, endLine: 4, endColumn: 14 }
      }
    })
    expectSpanText(image.fields.repository, 'ghcr.io/acme/web')
    expectSpanText(image.fields.tag, '1.2.3')
    expect(decidingField(image)).toBe(image.fields.tag)
    expect(decidingField(image, 'repository')).toBe(image.fields.repository)
    // no registry is written: the repository line is where one would be added
    expect(decidingField(image, 'registry')).toBe(image.fields.repository)
  })

  test('(b) an empty tag falls back to Chart.yaml appVersion, positioned on its value', () => {
    const { images, problems } = fixture('appversion')
    expect(problems).toEqual([])
    expect(images.map((i) => [i.path, i.image, i.tagSource])).toEqual([
      ['image', 'ghcr.io/acme/api:2.0.1', 'appVersion'],
      // no tag key at all falls back the same way
      ['worker.image', 'ghcr.io/acme/worker:2.0.1', 'appVersion']
    ])
    const image = byPath(images, 'image')
    const chartFile = `${FIXTURES}/appversion/Chart.yaml`
    // 'appVersion: "' is 13 characters
    expect(image.appVersionField).toEqual({ file: chartFile, value: '2.0.1', line: 4, column: 14, endLine: 4, endColumn: 19 })
    expectSpanText(image.appVersionField, '2.0.1')
    expect(image.fields.tag).toBeUndefined()
    expect(image.fields.repository).toEqual({
      file: `${FIXTURES}/appversion/values.yaml`,
      value: 'ghcr.io/acme/api',
      line: 2,
      column: 15,
      endLine: 2,
      endColumn: 31
    })
    expect(decidingField(image)).toBe(image.appVersionField)
    expect(decidingField(image, 'tag')).toBe(image.appVersionField)
    const worker = byPath(images, 'worker.image')
    expect(worker.fields.repository).toMatchObject({ line: 6, column: 17, endColumn: 36 })
    expectSpanText(worker.fields.repository, 'ghcr.io/acme/worker')
  })

  test('(c) bitnami style: global.imageRegistry overrides each image.registry, nested metrics.image included', () => {
    const { images, problems } = fixture('bitnami')
    expect(problems).toEqual([])
    const values = `${FIXTURES}/bitnami/values.yaml`
    expect(images.map((i) => [i.path, i.image])).toEqual([
      ['image', 'registry.example.com/bitnami/redis:7.2.4-debian-12-r9'],
      ['metrics.image', 'registry.example.com/bitnami/redis-exporter:1.58.0-debian-12-r4']
    ])
    const redis = byPath(images, 'image')
    expect(redis.chartName).toBe('redis')
    expect(redis.tagSource).toBe('values')
    // the registry that decided is global.imageRegistry on line 2 ("  imageRegistry: " is 17 characters)
    const globalRegistry = { file: values, value: 'registry.example.com', line: 2, column: 18, endLine: 2, endColumn: 38 }
    expect(redis.fields).toEqual({
      registry: globalRegistry,
      repository: { file: values, value: 'bitnami/redis', line: 6, column: 15, endLine: 6, endColumn: 28 },
      tag: { file: values, value: '7.2.4-debian-12-r9', line: 7, column: 8, endLine: 7, endColumn: 26 }
    })
    expectSpanText(redis.fields.registry, 'registry.example.com')
    expectSpanText(redis.fields.repository, 'bitnami/redis')
    expectSpanText(redis.fields.tag, '7.2.4-debian-12-r9')
    // `digest: ""` is no digest
    expect(redis.fields.digest).toBeUndefined()

    const metrics = byPath(images, 'metrics.image')
    expect(metrics.fields).toEqual({
      registry: globalRegistry,
      repository: { file: values, value: 'bitnami/redis-exporter', line: 14, column: 17, endLine: 14, endColumn: 39 },
      tag: { file: values, value: '1.58.0-debian-12-r4', line: 15, column: 10, endLine: 15, endColumn: 29 }
    })
    expectSpanText(metrics.fields.repository, 'bitnami/redis-exporter')
    expectSpanText(metrics.fields.tag, '1.58.0-debian-12-r4')
    expect(decidingField(metrics, 'registry')).toEqual(globalRegistry)
  })

  test('(c) without global.imageRegistry each image composes its own registry/repository', () => {
    const { images, problems } = fixture('bitnami', ['values-hub.yaml'])
    expect(problems).toEqual([])
    const values = `${FIXTURES}/bitnami/values.yaml`
    expect(images.map((i) => [i.path, i.image])).toEqual([
      ['image', 'docker.io/bitnami/redis:7.2.4-debian-12-r9'],
      ['metrics.image', 'docker.io/bitnami/redis-exporter:1.58.0-debian-12-r4']
    ])
    expect(byPath(images, 'image').fields.registry).toEqual({ file: values, value: 'docker.io', line: 5, column: 13, endLine: 5, endColumn: 22 })
    expect(byPath(images, 'metrics.image').fields.registry).toEqual({
      file: values,
      value: 'docker.io',
      line: 13,
      column: 15,
      endLine: 13,
      endColumn: 24
    })
    expectSpanText(byPath(images, 'metrics.image').fields.registry, 'docker.io')
  })

  test('(d) string images, sidecar list entries, a mapping in a list; strings that are not references skipped', () => {
    const { images, problems } = fixture('strings')
    expect(problems).toEqual([])
    const values = `${FIXTURES}/strings/values.yaml`
    expect(images.map((i) => [i.path, i.image, i.tagSource])).toEqual([
      ['image', 'nginx:1.25', 'values'],
      ['sidecars[0].image', 'busybox:1.36', 'values'],
      ['sidecars[1].image', 'envoyproxy/envoy:v1.29.1', 'values'],
      ['extraContainers[0].image', 'quay.io/prometheus/node-exporter:v1.7.0', 'values']
      // legacy.image "Latest Build" is not a reference; pullPolicy is not an image
    ])
    expect(byPath(images, 'image').fields).toEqual({
      whole: { file: values, value: 'nginx:1.25', line: 1, column: 8, endLine: 1, endColumn: 18 }
    })
    expect(byPath(images, 'sidecars[0].image').fields).toEqual({
      // '    image: "' is 12 characters
      whole: { file: values, value: 'busybox:1.36', line: 4, column: 13, endLine: 4, endColumn: 25 }
    })
    expect(byPath(images, 'sidecars[1].image').fields).toEqual({
      whole: { file: values, value: 'envoyproxy/envoy:v1.29.1', line: 6, column: 12, endLine: 6, endColumn: 36 }
    })
    const listed = byPath(images, 'extraContainers[0].image')
    expect(listed.fields).toEqual({
      repository: { file: values, value: 'quay.io/prometheus/node-exporter', line: 10, column: 19, endLine: 10, endColumn: 51 },
      tag: { file: values, value: 'v1.7.0', line: 11, column: 12, endLine: 11, endColumn: 18 }
    })
    for (const image of images) {
      expectSpanText(decidingField(image), image.fields.whole?.value ?? image.fields.tag!.value)
      expect(image.placeholder).toBe(false)
    }
    expect(decidingField(byPath(images, 'image'), 'tag')).toBe(byPath(images, 'image').fields.whole)
  })

  test('(e) a digest composes @digest, keeps a written tag, and does not borrow appVersion', () => {
    const { images, problems } = fixture('digest')
    expect(problems).toEqual([])
    const values = `${FIXTURES}/digest/values.yaml`
    const pinned = byPath(images, 'image')
    expect(pinned.image).toBe(`ghcr.io/acme/pinned@${DIGEST_A}`)
    expect(pinned.tagSource).toBe('none')
    expect(pinned.appVersionField).toBeUndefined()
    expect(pinned.fields).toEqual({
      repository: { file: values, value: 'ghcr.io/acme/pinned', line: 2, column: 15, endLine: 2, endColumn: 34 },
      // "  digest: " is 10 characters; the digest is 71
      digest: { file: values, value: DIGEST_A, line: 3, column: 11, endLine: 3, endColumn: 82 }
    })
    expectSpanText(pinned.fields.digest, DIGEST_A)
    // the digest decides what is pulled
    expect(decidingField(pinned)).toBe(pinned.fields.digest)
    expect(decidingField(pinned, 'tag')).toBe(pinned.fields.repository)

    // found by shape (repository + tag + digest) under a key that is not `image`
    const tools = byPath(images, 'tools')
    expect(tools.image).toBe(`ghcr.io/acme/tools:1.0@${DIGEST_B}`)
    expect(tools.tagSource).toBe('values')
    expect(tools.fields.tag).toEqual({ file: values, value: '1.0', line: 6, column: 9, endLine: 6, endColumn: 12 })
    // single quotes: "  digest: '" is 11 characters
    expect(tools.fields.digest).toEqual({ file: values, value: DIGEST_B, line: 7, column: 12, endLine: 7, endColumn: 83 })
    expectSpanText(tools.fields.digest, DIGEST_B)
    expect(decidingField(tools, 'tag')).toBe(tools.fields.tag)
    // with both, the digest is what the runtime pulls by
    expect(decidingField(tools)).toBe(tools.fields.digest)
    expect(decidingField(tools, 'digest')).toBe(tools.fields.digest)
    expect(images).toHaveLength(2)
  })

  test('(f) template expressions make placeholders, in a tag or in a whole string', () => {
    const { images, problems } = fixture('templated')
    expect(problems).toEqual([])
    const values = `${FIXTURES}/templated/values.yaml`
    expect(images.map((i) => [i.path, i.image, i.placeholder])).toEqual([
      ['image', 'ghcr.io/acme/templ:{{ .Chart.AppVersion }}', true],
      ['helper.image', '{{ .Values.global.registry }}/helper:1.0', true]
    ])
    const image = byPath(images, 'image')
    expect(image.fields.tag).toEqual({ file: values, value: '{{ .Chart.AppVersion }}', line: 3, column: 9, endLine: 3, endColumn: 32 })
    expectSpanText(image.fields.tag, '{{ .Chart.AppVersion }}')
    expect(decidingField(image)).toBe(image.fields.tag)
    const helper = byPath(images, 'helper.image')
    expect(helper.fields.whole).toEqual({
      file: values,
      value: '{{ .Values.global.registry }}/helper:1.0',
      line: 5,
      column: 11,
      endLine: 5,
      endColumn: 51
    })
  })

  test('(g) extra values files override key by key, in order; the tag then points into the last file that set it', () => {
    const prod = fixture('plain', ['values-prod.yaml'])
    expect(prod.problems).toEqual([])
    const [image] = prod.images as [HelmImage]
    expect(image.image).toBe('ghcr.io/acme/web:1.3.0')
    // '  tag: "' on line 3 of values-prod.yaml (line 1 is a comment)
    expect(image.fields.tag).toEqual({
      file: `${FIXTURES}/plain/values-prod.yaml`,
      value: '1.3.0',
      line: 3,
      column: 9,
      endLine: 3,
      endColumn: 14
    })
    expectSpanText(image.fields.tag, '1.3.0')
    // the repository, not overridden, still comes from values.yaml
    expect(image.fields.repository).toMatchObject({ file: `${FIXTURES}/plain/values.yaml`, line: 3 })

    const both = fixture('plain', ['values-prod.yaml', 'values-hotfix.yaml'])
    const [hotfix] = both.images as [HelmImage]
    expect(hotfix.image).toBe('ghcr.io/acme/web:1.3.1-hotfix')
    // a flow mapping: "image: {tag: " is 13 characters
    expect(hotfix.fields.tag).toEqual({
      file: `${FIXTURES}/plain/values-hotfix.yaml`,
      value: '1.3.1-hotfix',
      line: 1,
      column: 14,
      endLine: 1,
      endColumn: 26
    })
    expectSpanText(hotfix.fields.tag, '1.3.1-hotfix')

    const reversed = fixture('plain', ['values-hotfix.yaml', 'values-prod.yaml'])
    expect(reversed.images.map((i) => i.image)).toEqual(['ghcr.io/acme/web:1.3.0'])
  })

  test('(h) a values.yaml that does not parse is a problem at its line and column, not a crash', () => {
    const { images, problems } = fixture('broken')
    expect(images).toEqual([])
    expect(problems).toHaveLength(1)
    const [problem] = problems as [(typeof problems)[number]]
    // "  tag: 1.0.0" followed by a deeper "pullPolicy:" line: the value on line 3 cannot hold a mapping
    expect(problem).toMatchObject({ file: `${FIXTURES}/broken/values.yaml`, line: 3, column: 8 })
    expect(problem.message).toMatch(/^This file is not valid YAML: Nested mappings are not allowed in compact mappings\. Helm refuses/)
    expect(textAt(readWorkspace(problem.file)!, { ...problem, endLine: problem.line, endColumn: problem.column + 5 })).toBe('1.0.0')
  })

  test('(i) an image mapping with an empty repository is a disabled component and is skipped', () => {
    const { images, problems } = fixture('disabled')
    expect(problems).toEqual([])
    expect(images.map((i) => [i.path, i.image])).toEqual([['image', 'ghcr.io/acme/main:1.0.0']])
  })
})

describe('chartImages on values in memory', () => {
  const chart = 'apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: "1.0.0"\n'

  function run(values: string, extra: Record<string, string> = {}, chartYaml = chart) {
    const files = { 'c/Chart.yaml': chartYaml, 'c/values.yaml': values, ...extra }
    return { ...chartImages('c', memory(files), Object.keys(extra)), read: memory(files) }
  }

  test('unquoted numbers are printed as Helm prints a float64: large ones in exponent form, trailing zeros lost', () => {
    const { images, problems, read } = run(
      [
        'a:',
        '  image: {repository: ghcr.io/acme/a, tag: 20240101}',
        'b:',
        '  image: {repository: ghcr.io/acme/b, tag: 1.10}',
        'c:',
        '  image: {repository: ghcr.io/acme/c, tag: 8}',
        'd:',
        '  image: {repository: ghcr.io/acme/d, tag: 0123}',
        'e:',
        '  image: {repository: ghcr.io/acme/e, tag: "20240101"}',
        'f:',
        '  image: {repository: ghcr.io/acme/f, tag: 123456}',
        ''
      ].join('\n')
    )
    expect(problems).toEqual([])
    expect(images.map((i) => i.image)).toEqual([
      'ghcr.io/acme/a:2.0240101e+07',
      'ghcr.io/acme/b:1.1',
      'ghcr.io/acme/c:8',
      // YAML 1.1 (go-yaml v2) reads a leading zero as octal: 0123 is 83
      'ghcr.io/acme/d:83',
      'ghcr.io/acme/e:20240101',
      'ghcr.io/acme/f:123456'
    ])
    const a = byPath(images, 'a.image')
    // "  image: {repository: ghcr.io/acme/a, tag: " is 43 characters
    expect(a.fields.tag).toEqual({ file: 'c/values.yaml', value: '2.0240101e+07', written: '20240101', line: 2, column: 44, endLine: 2, endColumn: 52 })
    expectSpanText(a.fields.tag, '20240101', read)
    expect(byPath(images, 'b.image').fields.tag).toMatchObject({ value: '1.1', written: '1.10' })
    expect(byPath(images, 'c.image').fields.tag).not.toHaveProperty('written')
    expect(byPath(images, 'e.image').fields.tag).not.toHaveProperty('written')
  })

  test('an unquoted numeric appVersion is formatted as Helm reads Chart.yaml (6.10 becomes 6.1)', () => {
    const { images, read } = run('image:\n  repository: ghcr.io/acme/app\n', {}, 'apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: 6.10\n')
    const [image] = images as [HelmImage]
    expect(image.image).toBe('ghcr.io/acme/app:6.1')
    expect(image.appVersionField).toEqual({ file: 'c/Chart.yaml', value: '6.1', written: '6.10', line: 4, column: 13, endLine: 4, endColumn: 17 })
    expectSpanText(image.appVersionField, '6.10', read)

    // Chart.yaml numbers become Go strings through float32 ('g', -1, 32), integers digit for digit
    const appVersion = (written: string) =>
      (run('image:\n  repository: x/app\n', {}, `apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: ${written}\n`).images[0] as HelmImage).image
    expect(appVersion('1.23456789')).toBe('x/app:1.2345679')
    expect(appVersion('20240101')).toBe('x/app:20240101')
    expect(appVersion('"20240101"')).toBe('x/app:20240101')
  })

  test('sprig default: tag 0, false, null and "" all fall back to appVersion; a null override does too', () => {
    const { images } = run(
      ['a:', '  image: {repository: x/a, tag: 0}', 'b:', '  image: {repository: x/b, tag: false}', 'c:', '  image: {repository: x/c, tag: ~}', 'd:', '  image: {repository: x/d, tag: 2.0.0}', ''].join('\n'),
      { 'c/override.yaml': 'd:\n  image:\n    tag: null\n' }
    )
    expect(images.map((i) => [i.image, i.tagSource])).toEqual([
      ['x/a:1.0.0', 'appVersion'],
      ['x/b:1.0.0', 'appVersion'],
      ['x/c:1.0.0', 'appVersion'],
      ['x/d:1.0.0', 'appVersion']
    ])
  })

  test('without an appVersion a missing tag leaves the repository bare (tagSource none)', () => {
    const { images } = run('image:\n  repository: ghcr.io/acme/app\n', {}, 'apiVersion: v2\nname: app\nversion: 1.0.0\n')
    expect(images.map((i) => [i.image, i.tagSource, i.appVersionField])).toEqual([['ghcr.io/acme/app', 'none', undefined]])
  })

  test("a subchart's values do not borrow this chart's appVersion", () => {
    const chartYaml = `${chart}dependencies:\n  - name: postgresql\n    version: 12.x.x\n  - name: redis\n    alias: cache\n    version: 18.x.x\n`
    const { images } = run(
      'image:\n  repository: x/app\npostgresql:\n  image:\n    repository: x/pg\ncache:\n  image:\n    repository: x/redis\n',
      {},
      chartYaml
    )
    expect(images.map((i) => [i.path, i.image, i.tagSource])).toEqual([
      ['image', 'x/app:1.0.0', 'appVersion'],
      ['postgresql.image', 'x/pg', 'none'],
      ['cache.image', 'x/redis', 'none']
    ])
  })

  test('ingress-nginx style {registry, image, tag, digest}: the inner `image` is the repository', () => {
    const { images, read } = run(
      `controller:\n  image:\n    registry: registry.k8s.io\n    image: ingress-nginx/controller\n    tag: "v1.9.4"\n    digest: ${DIGEST_A}\n`
    )
    expect(images.map((i) => [i.path, i.image])).toEqual([['controller.image', `registry.k8s.io/ingress-nginx/controller:v1.9.4@${DIGEST_A}`]])
    const [image] = images as [HelmImage]
    expect(image.fields.repository).toEqual({ file: 'c/values.yaml', value: 'ingress-nginx/controller', line: 4, column: 12, endLine: 4, endColumn: 36 })
    expectSpanText(image.fields.repository, 'ingress-nginx/controller', read)
    expectSpanText(image.fields.registry, 'registry.k8s.io', read)
  })

  test('a mapping found only by its shape must name a repository (a git URL is not an image)', () => {
    const { images } = run('source:\n  repository: https://github.com/acme/app\n  tag: v1\nbackup:\n  repository: ghcr.io/acme/backup\n  tag: v2\n')
    expect(images.map((i) => [i.path, i.image])).toEqual([['backup', 'ghcr.io/acme/backup:v2']])
  })

  test('anchors and merge keys: each part points where it is written', () => {
    const values = [
      'defaults:',
      '  image: &img',
      '    repository: ghcr.io/acme/shared',
      '    tag: "5.0"',
      'worker:',
      '  image:',
      '    <<: *img',
      '    tag: "5.1"',
      'api:',
      '  image: *img',
      ''
    ].join('\n')
    const { images } = run(values)
    expect(images.map((i) => [i.path, i.image])).toEqual([
      ['defaults.image', 'ghcr.io/acme/shared:5.0'],
      ['worker.image', 'ghcr.io/acme/shared:5.1'],
      ['api.image', 'ghcr.io/acme/shared:5.0']
    ])
    const worker = byPath(images, 'worker.image')
    expect(worker.fields.repository).toMatchObject({ line: 3, column: 17 })
    expect(worker.fields.tag).toMatchObject({ line: 8, column: 11 })
    expect(byPath(images, 'api.image').fields.tag).toMatchObject({ line: 4, column: 11 })
  })

  test('CRLF line ends, a BOM and astral characters do not shift columns', () => {
    const text = '\uFEFF# 𝄞 notes\r\nimage:\r\n  # 𝄞\r\n  repository: "ghcr.io/acme/𝄞"\r\n  tag: v1 # 𝄞\r\nname: "𝄞"\r\nsidecar: {image: "busybox:1.36", note: 𝄞}\r\n'
    const { images, read } = run(text)
    expect(images.map((i) => i.path)).toEqual(['image', 'sidecar.image'])
    const [image, sidecar] = images as [HelmImage, HelmImage]
    expect(image.fields.repository).toMatchObject({ value: 'ghcr.io/acme/𝄞', line: 4, column: 16, endColumn: 30 })
    expectSpanText(image.fields.repository, 'ghcr.io/acme/𝄞', read)
    expect(image.fields.tag).toMatchObject({ line: 5, column: 8, endColumn: 10 })
    expectSpanText(image.fields.tag, 'v1', read)
    expect(sidecar.fields.whole).toMatchObject({ line: 7, column: 19, endColumn: 31 })
    expectSpanText(sidecar.fields.whole, 'busybox:1.36', read)
  })

  test('problems: no Chart.yaml, a missing extra values file, a values file that is not a mapping, a broken Chart.yaml', () => {
    expect(chartImages('nochart', memory({ 'nochart/values.yaml': 'image: nginx:1.25\n' }))).toEqual({
      images: [],
      problems: [{ file: 'nochart/Chart.yaml', line: 1, column: 1, message: expect.stringContaining('has no Chart.yaml') }]
    })

    const missing = chartImages('c', memory({ 'c/Chart.yaml': chart, 'c/values.yaml': 'image: nginx:1.25\n' }), ['c/values-gone.yaml'])
    expect(missing.images).toEqual([])
    expect(missing.problems).toEqual([{ file: 'c/values-gone.yaml', line: 1, column: 1, message: expect.stringContaining('helm -f c/values-gone.yaml') }])

    const list = run('# a list is not values\n- image: nginx:1.25\n')
    expect(list.images).toEqual([])
    expect(list.problems).toEqual([{ file: 'c/values.yaml', line: 2, column: 1, message: expect.stringContaining('must be a mapping') }])

    // a broken Chart.yaml loses the name and appVersion, not the images
    const badChart = run('image:\n  repository: ghcr.io/acme/app\n  tag: "1"\n', {}, 'name: app\nappVersion: "1\n')
    expect(badChart.problems).toEqual([{ file: 'c/Chart.yaml', line: 3, column: 1, message: expect.stringMatching(/^This file is not valid YAML: /) }])
    expect(badChart.images.map((i) => [i.chartName, i.image])).toEqual([['c', 'ghcr.io/acme/app:1']])
  })

  test('empty values files, or none, are no images and no problems; a chart at the workspace root uses bare paths', () => {
    expect(run('# nothing yet\n')).toMatchObject({ images: [], problems: [] })
    expect(chartImages('c', memory({ 'c/Chart.yaml': chart }))).toEqual({ images: [], problems: [] })
    const root = chartImages('.', memory({ 'Chart.yaml': chart, 'values.yaml': 'image: nginx:1.25\n' }))
    expect(root.images.map((i) => [i.chart, i.fields.whole?.file])).toEqual([['.', 'values.yaml']])
    const trailing = chartImages('charts/shop/', memory({ 'charts/shop/Chart.yaml': chart, 'charts/shop/values.yaml': 'image: nginx:1.25\n' }))
    expect(trailing.images.map((i) => [i.chart, i.chartName, i.fields.whole?.file])).toEqual([['charts/shop', 'app', 'charts/shop/values.yaml']])
  })
})
