import { beforeAll, describe, expect, test } from '@jest/globals'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Lab } from '../lab/lab.js'
import { dockerConfig, labOrSkip, podWorkspace } from '../helpers/lab.js'
import { ForwardProxy } from '../helpers/proxy.js'
import { cleanEnv, runAction, runNode } from '../helpers/run-dist.js'

const lab = labOrSkip()
const describeLab = lab ? describe : describe.skip

interface ReportFinding {
  rule: string
  severity: string
  line: number
  column: number
  message: string
  image?: string
}

/** Runs `dist/cli.js --format json` in a workspace with a clean HOME (no ~/.docker of the machine's). */
async function check(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const home = mkdtempSync(path.join(tmpdir(), 'pullgate-home-'))
  const run = await runNode('dist/cli.js', ['--format', 'json', ...args, '.'], { cwd: dir, env: cleanEnv({ HOME: home, ...env }) })
  expect(run.stderr).toBe('')
  const report = JSON.parse(run.stdout) as { findings: ReportFinding[]; images: Array<{ image: string; reference: string; digest?: string; mediaType?: string }> }
  // the registry's verdicts only: mutable tags and the pods' pull secrets have tests of their own
  return { ...run, report, findings: report.findings.filter((f) => f.rule !== 'mutable-tag' && !f.rule.startsWith('pull-secret')) }
}

function issuerStats(l: Lab): Promise<{ tokenRequests: number; requests: Array<{ user?: string; scopes: string[] }> }> {
  return fetch(`${l.token.issuer.url}/stats`).then((r) => r.json() as never)
}

