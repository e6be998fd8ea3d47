import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { scan } from '../../src/engine/scan.js'
import { ROOT } from '../helpers/shared.js'

function kubectlVersion(): string | undefined {
  try {
    return execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' })
  } catch {
    return undefined
  }
}

const version = kubectlVersion()
if (!version) console.warn('\n*** SKIPPED: kubectl is not installed (apt-get install kubectl); the comparison with kubectl kustomize did not run. ***\n')

;(version ? describe : describe.skip)('the native overlay logic finds what kubectl kustomize renders', () => {
  test.each(['overlays/prod', 'overlays/prod-eu', 'overlays/staging'])('%s', async (overlay) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-kz-'))
    cpSync(path.join(ROOT, '__fixtures__/kustomize-repo'), dir, { recursive: true })
    // a registry address as users write one (kustomize turns image names into regular expressions, so ${OPEN} would not match)
    for (const file of execFileSync('find', [dir, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n')) {
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\$\{OPEN\}/g, 'registry.example.com:5000'))
    }
    // kubectl would fetch the remote base; the native renderer reports it instead: compare without it
    const prod = path.join(dir, 'overlays/prod/kustomization.yaml')
    writeFileSync(prod, readFileSync(prod, 'utf8').replace(/^ {2}- https:.*\n/m, ''))
    const native = await scan({ workspace: dir, paths: [overlay], offline: true })
    const nativeImages = native.images.filter((i) => i.overlay === `${overlay}/kustomization.yaml`).map((i) => i.image).sort()
    const rendered = execFileSync('kubectl', ['kustomize', overlay], { cwd: dir, encoding: 'utf8' })
    const out = mkdtempSync(path.join(tmpdir(), 'pullgate-kz-out-'))
    writeFileSync(path.join(out, 'rendered.yaml'), rendered)
    const fromKubectl = (await scan({ workspace: out, paths: [], offline: true, kustomize: false })).images.map((i) => i.image).sort()
    expect(nativeImages.length).toBeGreaterThan(0)
    expect(nativeImages).toEqual(fromKubectl)
  })
})
