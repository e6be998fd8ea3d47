import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { labOrSkip, podWorkspace } from '../helpers/lab.js'
import { ForwardProxy } from '../helpers/proxy.js'
import { cleanEnv, runNode } from '../helpers/run-dist.js'

const lab = labOrSkip()

// Requests are counted by a proxy in front of the registry, not by the code under test.
;(lab ? describe : describe.skip)('cache-file: what was learned about digests, across runs', () => {
  test('a warm run sends one HEAD per tag and nothing for digest-pinned references, with the same verdicts', async () => {
    const open = lab!.open.host
    const pinned = `${open}/lab/hello@${lab!.images['open/lab/hello:v2s2']!.digest}`
    const ws = podWorkspace([`${open}/lab/app:1.0.0`, `${open}/lab/hello:multi-oci`, pinned, `${open}/lab/hello:arm64-only`])
    const cacheFile = path.join(mkdtempSync(path.join(tmpdir(), 'pullgate-cache-')), 'facts.json')
    const proxy = await new ForwardProxy().start()
    const run = async (images?: string[]) => {
      const dir = images ? podWorkspace(images).dir : ws.dir
      proxy.seen.length = 0
      const result = await runNode('dist/cli.js', ['--format', 'json', '--cache-file', cacheFile, '.'], {
        cwd: dir,
        env: cleanEnv({ HOME: dir, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' })
      })
      const report = JSON.parse(result.stdout) as { findings: Array<{ rule: string; line: number }> }
      return { findings: report.findings.map((f) => [f.rule, f.line]), requests: [...proxy.seen] }
    }
    try {
      const cold = await run()
      expect(cold.findings).toEqual([['platform-missing', ws.lineOf(3)]])
      expect(cold.requests.filter((r) => r.includes('/blobs/') || /GET .*\/manifests\//.test(r)).length).toBeGreaterThan(0)
      expect(JSON.parse(readFileSync(cacheFile, 'utf8')).version).toBe(1)
      // a pinned digest is read once, by GET, which also proves it exists: no HEAD before it
      const digest = lab!.images['open/lab/hello:v2s2']!.digest
      expect(cold.requests.filter((r) => r.endsWith(`/manifests/${digest}`))).toEqual([`GET http://${open}/v2/lab/hello/manifests/${digest}`])

      const warm = await run()
      expect(warm.findings).toEqual(cold.findings)
      const base = `http://${open}`
      expect(warm.requests.filter((r) => !r.startsWith('CONNECT')).sort()).toEqual(
        [`GET ${base}/v2/`, `HEAD ${base}/v2/lab/app/manifests/1.0.0`, `HEAD ${base}/v2/lab/hello/manifests/arm64-only`, `HEAD ${base}/v2/lab/hello/manifests/multi-oci`].sort()
      )

      const onlyPinned = await run([pinned])
      expect(onlyPinned.findings).toEqual([])
      expect(onlyPinned.requests.filter((r) => !r.startsWith('CONNECT'))).toEqual([])
    } finally {
      await proxy.stop()
    }
  })
})
