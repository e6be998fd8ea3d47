import { beforeAll, describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { scan, type ScanResult } from '../../src/engine/scan.js'
import type { ImageOccurrence } from '../../src/manifests/extract.js'
import { MANIFEST_FIXTURES } from '../helpers/fixtures.js'

let result: ScanResult
beforeAll(async () => {
  // extraction as written: kustomize rendering has its own tests
  result = await scan({ workspace: MANIFEST_FIXTURES, paths: [], offline: true, kustomize: false, helm: false })
})

function occurrences(): ImageOccurrence[] {
  return result.images.filter((i) => i.source === 'container').map((i) => i.occurrence as ImageOccurrence)
}

describe('images found in the hand-written fixtures', () => {
  // file, line, column, endColumn, image, kind, object, container, list, category
  const expected: Array<[string, number, number, number, string, string, string, string, string, string]> = [
    ['anchors.yaml', 11, 23, 48, 'ghcr.io/acme/anchored:1.0', 'Deployment', 'anchored', 'app', 'containers', 'podspec'],
    ['anchors.yaml', 15, 18, 45, 'ghcr.io/acme/sidecar:latest', 'Deployment', 'anchored', 'sidecar', 'containers', 'podspec'],
    // merged from the anchor: the image is written at the anchor, so that is where it is reported
    ['anchors.yaml', 11, 23, 48, 'ghcr.io/acme/anchored:1.0', 'Deployment', 'anchored', 'copy', 'containers', 'podspec'],
    ['anchors.yaml', 11, 23, 48, 'ghcr.io/acme/anchored:1.0', 'Deployment', 'anchored', 'alias', 'containers', 'podspec'],
    ['broken.yaml', 8, 14, 35, 'ghcr.io/acme/fine:1.0', 'Pod', 'fine', 'app', 'containers', 'podspec'],
    ['crlf-bom.yaml', 8, 14, 49, 'mcr.microsoft.com/dotnet/aspnet:8.0', 'Pod', 'windows-made', 'app', 'containers', 'podspec'],
    ['crlf-bom.yaml', 10, 15, 43, 'mcr.microsoft.com/powershell', 'Pod', 'windows-made', 'tools', 'containers', 'podspec'],
    ['custom-resources.yaml', 11, 18, 42, 'ghcr.io/acme/rollout:5.0', 'Rollout', 'canary', 'app', 'containers', 'crd-podspec'],
    ['custom-resources.yaml', 21, 18, 37, 'gcr.io/acme/hello:1', 'Service', 'hello', '', 'containers', 'crd-podspec'],
    ['custom-resources.yaml', 31, 16, 27, 'golang:1.22', 'Workflow', 'build-', '', 'container', 'crd-field'],
    ['custom-resources.yaml', 34, 18, 32, 'docker:24-dind', 'Workflow', 'build-', 'dind', 'sidecars', 'crd-field'],
    ['custom-resources.yaml', 37, 16, 34, 'python:3.12-alpine', 'Workflow', 'build-', '', 'script', 'crd-field'],
    ['custom-resources.yaml', 43, 20, 31, 'alpine:3.19', 'Workflow', 'build-', 'a', 'containers', 'crd-podspec'],
    ['custom-resources.yaml', 51, 12, 36, 'ghcr.io/acme/step-base:1', 'Task', 'lint', '', 'stepTemplate', 'crd-field'],
    ['custom-resources.yaml', 54, 14, 42, 'golangci/golangci-lint:v1.57', 'Task', 'lint', 'lint', 'steps', 'crd-field'],
    ['custom-resources.yaml', 57, 14, 21, 'redis:7', 'Task', 'lint', 'cache', 'sidecars', 'crd-field'],
    ['custom-resources.yaml', 69, 20, 43, 'ghcr.io/acme/worker:4.4', 'ScaledJob', 'worker', 'worker', 'containers', 'crd-podspec'],
    ['custom-resources.yaml', 76, 10, 47, 'quay.io/prometheus/prometheus:v2.51.0', 'Prometheus', 'k8s', '', 'spec.image', 'crd-field'],
    ['custom-resources.yaml', 83, 10, 38, 'ghcr.io/stefanprodan/podinfo', 'ImageRepository', 'podinfo', '', 'spec.image', 'crd-field'],
    ['deployment.json', 9, 37, 60, 'ghcr.io/acme/json:1.2.3', 'Deployment', 'from-json', 'app', 'containers', 'podspec'],
    ['deployment.json', 10, 38, 44, 'alpine', 'Deployment', 'from-json', 'side', 'containers', 'podspec'],
    ['invalid-references.yaml', 8, 14, 34, 'ghcr.io/Acme/App:1.0', 'Pod', 'broken-refs', 'uppercase', 'containers', 'podspec'],
    ['invalid-references.yaml', 10, 14, 25, 'nginx:-1.25', 'Pod', 'broken-refs', 'bad-tag', 'containers', 'podspec'],
    ['invalid-references.yaml', 12, 14, 33, 'nginx@sha256:abc123', 'Pod', 'broken-refs', 'short-digest', 'containers', 'podspec'],
    ['invalid-references.yaml', 14, 14, 42, 'https://ghcr.io/acme/app:1.0', 'Pod', 'broken-refs', 'scheme', 'containers', 'podspec'],
    ['invalid-references.yaml', 16, 14, 17, '1.5', 'Pod', 'broken-refs', 'number', 'containers', 'podspec'],
    ['invalid-references.yaml', 18, 15, 15, '', 'Pod', 'broken-refs', 'empty', 'containers', 'podspec'],
    ['invalid-references.yaml', 22, 14, 45, 'my_registry.example.com/app:1.0', 'Pod', 'broken-refs', 'bad-host', 'containers', 'podspec'],
    ['kustomize/base/deployment.yaml', 10, 18, 40, 'ghcr.io/acme/api:1.0.0', 'Deployment', 'api', 'api', 'containers', 'podspec'],
    ['list.yaml', 13, 22, 45, 'ghcr.io/acme/listed:2.0', 'Deployment', 'in-a-list', 'app', 'containers', 'podspec'],
    ['patch-and-volume.yaml', 22, 14, 34, 'ghcr.io/acme/app:2.0', 'Pod', 'image-volume', 'app', 'containers', 'podspec'],
    ['patch-and-volume.yaml', 26, 20, 47, 'ghcr.io/acme/models:2024-06', 'Pod', 'image-volume', 'models', 'volumes', 'podspec'],
    ['scalar-styles.yaml', 9, 9, 32, 'quay.io/acme/folded:1.0', 'Pod', 'styles', 'folded', 'containers', 'podspec'],
    ['scalar-styles.yaml', 12, 9, 33, 'quay.io/acme/literal:1.0\n', 'Pod', 'styles', 'literal', 'containers', 'podspec'],
    ['scalar-styles.yaml', 14, 15, 38, 'quay.io/acme/single:1.0', 'Pod', 'styles', 'single', 'containers', 'podspec'],
    ['scalar-styles.yaml', 16, 14, 44, 'quay.io/acme/after-unicode:1.0', 'Pod', 'styles', 'unicode-comment', 'containers', 'podspec'],
    ['templated.yaml', 10, 19, 73, '{{ .Values.image.repository }}:{{ .Values.image.tag }}', 'Deployment', 'templated', 'helm', 'containers', 'podspec'],
    ['templated.yaml', 12, 18, 47, 'ghcr.io/acme/app:${IMAGE_TAG}', 'Deployment', 'templated', 'envsubst', 'containers', 'podspec'],
    ['templated.yaml', 14, 18, 53, 'ko://github.com/acme/app/cmd/server', 'Deployment', 'templated', 'ko', 'containers', 'podspec'],
    ['templated.yaml', 23, 14, 37, '$(params.builder-image)', 'Task', 'param-image', 'run', 'steps', 'crd-field'],
    ['workloads.yaml', 13, 14, 26, 'busybox:1.36', 'Pod', 'debug-pod', 'init', 'initContainers', 'podspec'],
    ['workloads.yaml', 16, 14, 52, 'registry.example.com/tools/debug:2.1.0', 'Pod', 'debug-pod', 'main', 'containers', 'podspec'],
    ['workloads.yaml', 20, 14, 21, 'busybox', 'Pod', 'debug-pod', 'shell', 'ephemeralContainers', 'podspec'],
    ['workloads.yaml', 30, 16, 38, 'ghcr.io/acme/app:1.0.0', 'PodTemplate', 'template', 'app', 'containers', 'podspec'],
    ['workloads.yaml', 41, 18, 41, 'quay.io/acme/legacy:0.9', 'ReplicationController', 'legacy', 'app', 'containers', 'podspec'],
    ['workloads.yaml', 53, 18, 30, 'nginx:latest', 'Deployment', 'web', 'web', 'containers', 'podspec'],
    ['workloads.yaml', 55, 19, 56, 'nginx/nginx-prometheus-exporter:1.1.0', 'Deployment', 'web', 'exporter', 'containers', 'podspec'],
    ['workloads.yaml', 66, 19, 104, 'postgres:16.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'StatefulSet', 'db', 'postgres', 'containers', 'podspec'],
    ['workloads.yaml', 76, 32, 54, 'localhost:5000/agent:3', 'DaemonSet', 'agent', 'agent', 'containers', 'podspec'],
    ['workloads.yaml', 87, 18, 45, 'docker.io/library/redis:7.2', 'ReplicaSet', 'rs', 'app', 'containers', 'podspec'],
    ['workloads.yaml', 98, 18, 110, 'ghcr.io/acme/migrate@sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd', 'Job', 'migrate', 'migrate', 'containers', 'podspec'],
    ['workloads.yaml', 111, 23, 113, 'acme/backup:latest@sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd', 'CronJob', 'nightly', 'backup', 'containers', 'podspec']
  ]

  test('every image of every kind, list and CRD shape, at its exact position; nothing from non-manifests, Helm templates, patches or policies', () => {
    const actual = occurrences().map((o) => [o.file, o.line, o.column, o.endColumn, o.image, o.kind, o.objectName ?? '', o.container ?? '', o.list, o.category])
    expect(actual).toEqual(expected)
  })

  test('the text at each position is the image as written', () => {
    for (const o of occurrences().filter((o) => o.isString && o.image.trim() !== '')) {
      const text = readFileSync(path.join(MANIFEST_FIXTURES, o.file), 'utf8').replace(/^\uFEFF/, '')
      const line = text.split('\n')[o.line - 1]!.replace(/\r$/, '')
      expect([o.file, o.line, [...line].slice(o.column - 1, o.endColumn - 1).join('')]).toEqual([o.file, o.line, o.image.trim()])
    }
  })

  test('the pod context later rules need: namespace, pull policy, service account and pull secrets', () => {
    const shell = occurrences().find((o) => o.container === 'shell')!
    expect([shell.namespace, shell.serviceAccountName, shell.imagePullSecrets, shell.imagePullPolicy]).toEqual(['tools', 'debugger', ['regcred'], undefined])
    const main = occurrences().find((o) => o.container === 'main')!
    expect(main.imagePullPolicy).toBe('IfNotPresent')
    // a merged container keeps the anchor's pull policy; an explicit key would win over it
    expect(occurrences().filter((o) => o.objectName === 'anchored').map((o) => o.imagePullPolicy)).toEqual(['Always', 'Always', 'Always', undefined])
    expect(occurrences().find((o) => o.list === 'volumes')!.imagePullPolicy).toBe('IfNotPresent')
    expect(occurrences().find((o) => o.kind === 'ImageRepository')!.purpose).toBe('repository')
  })

  test('kustomization images: entries, each at its name line', () => {
    const entries = result.images.filter((i) => i.source === 'kustomize')
    expect(entries.map((i) => [i.occurrence.line, i.occurrence.column, i.image, i.tagKnown])).toEqual([
      [6, 11, 'ghcr.io/acme/api:1.1.0', true],
      [8, 11, 'registry.example.com/acme/worker:latest', true],
      [11, 11, 'redis@sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd', true],
      [13, 11, 'bad:v1 beta', true]
    ])
  })
})

describe('findings on the hand-written fixtures', () => {
  test('exact rule, severity and span of every finding, most severe first', () => {
    expect(result.findings.map((f) => [f.rule, f.severity, f.file, f.line, f.column, f.endLine, f.endColumn])).toEqual([
      ['invalid-manifest', 'error', 'broken.yaml', 18, 6, 18, 7],
      ['invalid-reference', 'error', 'invalid-references.yaml', 8, 14, 8, 34],
      ['invalid-reference', 'error', 'invalid-references.yaml', 10, 14, 10, 25],
      ['invalid-reference', 'error', 'invalid-references.yaml', 12, 14, 12, 33],
      ['invalid-reference', 'error', 'invalid-references.yaml', 14, 14, 14, 42],
      ['invalid-reference', 'error', 'invalid-references.yaml', 16, 14, 16, 17],
      ['invalid-reference', 'error', 'invalid-references.yaml', 18, 15, 18, 15],
      ['invalid-reference', 'error', 'invalid-references.yaml', 22, 14, 22, 45],
      // the overlay's newTag line decides the bad tag, so the finding is there, not at the entry
      ['invalid-reference', 'error', 'kustomize/overlays/prod/kustomization.yaml', 14, 14, 14, 21],
      ['invalid-reference', 'error', 'scalar-styles.yaml', 12, 9, 12, 33],
      ['mutable-tag', 'warning', 'anchors.yaml', 15, 18, 15, 45],
      ['mutable-tag', 'warning', 'crlf-bom.yaml', 10, 15, 10, 43],
      ['mutable-tag', 'warning', 'deployment.json', 10, 38, 10, 44],
      ['mutable-tag', 'warning', 'kustomize/overlays/prod/kustomization.yaml', 10, 13, 10, 19],
      ['unresolved-reference', 'warning', 'templated.yaml', 10, 19, 10, 73],
      ['unresolved-reference', 'warning', 'templated.yaml', 12, 18, 12, 47],
      ['unresolved-reference', 'warning', 'templated.yaml', 14, 18, 14, 53],
      ['unresolved-reference', 'warning', 'templated.yaml', 23, 14, 23, 37],
      ['mutable-tag', 'warning', 'workloads.yaml', 20, 14, 20, 21],
      ['mutable-tag', 'warning', 'workloads.yaml', 53, 18, 53, 30]
    ])
  })

  test.each([
    [
      'invalid-manifest',
      'broken.yaml',
      'This file is not valid YAML: Sequence item without - indicator (1 of 2 documents could not be read; the others were checked). ' +
        '`kubectl apply` would reject it and none of the images in the broken document were checked. Fix the syntax at this position.'
    ],
    [
      'mutable-tag',
      'workloads.yaml',
      '"busybox" has no tag, so it means docker.io/library/busybox:latest: the image behind it can change without any change to this manifest, ' +
        'and the kubelet pulls it again on every pod start (imagePullPolicy defaults to Always for latest), so each start depends on the registry. ' +
        'Pin a version tag, or a digest: busybox@sha256:<digest>.'
    ],
    [
      'unresolved-reference',
      'templated.yaml',
      'image "{{ .Values.image.repository }}:{{ .Values.image.tag }}" contains a Go/Helm/Argo template expression ("{{ .Values.image.repository }}"), ' +
        'so pullgate cannot tell which image will run. Check the rendered manifests instead (e.g. `helm template`, `kustomize build`, `ko resolve` or ' +
        '`envsubst` output), or suppress this warning if another step verifies the image.'
    ]
  ])('%s message in %s says what is wrong and how to fix it', (rule, file, message) => {
    expect(result.findings.find((f) => f.rule === rule && f.file === file)!.message).toBe(message)
  })

  test('invalid references name the kubelet failure and the offending part', () => {
    const messages = result.findings.filter((f) => f.file === 'invalid-references.yaml').map((f) => f.message)
    expect(messages[0]).toMatch(/^image "ghcr\.io\/Acme\/App:1\.0" is not a valid reference: invalid reference format: repository name \(Acme\/App\) must be lowercase/)
    expect(messages[0]).toMatch(/InvalidImageName/)
    expect(messages[4]).toBe('image "1.5" is not a string: Kubernetes rejects the manifest ("cannot unmarshal … into … of type string"). Quote it.')
    expect(messages[5]).toBe('image is empty: Kubernetes rejects a container without an image. Set the image to pull.')
    // distribution/reference reads it as a path with no registry; containerd would still dial the bad host
    expect(messages[6]).toBe(
      'image "my_registry.example.com/app:1.0" names the registry "my_registry.example.com", which is not a valid host name ' +
        '(hosts allow letters, digits, "-" and "." only), so no container runtime can pull it. Fix the registry host.'
    )
  })

  test('a mutable tag with an explicit IfNotPresent policy says what that policy does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-'))
    writeFileSync(
      path.join(dir, 'pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx\n    imagePullPolicy: IfNotPresent\n'
    )
    const r = await scan({ workspace: dir, paths: [], offline: true })
    expect(r.findings.map((f) => [f.rule, f.line, f.column])).toEqual([['mutable-tag', 7, 12]])
    expect(r.findings[0]!.message).toContain(
      'and with imagePullPolicy IfNotPresent each node keeps whichever version it pulled first, so pods on different nodes can run different images.'
    )
  })

  test('stats count files, manifests and documents', () => {
    expect(result.stats).toEqual({ files: 20, manifests: 13, documents: 35 })
  })
})
