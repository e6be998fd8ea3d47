import { describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { discoverManifests, MissingPathError } from '../../src/manifests/discover.js'

function tree(files: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'pullgate-discover-'))
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), 'kind: x\n')
  }
  return root
}

const FILES = [
  'deploy/app.yaml',
  'deploy/app.yml',
  'deploy/data.json',
  'deploy/README.md',
  'deploy/overlays/prod/Kustomization',
  '.tekton/pipeline.yaml',
  '.git/config.yaml',
  'node_modules/pkg/deployment.yaml',
  'web/node_modules/x/pod.yaml',
  'chart/Chart.yaml',
  'chart/values.yaml',
  'chart/templates/deployment.yaml',
  'chart/templates/sub/job.yaml',
  'not-a-chart/templates/pod.yaml',
  'weird [dir]/pod.yaml'
]

describe('discoverManifests', () => {
  test('the default scans YAML, JSON and Kustomization files everywhere but .git, node_modules and Helm chart templates', async () => {
    expect(await discoverManifests(tree(FILES), [])).toEqual([
      '.tekton/pipeline.yaml',
      'chart/Chart.yaml',
      'chart/values.yaml',
      'deploy/app.yaml',
      'deploy/app.yml',
      'deploy/data.json',
      'deploy/overlays/prod/Kustomization',
      'not-a-chart/templates/pod.yaml',
      'weird [dir]/pod.yaml'
    ])
  })

  test('folders, globs and explicit files combine; ! excludes; results are unique and sorted', async () => {
    const root = tree(FILES)
    expect(await discoverManifests(root, ['deploy', 'deploy/app.yaml', '**/*.json', '!deploy/*.yml'])).toEqual([
      'deploy/app.yaml',
      'deploy/data.json',
      'deploy/overlays/prod/Kustomization'
    ])
    expect(await discoverManifests(root, ['weird [dir]'])).toEqual(['weird [dir]/pod.yaml'])
  })

  test('a file named explicitly is scanned whatever its extension, even inside chart templates', async () => {
    const root = tree(FILES)
    expect(await discoverManifests(root, ['deploy/README.md', 'chart/templates/deployment.yaml'])).toEqual([
      'chart/templates/deployment.yaml',
      'deploy/README.md'
    ])
  })

  test('a named path that does not exist is an error naming it; a glob that matches nothing is not', async () => {
    const root = tree(FILES)
    await expect(discoverManifests(root, ['deploy', 'nope', 'nada.yaml'])).rejects.toEqual(new MissingPathError(['nope', 'nada.yaml']))
    expect(await discoverManifests(root, ['**/*.toml'])).toEqual([])
  })
})
