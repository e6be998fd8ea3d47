import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CONFIG, CONFIG_DIGEST, FakeServer, json, MANIFEST, MANIFEST_DIGEST } from '../helpers/fake-registry.js'
import { podWorkspace } from '../helpers/lab.js'
import { cleanEnv, runNode } from '../helpers/run-dist.js'

// Behaviours no registry available here produces, served by a real HTTP server on loopback.


let server: FakeServer
let tokenAttempts = 0
beforeAll(async () => {
  server = await new FakeServer((req, res) => {
    const url = new URL(req.url!, 'http://x')
    const p = url.pathname
    if (p === '/v2/') return json(res, 200, {})
    // what a runtime would pull, by digest, for every repository that resolved to it
    if (p.endsWith(`/manifests/${MANIFEST_DIGEST}`) && !p.startsWith('/v2/flaky-token/')) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': MANIFEST_DIGEST })
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    }
    if (p.endsWith(`/blobs/${CONFIG_DIGEST}`)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      return res.end(CONFIG)
    }
    // Docker Hub's 429: Retry-After and its ratelimit headers
    if (p.startsWith('/v2/limited/')) {
      return json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] }, {
        'retry-after': '0',
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '0;w=21600'
      })
    }
    // a tag list in two pages, linked as the spec says (distribution 2.8 here never paginates)
    if (p === '/v2/paged/app/tags/list') {
      if (url.searchParams.get('last') === 'b') return json(res, 200, { name: 'paged/app', tags: ['release-2024'] })
      return json(res, 200, { name: 'paged/app', tags: ['a', 'b'] }, { link: '</v2/paged/app/tags/list?n=2&last=b>; rel="next"' })
    }
    // registry.access.redhat.com and Artifactory omit Docker-Content-Digest
    if (p === '/v2/nodigest/app/manifests/1.0') {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': Buffer.byteLength(MANIFEST) })
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    }
    // containerd refuses manifests over 4 MiB; so must the gate
    if (p === '/v2/huge/app/manifests/1.0') {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': String(5 * 1024 * 1024), 'docker-content-digest': MANIFEST_DIGEST })
      return res.end()
    }
    // a body that does not hash to the digest the registry claims must be refused
    if (p === '/v2/liar/app/manifests/1.0') {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': req.method === 'HEAD' ? '' : `sha256:${'b'.repeat(64)}` })
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    }
    // Docker Hub: an anonymous token for an unknown repository grants nothing, then 401
    if (p === '/token') {
      tokenAttempts++
      return json(res, 200, { token: `anon-${tokenAttempts}`, expires_in: 300 })
    }
    if (p.startsWith('/v2/hub/')) {
      const challenge = `Bearer realm="${server.url}/token",service="fake-hub",scope="repository:hub/unknown:pull",error="insufficient_scope"`
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': challenge })
    }
    // a registry that calls its own fresh token expired once, then accepts a new one
    if (p.startsWith('/v2/flaky-token/')) {
      const auth = req.headers.authorization
      if (!auth) return json(res, 401, {}, { 'www-authenticate': `Bearer realm="${server.url}/token",service="fake"` })
      if (auth === 'Bearer anon-1' || !auth.startsWith('Bearer anon-')) {
        return json(res, 401, {}, { 'www-authenticate': `Bearer realm="${server.url}/token",service="fake",error="invalid_token"` })
      }
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': MANIFEST_DIGEST })
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    }
    json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] })
  }).start()
})
afterAll(() => server.stop())

async function check(images: string[], args: string[] = []) {
  const ws = podWorkspace(images)
  const run = await runNode('dist/cli.js', ['--format', 'json', ...args, '.'], { cwd: ws.dir, env: cleanEnv({ HOME: mkdtempSync(path.join(tmpdir(), 'h-')) }) })
  return JSON.parse(run.stdout) as { findings: Array<{ rule: string; line: number; message: string }>; images: Array<{ image: string; digest?: string }> }
}

