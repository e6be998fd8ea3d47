import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CONFIG, CONFIG_DIGEST, MANIFEST, MANIFEST_DIGEST } from '../helpers/fake-registry.js'
import { labOrSkip } from '../helpers/lab.js'
import { runAction, type ActionRun } from '../helpers/run-dist.js'
import { isolatedEnv, runMeasured, type Measured } from './measure.js'

// Every command and output format, run with real credentials that are really used: the shared
// lab's basic registry (Docker config `auths`), its token registry (a credential helper on PATH,
// and a `registrytoken` the lab's issuer signed), ghcr.io (`github-token` /
// PULLGATE_GITHUB_TOKEN; a fake ghcr.io over HTTPS, reached through an HTTPS_PROXY that sends
// CONNECT ghcr.io:443 to it), plus wrong credentials so that refusals are described. No secret
// may appear in stdout, stderr, any written file, the job summary or the outputs, in clear or in
// base64 (alone or as `user:secret`) — except on the action's `::add-mask::` lines, which is how
// the runner learns what to mask.

const lab = labOrSkip()
const describeLab = lab ? describe : describe.skip

const GITHUB_TOKEN = 'ghp_PullgateTestToken7Yq2Lm9Xc4Vb8Nz1'
const GITHUB_ACTOR = 'octo-tester'
const WRONG_PASSWORD = 'Wr0ng-Basic-Passw0rd-5521'
const POD_SECRET_PASSWORD = 'PodSecret-Passw0rd-8871'
const HELPER_NAME = 'pgtest'
/** what the fake ghcr.io issues for the GitHub token: JWT-shaped, as ghcr.io's are */
const GHCR_BEARER = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'pullgate-test', nonce: 'c0ffee-9182' })).toString('base64url')}.sig-Zm9vYmFy-7731`

// the image every fake serves


const b64 = (s: string) => Buffer.from(s).toString('base64')

// ---------------------------------------------------------------------------------------------
// A fake ghcr.io: HTTPS with a certificate for ghcr.io from a CA made here, token auth like the
// real one (Basic with the GitHub token at /token, then Bearer), private packages.

interface FakeGhcr {
  caFile: string
  proxyUrl: string
  /** Authorization headers the token endpoint received */
  tokenAuth: string[]
  /** CONNECT targets the proxy saw */
  connects: string[]
  stop(): Promise<void>
}

async function startFakeGhcr(): Promise<FakeGhcr> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-ghcr-'))
  const f = (name: string) => path.join(dir, name)
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=pullgate secrets test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('tls.key'), '-out', f('tls.csr'), '-subj', '/CN=ghcr.io'])
  writeFileSync(f('tls.ext'), 'subjectAltName=DNS:ghcr.io\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n')
  openssl(['x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-set_serial', '0x5eed', '-days', '2', '-out', f('tls.crt'), '-extfile', f('tls.ext')])

  const tokenAuth: string[] = []
  const connects: string[] = []
  const expected = `Basic ${b64(`${GITHUB_ACTOR}:${GITHUB_TOKEN}`)}`
  const expectedCli = `Basic ${b64(`x-access-token:${GITHUB_TOKEN}`)}`
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
    res.end(res.req.method === 'HEAD' ? undefined : text)
  }
  const challenge = { 'www-authenticate': 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"' }
  const https: HttpsServer = createHttpsServer({ key: readFileSync(f('tls.key')), cert: readFileSync(f('tls.crt')) }, (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'https://ghcr.io')
    if (url.pathname === '/token') {
      tokenAuth.push(req.headers.authorization ?? '')
      if (req.headers.authorization === expected || req.headers.authorization === expectedCli) return send(res, 200, { token: GHCR_BEARER, expires_in: 300 })
      return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] })
    }
    if (req.headers.authorization !== `Bearer ${GHCR_BEARER}`) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, challenge)
    if (url.pathname === '/v2/') return send(res, 200, {})
    if (url.pathname === '/v2/acme/app/manifests/1.0' || url.pathname === `/v2/acme/app/manifests/${MANIFEST_DIGEST}`) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': MANIFEST_DIGEST, 'content-length': Buffer.byteLength(MANIFEST) })
      return void res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    }
    if (url.pathname === `/v2/acme/app/blobs/${CONFIG_DIGEST}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(CONFIG) })
      return void res.end(CONFIG)
    }
    send(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] })
  })
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
  const httpsPort = (https.address() as { port: number }).port

  // a forward proxy that tunnels CONNECT ghcr.io:443 to the fake, and nothing else
  const sockets = new Set<Socket>()
  const proxy: NetServer = createNetServer((client) => {
    sockets.add(client)
    client.on('error', () => {})
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      client.off('data', onData)
      const target = /^CONNECT (\S+) HTTP/.exec(head)?.[1] ?? head.split('\r\n')[0]!
      connects.push(target)
      if (target !== 'ghcr.io:443') return void client.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n')
      const upstream = connect(httpsPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        const rest = Buffer.from(head.slice(end + 4), 'latin1')
        if (rest.length > 0) upstream.write(rest)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      sockets.add(upstream)
      upstream.on('error', () => client.destroy())
    }
    client.on('data', onData)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  return {
    caFile: f('ca.crt'),
    proxyUrl: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    tokenAuth,
    connects,
    async stop() {
      for (const s of sockets) s.destroy()
      https.closeAllConnections()
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => https.close(r))])
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** Every text a run produced, by name. */
type Outputs = Record<string, string>

/** Every file under `dir`, read as text (the written reports). */
function filesUnder(dir: string, prefix: string): Outputs {
  const out: Outputs = {}
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name)
    if (statSync(file).isFile()) out[`${prefix}/${name}`] = readFileSync(file, 'utf8')
  }
  return out
}

