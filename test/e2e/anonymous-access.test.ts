import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CONFIG, CONFIG_DIGEST, FakeServer, json, MANIFEST, MANIFEST_DIGEST } from '../helpers/fake-registry.js'
import { dockerConfig, podWorkspace } from '../helpers/lab.js'
import { cleanEnv, runNode } from '../helpers/run-dist.js'

/**
 * A token registry whose tokens are opaque (not JWTs: GHCR's are not), so they cannot say what
 * they grant: whether an anonymous client may pull is then asked per repository, with one
 * anonymous HEAD. `pub/app` is pullable anonymously, `priv/app` only by alice.
 */
describe('a token registry with opaque tokens: privacy by one anonymous HEAD per repository', () => {
  let registry: FakeServer
  beforeAll(async () => {
    registry = await new FakeServer((req, res) => {
      const url = new URL(req.url!, 'http://x')
      const challenge = { 'www-authenticate': `Bearer realm="http://${registry.host}/token",service="fake"` }
      if (url.pathname === '/token') {
        const alice = req.headers.authorization === `Basic ${Buffer.from('alice:alicepass').toString('base64')}`
        return json(res, 200, { token: alice ? 'opaque-alice' : 'opaque-anonymous', expires_in: 300 })
      }
      if (url.pathname === '/v2/') return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, challenge)
      const m = /^\/v2\/(pub|priv)\/app\/(manifests|blobs)\/(.+)$/.exec(url.pathname)
      const auth = req.headers.authorization
      const allowed = auth === 'Bearer opaque-alice' || (auth === 'Bearer opaque-anonymous' && m?.[1] === 'pub')
      if (!m || !allowed) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, challenge)
      if (m[2] === 'blobs' && m[3] === CONFIG_DIGEST) return json(res, 200, JSON.parse(CONFIG))
      if (m[2] === 'manifests' && (m[3] === '1.0' || m[3] === MANIFEST_DIGEST)) {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': MANIFEST_DIGEST, 'content-length': Buffer.byteLength(MANIFEST) })
        return res.end(req.method === 'HEAD' ? undefined : MANIFEST)
      }
      return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] })
    }).start()
  })
  afterAll(() => registry.stop())

  test('the private repository needs a pull secret, the public one does not; both were asked about anonymously once', async () => {
    const ws = podWorkspace([`${registry.host}/pub/app:1.0`, `${registry.host}/priv/app:1.0`])
    const config = dockerConfig({ [registry.host]: { username: 'alice', password: 'alicepass' } })
    const run = await runNode('dist/cli.js', ['--format', 'json', '--docker-config', config, '.'], { cwd: ws.dir, env: cleanEnv({ HOME: mkdtempSync(path.join(tmpdir(), 'h-')) }) })
    const findings = (JSON.parse(run.stdout) as { findings: Array<{ rule: string; line: number }> }).findings
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['pull-secret-missing', ws.lineOf(1)]])
    const anonymous = registry.seen.filter((r) => r.headers.authorization === 'Bearer opaque-anonymous')
    expect(anonymous.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['HEAD /v2/priv/app/manifests/1.0', 'HEAD /v2/pub/app/manifests/1.0'])
    // the anonymous token asked for both at once could not say which is public (it is opaque)
    const tokens = registry.seen.filter((r) => r.path.startsWith('/token') && !r.headers.authorization)
    expect(tokens.some((r) => r.path.includes('pub%2Fapp') && r.path.includes('priv%2Fapp'))).toBe(true)
  })
})