describe('registries behaving as only some real ones do', () => {
  test('429 with Retry-After: retried, then rate-limited with the remaining quota', async () => {
    const report = await check([`${server.host}/limited/app:1.0`])
    expect(report.findings.map((f) => [f.rule, f.line])).toEqual([['rate-limited', 8]])
    expect(report.findings[0]!.message).toContain(
      'is rate-limiting this runner (toomanyrequests): HEAD /v2/limited/app/manifests/1.0 answered 429 (remaining 0;w=21600, limit 100;w=21600, retry after 0 s)'
    )
    expect(server.seen.filter((s) => s.path === '/v2/limited/app/manifests/1.0')).toHaveLength(4)
  })

  test('no Docker-Content-Digest on HEAD: GET the manifest and hash it; an image used three times is asked for once', async () => {
    const image = `${server.host}/nodigest/app:1.0`
    const report = await check([image, image, image])
    expect(report.findings).toEqual([])
    expect(report.images[0]!.digest).toBe(MANIFEST_DIGEST)
    expect(server.seen.filter((s) => s.path === '/v2/nodigest/app/manifests/1.0').map((s) => s.method)).toEqual(['HEAD', 'GET'])
    // what a node would pull is then read once, by digest: the manifest and its config
    expect(server.seen.filter((s) => s.path === `/v2/nodigest/app/manifests/${MANIFEST_DIGEST}`)).toHaveLength(1)
    expect(server.seen.filter((s) => s.path === `/v2/nodigest/app/blobs/${CONFIG_DIGEST}`)).toHaveLength(1)
  })

  test('the tag list is followed through its Link pages for suggestions', async () => {
    const report = await check([`${server.host}/paged/app:release-2042`])
    expect(report.findings.map((f) => f.rule)).toEqual(['tag-not-found'])
    expect(report.findings[0]!.message).toContain('(the repository has 3 tags)')
    expect(report.findings[0]!.message).toContain('Did you mean "release-2024"?')
  })

  test('a loopback registry is tried over HTTPS first; an insecure-registries host is spoken to in plain HTTP at once', async () => {
    const before = server.clientErrors
    await check([`${server.host}/nodigest/app:1.0`])
    expect(server.clientErrors).toBeGreaterThan(before)
    const after = server.clientErrors
    const report = await check([`${server.host}/nodigest/app:1.0`], ['--insecure-registries', server.host])
    expect(report.findings).toEqual([])
    expect(server.clientErrors).toBe(after)
  })

  test('a manifest whose body does not match its digest is refused as registry-error', async () => {
    const report = await check([`${server.host}/liar/app:1.0`])
    expect(report.findings.map((f) => f.rule)).toEqual(['registry-error'])
    expect(report.findings[0]!.message).toContain(`the manifest body hashes to ${MANIFEST_DIGEST} but the registry says sha256:${'b'.repeat(64)}`)
  })

  test('a manifest over 4 MiB is refused as registry-error', async () => {
    const report = await check([`${server.host}/huge/app:1.0`])
    expect(report.findings.map((f) => f.rule)).toEqual(['registry-error'])
    expect(report.findings[0]!.message).toContain('the manifest is 5242880 bytes, over the 4194304-byte limit container runtimes accept')
  })

  test("Docker Hub's 401 for an unknown repository: credentials-missing that says private or missing", async () => {
    const report = await check([`${server.host}/hub/unknown:1.0`])
    expect(report.findings.map((f) => f.rule)).toEqual(['credentials-missing'])
    expect(report.findings[0]!.message).toContain('So the repository is private, or it does not exist')
  })

  test('a token the registry calls invalid is replaced once, and the image resolves', async () => {
    tokenAttempts = 0
    const report = await check([`${server.host}/flaky-token/app:1.0`])
    expect(report.findings).toEqual([])
    expect(report.images[0]!.digest).toBe(MANIFEST_DIGEST)
    expect(tokenAttempts).toBe(2)
  })
})