/** The action's log without its `::add-mask::` lines: the one place a secret may be printed. */
const withoutMasks = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')

describeLab('no secret is ever printed or written', () => {
  let ghcr: FakeGhcr
  let workspace: string
  let binDir: string
  let configDir: string
  let labJwt: string
  const secrets: Array<{ name: string; value: string; users: string[]; windows?: boolean }> = []
  const runs: Record<string, Measured> = {}
  const written: Outputs = {}
  let action: ActionRun
  let actionFiles: Outputs = {}

  /** One Pod per image, each at line 8 of its file. */
  const images = () => ({
    auths: `${lab!.basic.host}/private/hello:v2s2`,
    wrongPassword: `localhost:${lab!.basic.host.split(':')[1]}/private/hello:v2s2`,
    helper: `${lab!.token.host}/private/hello:1.0`,
    registryToken: `localhost:${lab!.token.host.split(':')[1]}/private/hello:1.0`,
    githubToken: 'ghcr.io/acme/app:1.0'
  })

  function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return isolatedEnv({
      PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
      HTTPS_PROXY: ghcr.proxyUrl,
      https_proxy: ghcr.proxyUrl,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      NODE_EXTRA_CA_CERTS: ghcr.caFile,
      ...extra
    })
  }

  async function cli(name: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, cwd = workspace): Promise<Measured> {
    const run = await runMeasured(['--docker-config', configDir, '--timeout-seconds', '30', ...args], { cwd, env: env(extraEnv), timeoutMs: 90_000 })
    runs[name] = run
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(run.stderr).not.toContain('internal error')
    return run
  }

  beforeAll(async () => {
    ghcr = await startFakeGhcr()
    // a bearer token the lab's issuer signs for alice: handed to the gate as a registrytoken
    const issued = await fetch(`${lab!.token.issuer.realm}?service=${encodeURIComponent(lab!.token.service)}&scope=${encodeURIComponent('repository:private/hello:pull')}`, {
      headers: { authorization: `Basic ${b64(`alice:${lab!.token.users.alice}`)}` }
    })
    labJwt = ((await issued.json()) as { token: string }).token
    expect(labJwt).toMatch(/^eyJ/)

    const alicePass = lab!.basic.users.alice!
    const shortyPass = lab!.token.users.shorty!
    secrets.push(
      { name: 'basic password (auths)', value: alicePass, users: ['alice'] },
      { name: 'wrong basic password (auths)', value: WRONG_PASSWORD, users: ['alice'], windows: true },
      { name: 'credential helper secret', value: shortyPass, users: ['shorty'] },
      { name: 'registrytoken signed by the lab issuer', value: labJwt, users: [] },
      { name: 'github-token', value: GITHUB_TOKEN, users: ['x-access-token', GITHUB_ACTOR], windows: true },
      { name: 'bearer token ghcr.io issued', value: GHCR_BEARER, users: [] },
      { name: 'password in a pull Secret manifest', value: POD_SECRET_PASSWORD, users: ['deployer'], windows: true }
    )

    // the credential helper: answers `get` for the token registry, nothing for other hosts
    binDir = mkdtempSync(path.join(tmpdir(), 'pullgate-bin-'))
    const helper = path.join(binDir, `docker-credential-${HELPER_NAME}`)
    writeFileSync(
      helper,
      `#!/bin/sh\n[ "$1" = get ] || exit 1\nread url\nif [ "$url" = "${lab!.token.host}" ]; then\n  printf '{"ServerURL":"%s","Username":"shorty","Secret":"${shortyPass}"}' "$url"\n  exit 0\nfi\necho "credentials not found in native keychain"\nexit 1\n`
    )
    chmodSync(helper, 0o755)

    configDir = mkdtempSync(path.join(tmpdir(), 'pullgate-docker-'))
    writeFileSync(
      path.join(configDir, 'config.json'),
      JSON.stringify({
        auths: {
          [lab!.basic.host]: { auth: b64(`alice:${alicePass}`) },
          [`localhost:${lab!.basic.host.split(':')[1]}`]: { username: 'alice', password: WRONG_PASSWORD },
          [`localhost:${lab!.token.host.split(':')[1]}`]: { registrytoken: labJwt }
        },
        credHelpers: { [lab!.token.host]: HELPER_NAME }
      })
    )

    workspace = mkdtempSync(path.join(tmpdir(), 'pullgate-secrets-'))
    for (const [name, image] of Object.entries(images())) {
      writeFileSync(
        path.join(workspace, `${name}.yaml`),
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name.toLowerCase()}\nspec:\n  containers:\n    - name: app\n      image: ${image}\n  imagePullSecrets:\n    - name: regcred\n`
      )
    }
    // a pull Secret in the repository, for the basic registry (its decoded content must never be printed)
    const dockerconfigjson = JSON.stringify({ auths: { [lab!.basic.host]: { auth: b64(`deployer:${POD_SECRET_PASSWORD}`) } } })
    writeFileSync(
      path.join(workspace, 'regcred.yaml'),
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(dockerconfigjson)}\n`
    )

    const out = mkdtempSync(path.join(tmpdir(), 'pullgate-secrets-out-'))
    await cli('text --verbose --report-file --sarif-file', ['--verbose', '--github-token', GITHUB_TOKEN, '--report-file', path.join(out, 'text/report.json'), '--sarif-file', path.join(out, 'text/log.sarif'), '.'])
    await cli('json --verbose', ['--verbose', '--format', 'json', '--github-token', GITHUB_TOKEN, '.'])
    await cli('github --verbose', ['--verbose', '--format', 'github', '--github-token', GITHUB_TOKEN, '.'])
    await cli('sarif --verbose', ['--verbose', '--format', 'sarif', '--github-token', GITHUB_TOKEN, '.'])
    await cli('json, token from PULLGATE_GITHUB_TOKEN, report files', ['--format', 'json', '--report-file', path.join(out, 'env/report.json'), '--sarif-file', path.join(out, 'env/log.sarif'), '.'], { PULLGATE_GITHUB_TOKEN: GITHUB_TOKEN })
    const pinned = mkdtempSync(path.join(tmpdir(), 'pullgate-secrets-pin-'))
    cpSync(workspace, pinned, { recursive: true })
    await cli('--pin --verbose', ['--pin', '--verbose', '--github-token', GITHUB_TOKEN, '.'], {}, pinned)
    Object.assign(written, filesUnder(out, 'cli-files'))
    // the manifests --pin rewrote, without the pull Secret the repository holds on purpose
    for (const [name, text] of Object.entries(filesUnder(pinned, 'pinned'))) if (!name.endsWith('regcred.yaml')) written[name] = text

    action = await runAction(
      workspace,
      {
        'docker-config': configDir,
        'github-token': GITHUB_TOKEN,
        'report-file': 'out/report.json',
        'sarif-file': 'out/log.sarif',
        'timeout-seconds': '30'
      },
      env({ GITHUB_ACTOR, RUNNER_DEBUG: '1' })
    )
    actionFiles = filesUnder(path.join(workspace, 'out'), 'action-files')
  }, 180_000)

  afterAll(async () => {
    await ghcr?.stop()
    for (const dir of [workspace, binDir, configDir]) if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('the credentials were really used: every image with good credentials resolved, the wrong password was refused', () => {
    const report = JSON.parse(runs['json --verbose']!.stdout) as { findings: Array<{ rule: string; file: string; message: string }>; images: Array<{ image: string; digest?: string }> }
    const all = images()
    const digest = (image: string) => report.images.find((i) => i.image === image)?.digest
    expect(digest(all.auths)).toBe(lab!.images['basic/private/hello:v2s2']!.digest)
    expect(digest(all.helper)).toBe(lab!.images['token/private/hello:1.0']!.digest)
    expect(digest(all.registryToken)).toBe(lab!.images['token/private/hello:1.0']!.digest)
    expect(digest(all.githubToken)).toBe(MANIFEST_DIGEST)
    expect(digest(all.wrongPassword)).toBeUndefined()
    const refused = report.findings.filter((f) => f.file === 'wrongPassword.yaml')
    expect(refused.map((f) => f.rule)).toEqual(['credentials-rejected'])
    // the message names where the credentials came from, never what they are
    expect(refused[0]!.message).toContain(`refused the credentials from ${path.join(configDir, 'config.json')} (auths["localhost:${lab!.basic.host.split(':')[1]}"])`)
    // ghcr.io was reached through the proxy, with the GitHub token
    expect(ghcr.connects).toContain('ghcr.io:443')
    expect(ghcr.tokenAuth).toContain(`Basic ${b64(`x-access-token:${GITHUB_TOKEN}`)}`)
    expect(ghcr.tokenAuth).toContain(`Basic ${b64(`${GITHUB_ACTOR}:${GITHUB_TOKEN}`)}`)
    // the same from the environment variable, and in the action
    expect((JSON.parse(runs['json, token from PULLGATE_GITHUB_TOKEN, report files']!.stdout) as typeof report).images.find((i) => i.image === all.githubToken)?.digest).toBe(MANIFEST_DIGEST)
    expect(JSON.parse(action.outputs.images!)).toMatchObject({ [all.githubToken]: MANIFEST_DIGEST, [all.auths]: lab!.images['basic/private/hello:v2s2']!.digest })
  })

  test('every run produced what it should (exit 1: the wrong password is an error)', () => {
    for (const [name, run] of Object.entries(runs)) expect([name, run.code]).toEqual([name, 1])
    expect(action.code).toBe(1)
    expect(Object.keys(written).sort()).toEqual(
      expect.arrayContaining(['cli-files/env/log.sarif', 'cli-files/env/report.json', 'cli-files/text/log.sarif', 'cli-files/text/report.json', 'pinned/auths.yaml'])
    )
    expect(Object.keys(actionFiles).sort()).toEqual(['action-files/log.sarif', 'action-files/report.json'])
    expect(runs['text --verbose --report-file --sarif-file']!.stderr).toContain('Resolving')
    expect(action.summary).toContain('credentials-rejected')
  })

  test('the action masks every secret it reads (::add-mask::)', () => {
    const masked = action.stdout
      .split('\n')
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length))
    for (const s of secrets.filter((s) => s.name !== 'password in a pull Secret manifest')) expect([s.name, masked.includes(s.value)]).toEqual([s.name, true])
  })

  test('no secret, in clear or base64, alone or as user:secret, anywhere', () => {
    const outputs: Outputs = { ...written, ...actionFiles }
    for (const [name, run] of Object.entries(runs)) {
      outputs[`cli ${name}: stdout`] = run.stdout
      outputs[`cli ${name}: stderr`] = run.stderr
    }
    outputs['action: log'] = withoutMasks(action.stdout)
    outputs['action: stderr'] = action.stderr
    outputs['action: job summary'] = action.summary
    outputs['action: outputs'] = JSON.stringify(action.outputs)
    const leaks: string[] = []
    for (const s of secrets) {
      const forms = [s.value, b64(s.value), Buffer.from(s.value).toString('base64url'), ...s.users.map((u) => b64(`${u}:${s.value}`))]
      for (const [where, text] of Object.entries(outputs)) {
        for (const form of forms) if (text.includes(form)) leaks.push(`${s.name} in ${where}`)
        // a fragment of a secret (an error message quoting part of a file): any 10 characters of it
        if (s.windows) {
          for (let i = 0; i + 10 <= s.value.length; i++) {
            if (text.includes(s.value.slice(i, i + 10))) {
              leaks.push(`part of ${s.name} ("${s.value.slice(i, i + 10)}") in ${where}`)
              break
            }
          }
        }
      }
    }
    expect(leaks).toEqual([])
  })

  test('no JWT (eyJ…) anywhere outside ::add-mask:: lines: neither the ones given nor the ones the gate was issued', () => {
    const jwt = /eyJ[A-Za-z0-9_-]{8,}/
    const texts: Outputs = { ...written, ...actionFiles, 'action: log': withoutMasks(action.stdout), 'action: stderr': action.stderr, 'action: summary': action.summary }
    for (const [name, run] of Object.entries(runs)) texts[name] = run.stdout + run.stderr
    const found = Object.entries(texts)
      .filter(([, text]) => jwt.test(text))
      .map(([where, text]) => `${where}: ${jwt.exec(text)![0].slice(0, 20)}…`)
    expect(found).toEqual([])
  })

  test('the pull Secret is used (the pods name it) but only its registry hosts are ever mentioned', () => {
    const report = JSON.parse(runs['json --verbose']!.stdout) as { findings: Array<{ rule: string; file: string; message: string }> }
    const wrongRegistry = report.findings.filter((f) => f.rule === 'pull-secret-wrong-registry')
    expect(wrongRegistry.length).toBeGreaterThan(0)
    for (const f of wrongRegistry) expect(f.message).toContain(lab!.basic.host)
    expect(JSON.stringify(report)).not.toContain('deployer')
  })
})