describeLab('registry checks against real registries (CNCF distribution on loopback)', () => {
  const l = lab!
  const ca = { NODE_EXTRA_CA_CERTS: l?.tls.caFile }
  const open = l?.open.host
  const images = lab
    ? [
        `${open}/lab/hello:v1.2`,
        `${open}/lab/hello:lates`,
        `${open}/lab/hello:v1.2-non-existent`,
        `${open}/lab/helo:1.0`,
        `${open}/lab/hello@sha256:${'0'.repeat(64)}`,
        `${l.basic.host}/private/hello:v2s2`,
        `${l.token.host}/private/hello:1.0`,
        `${l.token.host}/public/hello:1.0`,
        `${l.tls.host}/lab/hello:oci`,
        '127.0.0.1:1/lab/gone:1.0'
      ]
    : []
  let ws: ReturnType<typeof podWorkspace>
  beforeAll(() => {
    ws = podWorkspace(images)
  })

  test('without credentials: each failure is its own finding, on its line, with the evidence and the fix', async () => {
    const { code, findings, report } = await check(ws.dir, [], ca)
    expect(code).toBe(1)
    expect(findings.map((f) => [f.rule, f.severity, f.line, f.column])).toEqual([
      ['tag-not-found', 'error', ws.lineOf(1), 14],
      ['tag-not-found', 'error', ws.lineOf(2), 14],
      ['repository-not-found', 'error', ws.lineOf(3), 14],
      ['digest-not-found', 'error', ws.lineOf(4), 14],
      ['credentials-missing', 'error', ws.lineOf(5), 14],
      ['credentials-missing', 'error', ws.lineOf(6), 14],
      ['registry-unreachable', 'warning', ws.lineOf(9), 14]
    ])
    const [typo, prefix, repo, digest, basic, token, down] = findings
    expect(typo!.message).toBe(
      `${open}/lab/hello:lates: the tag "lates" does not exist in ${open}/lab/hello (the repository has 11 tags): ` +
        'HEAD /v2/lab/hello/manifests/lates answered 404. Did you mean "latest"? The kubelet would fail the pod with ErrImagePull, then ImagePullBackOff. ' +
        'Use an existing tag, or push this one (it may have been deleted by a retention policy).'
    )
    expect(prefix!.message).toContain('Did you mean "v1.2"?')
    expect(repo!.message).toContain('GET /v2/lab/helo/tags/list answered 404 NAME_UNKNOWN: repository name not known to registry')
    expect(digest!.message).toContain(`the digest sha256:${'0'.repeat(64)} does not exist in ${open}/lab/hello`)
    expect(basic!.message).toContain(`${l.basic.host} refused an anonymous request: HEAD /v2/private/hello/manifests/v2s2 answered 401. So the registry requires authentication`)
    expect(basic!.message).toContain(`add \`docker/login-action\` with \`registry: ${l.basic.host}\``)
    // a token registry cannot tell an anonymous client whether a repository is private or missing: say both
    expect(token!.message).toContain(`So the repository is private, or it does not exist (${l.token.host} answers both the same way to a client without credentials)`)
    expect(down!.message).toBe(
      '127.0.0.1:1/lab/gone:1.0: could not reach 127.0.0.1:1: connection refused by 127.0.0.1:1 (nothing listens there). The image could not be checked. ' +
        'Check the registry address; if it is only reachable from the cluster, run pullgate where it is, or set this rule to off.'
    )
    // what resolved is in the report with the digest and media type the registry gave
    const digestOf = (image: string) => report.images.find((i) => i.image === image)
    expect(digestOf(images[0]!)).toMatchObject({ digest: l.images['open/lab/hello:v1.2']!.digest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' })
    expect(digestOf(images[7]!)).toMatchObject({ digest: l.images['token/public/hello:1.0']!.digest })
    expect(digestOf(images[8]!)).toMatchObject({ digest: l.images['tls/lab/hello:oci']!.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' })
  })

  test('credentials from a Docker config (auths) open the private repositories', async () => {
    const config = dockerConfig({ [l.basic.host]: { username: 'alice', password: 'alicepass' }, [l.token.host]: { username: 'alice', password: 'alicepass' } })
    const before = await issuerStats(l)
    const { findings, report, stdout } = await check(ws.dir, ['--docker-config', config], ca)
    expect(findings.map((f) => f.rule)).toEqual(['tag-not-found', 'tag-not-found', 'repository-not-found', 'digest-not-found', 'registry-unreachable'])
    expect(report.images.find((i) => i.image === images[5])!.digest).toBe(l.images['basic/private/hello:v2s2']!.digest)
    expect(report.images.find((i) => i.image === images[6])!.digest).toBe(l.images['token/private/hello:1.0']!.digest)
    const after = await issuerStats(l)
    expect(after.tokenRequests).toBeGreaterThan(before.tokenRequests)
    expect(stdout).not.toContain('alicepass')
    expect(stdout).not.toContain(Buffer.from('alice:alicepass').toString('base64'))
  })

  test('one token per registry and scope, reused for every image of that repository', async () => {
    const repo = `${l.token.host}/private/hello`
    const many = podWorkspace([`${repo}:1.0`, `${repo}:latest`, `${repo}:1.0`, `${repo}:nope`, `${repo}@${l.images['token/private/hello:1.0']!.digest}`])
    const config = dockerConfig({ [l.token.host]: { username: 'alice', password: 'alicepass' } })
    const before = await issuerStats(l)
    const { findings } = await check(many.dir, ['--docker-config', config])
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['tag-not-found', many.lineOf(3)]])
    const after = await issuerStats(l)
    // alice's token, and one anonymous token for the probe that tells a private repository from a public one
    const fresh = after.requests.slice(-(after.tokenRequests - before.tokenRequests))
    expect(fresh.map((r) => r.user || 'anonymous').sort()).toEqual(['alice', 'anonymous'])
  })

  test('where tokens list what they grant (JWT access claims), one token request covers several repositories', async () => {
    const suffix = Date.now().toString(36)
    const repos = ['public/hello', 'private/hello', `private/missing-a-${suffix}`, `private/missing-b-${suffix}`, `private/missing-c-${suffix}`]
    const many = podWorkspace(repos.map((r) => `${l.token.host}/${r}:1.0`))
    const config = dockerConfig({ [l.token.host]: { username: 'alice', password: 'alicepass' } })
    const { findings } = await check(many.dir, ['--docker-config', config])
    expect(findings.map((f) => [f.rule, f.line])).toEqual([2, 3, 4].map((i) => ['repository-not-found', many.lineOf(i)]))
    // alice's requests naming this run's own repositories: the realm's first token is asked alone
    // (it tells whether tokens list their grants); the others share the requests after it
    const mine = (await issuerStats(l)).requests.filter((r) => r.user === 'alice' && r.scopes.some((s) => s.includes(suffix)))
    expect(mine.flatMap((r) => r.scopes).filter((s) => s.includes(suffix)).sort()).toEqual(repos.slice(2).map((r) => `repository:${r}:pull`).sort())
    expect(mine.length).toBeLessThan(3)
    expect(Math.max(...mine.map((r) => r.scopes.length))).toBeGreaterThan(1)
  })

  test('wrong or insufficient credentials are credentials-rejected, naming their source but never the secret', async () => {
    const config = dockerConfig({ [l.basic.host]: { username: 'alice', password: 'wrong-password-123' }, [l.token.host]: { username: 'bob', password: 'bobpass' } })
    const { findings, stdout } = await check(ws.dir, ['--docker-config', config], ca)
    const rejected = findings.filter((f) => f.rule === 'credentials-rejected')
    expect(rejected.map((f) => [f.line, f.severity])).toEqual([
      [ws.lineOf(5), 'error'],
      [ws.lineOf(6), 'error']
    ])
    expect(rejected[0]!.message).toContain(`refused the credentials from ${config}/config.json (auths["${l.basic.host}"]): HEAD /v2/private/hello/manifests/v2s2 answered 401. So the credentials are wrong or expired.`)
    // bob exists but may not pull private/: the registry cannot say which, so the message says both
    expect(rejected[1]!.message).toContain('lack pull permission on this repository, or the repository does not exist')
    expect(stdout).not.toContain('wrong-password-123')
    expect(stdout).not.toContain('bobpass')
  })

  test('identitytoken (OAuth2 refresh token, POSTed to the token server) and registrytoken (sent as is) both work', async () => {
    const repo = podWorkspace([`${l.token.host}/private/hello:1.0`])
    const refresh = dockerConfig({}, { auths: { [l.token.host]: { identitytoken: 'alice-refresh-token' } } })
    expect((await check(repo.dir, ['--docker-config', refresh])).findings).toEqual([])
    const minted = (await fetch(`${l.token.issuer.url}/token?service=${l.token.service}&scope=repository:private/hello:pull`, {
      headers: { authorization: `Basic ${Buffer.from('alice:alicepass').toString('base64')}` }
    }).then((r) => r.json())) as { token: string }
    const direct = dockerConfig({}, { auths: { [l.token.host]: { registrytoken: minted.token } } })
    const run = await check(repo.dir, ['--docker-config', direct])
    expect(run.findings).toEqual([])
    expect(run.stdout).not.toContain(minted.token)
  })

  test('a wrong password at the token server is credentials-rejected with what the token server said', async () => {
    const config = dockerConfig({ [l.token.host]: { username: 'alice', password: 'not-alices' } })
    const { findings } = await check(podWorkspace([`${l.token.host}/public/hello:1.0`]).dir, ['--docker-config', config])
    expect(findings.map((f) => f.rule)).toEqual(['credentials-rejected'])
    expect(findings[0]!.message).toContain('the token server answered 401')
  })

  test('credentials from a credential helper (credHelpers) on PATH; a failing helper is named', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'pullgate-bin-'))
    const helper = path.join(bin, 'docker-credential-pglab')
    writeFileSync(
      helper,
      `#!/bin/sh\nread server\nif [ "$1" = get ] && [ "$server" = "${l.token.host}" ]; then echo '{"ServerURL":"'$server'","Username":"alice","Secret":"alicepass"}'; else echo "credentials not found in native keychain"; exit 1; fi\n`
    )
    writeFileSync(path.join(bin, 'docker-credential-broken'), '#!/bin/sh\necho "helper exploded" >&2\nexit 3\n')
    chmodSync(helper, 0o755)
    chmodSync(path.join(bin, 'docker-credential-broken'), 0o755)
    const config = dockerConfig({}, { credHelpers: { [l.token.host]: 'pglab', [l.basic.host]: 'broken' } })
    const PATH = `${bin}:${process.env.PATH}`
    const { findings, report } = await check(ws.dir, ['--docker-config', config], { ...ca, PATH })
    expect(report.images.find((i) => i.image === images[6])!.digest).toBe(l.images['token/private/hello:1.0']!.digest)
    const basic = findings.find((f) => f.line === ws.lineOf(5))!
    expect(basic.rule).toBe('credentials-missing')
    expect(basic.message).toContain('The configured credential helper did not help: docker-credential-broken exited with code 3: helper exploded.')
  })

  test('a token that expires within a second is fetched again, never reused dead', async () => {
    const repo = `${l.token.host}/private/hello`
    const config = dockerConfig({ [l.token.host]: { username: 'shorty', password: 'shortypass' } })
    const ws2 = podWorkspace([`${repo}:1.0`, `${repo}:latest`])
    const first = await check(ws2.dir, ['--docker-config', config])
    await new Promise((r) => setTimeout(r, 1500))
    const second = await check(ws2.dir, ['--docker-config', config])
    expect(first.findings).toEqual([])
    expect(second.findings).toEqual([])
  })

  test('an untrusted certificate is registry-unreachable with the TLS error, not hidden by the plain-HTTP retry', async () => {
    const { findings } = await check(podWorkspace([`${l.tls.host}/lab/hello:oci`]).dir)
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['registry-unreachable', 'warning']])
    expect(findings[0]!.message).toContain(
      `could not reach ${l.tls.host}: TLS with ${l.tls.host} failed: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE). ` +
        "The registry's certificate is not trusted here: add its CA to the runner's system store or NODE_EXTRA_CA_CERTS."
    )
  })

  test('--rules changes a rule severity, and turns one off', async () => {
    const { code, report } = await check(podWorkspace(['127.0.0.1:1/x:1.0', `${open}/lab/app:latest`]).dir, ['--rules', 'registry-unreachable: error, mutable-tag: off'])
    expect(code).toBe(1)
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([['registry-unreachable', 'error']])
  })

  test('HTTP_PROXY / HTTPS_PROXY carry every request; NO_PROXY bypasses them', async () => {
    const proxy = await new ForwardProxy().start()
    try {
      const ws4 = podWorkspace([`${open}/lab/hello:v1.2`, `${l.tls.host}/lab/hello:oci`])
      const proxied = await check(ws4.dir, [], { ...ca, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' })
      expect(proxied.findings).toEqual([])
      expect(proxy.seen).toContain(`HEAD http://${open}/v2/lab/hello/manifests/v1.2`)
      expect(proxy.seen).toContain(`CONNECT ${l.tls.host}`)
      const count = proxy.seen.length
      const direct = await check(ws4.dir, [], { ...ca, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' })
      expect(direct.findings).toEqual([])
      expect(proxy.seen.length).toBe(count)
    } finally {
      await proxy.stop()
    }
  })

  test('mutable-tag offers the digest the tag points to now', async () => {
    const { report } = await check(podWorkspace([`${open}/lab/app:latest`]).dir)
    expect(report.findings.map((f) => f.rule)).toEqual(['mutable-tag'])
    expect(report.findings[0]!.message).toContain(`Pin it: ${open}/lab/app@${l.images['open/lab/app:latest']!.digest} is what it points to now.`)
  })

  test('the action reports every registry finding as an annotation on its line', async () => {
    const config = dockerConfig({ [l.token.host]: { username: 'bob', password: 'bobpass' } })
    const run = await runAction(ws.dir, { 'docker-config': config }, ca)
    expect(run.code).toBe(1)
    const annotations = run.stdout.split('\n').filter((line) => /^::(error|warning) title=/.test(line)).map((line) => /title=([\w-]+),file=pod.yaml,line=(\d+),endLine=\d+,col=14,/.exec(line)!.slice(1))
    expect(annotations).toEqual([
      ['tag-not-found', String(ws.lineOf(1))],
      ['tag-not-found', String(ws.lineOf(2))],
      ['repository-not-found', String(ws.lineOf(3))],
      ['digest-not-found', String(ws.lineOf(4))],
      ['credentials-missing', String(ws.lineOf(5))],
      ['credentials-rejected', String(ws.lineOf(6))],
      ['registry-unreachable', String(ws.lineOf(9))]
    ])
  })

  test('the action: annotations on the lines, the images output, and no secret anywhere', async () => {
    const config = dockerConfig({ [l.basic.host]: { username: 'alice', password: 'alicepass' } })
    const ws3 = podWorkspace([`${open}/lab/hello:lates`, `${l.basic.host}/private/hello:v2s2`])
    const run = await runAction(ws3.dir, { 'docker-config': config, 'github-token': 'ghs_notarealtoken123' })
    expect(run.code).toBe(1)
    const annotations = run.stdout.split('\n').filter((l) => l.startsWith('::error title=tag-not-found'))
    expect(annotations).toHaveLength(1)
    expect(annotations[0]).toMatch(new RegExp(`^::error title=tag-not-found,file=pod.yaml,line=8,endLine=8,col=14,endColumn=${14 + `${open}/lab/hello:lates`.length}::`))
    expect(JSON.parse(run.outputs.images!)).toEqual({ [`${l.basic.host}/private/hello:v2s2`]: l.images['basic/private/hello:v2s2']!.digest })
    // every secret is masked in the log before anything could print it
    expect(run.stdout).toContain('::add-mask::ghs_notarealtoken123')
    expect(run.stdout).toContain('::add-mask::alicepass')
    const everything = run.stdout.replace(/::add-mask::.*\n/g, '') + run.stderr + run.summary + readFileSync(run.outputs.report!, 'utf8')
    for (const secret of ['alicepass', Buffer.from('alice:alicepass').toString('base64'), 'ghs_notarealtoken123']) expect(everything).not.toContain(secret)
  })
})