describe('secrets in broken credential sources', () => {
  // The Docker config is parsed with JSON.parse, whose SyntaxError quotes the text around the
  // error, and that message is printed as is: "the Docker config …/config.json is not valid JSON:
  // Unexpected token ''', ..."password":'s3cr3tpw'"... is not valid JSON". A hand-edited config
  // with a single-quoted (or unquoted) password prints the password, or its first ten characters;
  // in the action, on the public log's ::error:: line. Nothing was masked yet: the file was never read.
  test('a Docker config that is not valid JSON: the error names the file, never its content', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-badconfig-'))
    const ws = mkdtempSync(path.join(tmpdir(), 'pullgate-badconfig-ws-'))
    writeFileSync(path.join(ws, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: 127.0.0.1:1/x/y:1\n')
    const leaks: string[] = []
    for (const [secret, text] of [
      ['s3cr3tpw', `{"auths":{"127.0.0.1:1":{"username":"alice","password":'s3cr3tpw'}}}`],
      ['czNjcjN0cHc', `{"auths":{"127.0.0.1:1":{"auth":YWxpY2U6czNjcjN0cHc=}}}`]
    ] as const) {
      writeFileSync(path.join(dir, 'config.json'), text)
      const run = await runMeasured(['--timeout-seconds', '5', '--docker-config', dir, '.'], { cwd: ws })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('is not valid JSON')
      if (run.stderr.includes(secret)) leaks.push(`cli: ${run.stderr.trim().split('\n')[0]}`)
      const inAction = await runAction(ws, { 'docker-config': dir, 'timeout-seconds': '5' })
      expect(inAction.code).toBe(1)
      if (inAction.stdout.includes(secret)) leaks.push(`action: ${inAction.stdout.split('\n').find((l) => l.includes(secret))}`)
    }
    expect(leaks).toEqual([])
  })

  // A credential helper that fails is quoted: "docker-credential-x exited with code 1: <first line
  // of its stdout, else stderr>". Helpers print their answer on stdout; one that prints it and
  // then exits non-zero has its secret quoted in the credentials-missing message — in the text
  // output, the JSON report, annotations and the summary. That secret was never registered for
  // masking, because the answer was not accepted.
  describeLab('with the lab', () => {
    test("a credential helper that prints its answer and exits 1: the message quotes stderr or nothing, never the answer's Secret", async () => {
      const bin = mkdtempSync(path.join(tmpdir(), 'pullgate-leaky-'))
      const secret = 'LeakyHelperSecret-4417'
      writeFileSync(path.join(bin, 'docker-credential-leaky'), `#!/bin/sh\nread url\nprintf '{"ServerURL":"%s","Username":"alice","Secret":"${secret}"}\\n' "$url"\necho "keychain locked" >&2\nexit 1\n`)
      chmodSync(path.join(bin, 'docker-credential-leaky'), 0o755)
      const config = mkdtempSync(path.join(tmpdir(), 'pullgate-leaky-config-'))
      writeFileSync(path.join(config, 'config.json'), JSON.stringify({ credHelpers: { [lab!.basic.host]: 'leaky' } }))
      const ws = mkdtempSync(path.join(tmpdir(), 'pullgate-leaky-ws-'))
      writeFileSync(path.join(ws, 'pod.yaml'), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: ${lab!.basic.host}/private/hello:v2s2\n`)
      const run = await runMeasured(['--format', 'json', '--timeout-seconds', '20', '--docker-config', config, '.'], {
        cwd: ws,
        env: isolatedEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}` })
      })
      const report = JSON.parse(run.stdout) as { findings: Array<{ rule: string; message: string }> }
      // the helper's failure is reported (that is useful)…
      expect(report.findings.map((f) => f.rule)).toEqual(['credentials-missing'])
      expect(report.findings[0]!.message).toContain('docker-credential-leaky exited with code 1')
      // …without its secret
      expect(run.stdout).not.toContain(secret)
    })
  })

  test('an unreadable pull Secret (bad base64, bad JSON) is reported without its content', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'pullgate-badsecret-'))
    const content = '{"auths":{"registry.example.com":{"auth":"' + b64('deployer:NotJson-Secret-3391') + '"}'
    writeFileSync(
      path.join(ws, 'secret.yaml'),
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(content)}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  imagePullSecrets:\n    - name: regcred\n  containers:\n    - name: app\n      image: registry.example.com/app:1.0\n`
    )
    for (const format of ['text', 'json', 'github', 'sarif']) {
      const run = await runMeasured(['--offline', '--format', format, '.'], { cwd: ws })
      expect(run.stdout + run.stderr).not.toContain('NotJson-Secret-3391')
      expect(run.stdout + run.stderr).not.toContain(b64('deployer:NotJson-Secret-3391'))
    }
    rmSync(ws, { recursive: true, force: true })
  })
})
