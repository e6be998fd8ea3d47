import { beforeAll, describe, expect, test } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { dockerConfig, labOrSkip } from '../helpers/lab.js'
import { cleanEnv, runNode } from '../helpers/run-dist.js'

const lab = labOrSkip()
const describeLab = lab ? describe : describe.skip

interface Finding {
  rule: string
  line: number
  message: string
}

describeLab('will the cluster be allowed to pull it? (imagePullSecrets, on real auth registries)', () => {
  const l = lab!
  let dir = ''
  let config = ''
  const lines: Record<string, number> = {}

  beforeAll(() => {
    const privateImage = `${l.basic.host}/private/hello:v2s2`
    const publicImage = `${l.token.host}/public/hello:1.0`
    const dockerconfig = (hosts: string[]) =>
      Buffer.from(JSON.stringify({ auths: Object.fromEntries(hosts.map((h) => [h, { auth: Buffer.from('alice:alicepass').toString('base64') }])) })).toString('base64')
    const docs: string[] = [
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: shop\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${dockerconfig([l.basic.host])}`,
      // the same host on another port is another registry for the kubelet
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: other-host\n  namespace: shop\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{"auths":{"127.0.0.1:1":{"auth":"eDp5"}}}'`,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: billing-cred\n  namespace: shop\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${dockerconfig([l.basic.host])}`,
      `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: sealed\n  namespace: shop\nspec:\n  encryptedData:\n    .dockerconfigjson: AgB4zQ==\n  template:\n    type: kubernetes.io/dockerconfigjson`,
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: shop\nimagePullSecrets:\n  - name: regcred',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n  namespace: shop\nimagePullSecrets:\n  - name: regcred',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: lonely\n  namespace: shop'
    ]
    const pod = (name: string, namespace: string, extra: string, image = privateImage) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${extra}  containers:\n    - name: ${name}\n      image: ${image}`
    const pods: Array<[string, string, string, string?]> = [
      ['on-pod', 'shop', '  imagePullSecrets: [{name: regcred}]\n'],
      ['default-sa', 'shop', ''],
      ['named-sa', 'shop', '  serviceAccountName: builder\n'],
      ['other-namespace', 'billing', '  imagePullSecrets: [{name: billing-cred}]\n'],
      ['no-secret', 'shop', '  serviceAccountName: lonely\n'],
      ['named-absent', 'shop', '  imagePullSecrets: [{name: nope}]\n'],
      ['wrong-host', 'shop', '  imagePullSecrets: [{name: other-host}]\n'],
      ['sealed', 'shop', '  imagePullSecrets: [{name: sealed}]\n'],
      ['node-pulls', 'nodes', ''],
      ['in-cluster', 'shop', '  imagePullSecrets: [{name: incluster}]\n'],
      ['public', 'elsewhere', '', publicImage]
    ]
    const text = [...docs, ...pods.map(([n, ns, extra, image]) => pod(n, ns, extra, image))].join('\n---\n') + '\n'
    text.split('\n').forEach((line, i) => {
      const m = /^ {4}- name: (\S+)$/.exec(line)
      if (m) lines[m[1]!] = i + 2
    })
    dir = mkdtempSync(path.join(tmpdir(), 'pullgate-secrets-'))
    writeFileSync(path.join(dir, 'workloads.yaml'), text)
    config = dockerConfig({ [l.basic.host]: { username: 'alice', password: 'alicepass' } })
  })

  async function check(args: string[] = []): Promise<{ findings: Finding[]; stdout: string }> {
    const run = await runNode('dist/cli.js', ['--format', 'json', '--docker-config', config, ...args, '.'], {
      cwd: dir,
      env: cleanEnv({ HOME: mkdtempSync(path.join(tmpdir(), 'h-')) })
    })
    expect(run.stderr).toBe('')
    return { findings: (JSON.parse(run.stdout) as { findings: Finding[] }).findings, stdout: run.stdout }
  }

  test('each case: its exact finding on its line, or none', async () => {
    const { findings, stdout } = await check()
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['pull-secret-not-found', lines['other-namespace']],
      ['pull-secret-missing', lines['no-secret']],
      ['pull-secret-not-found', lines['named-absent']],
      ['pull-secret-wrong-registry', lines['wrong-host']],
      ['pull-secret-missing', lines['node-pulls']],
      ['pull-secret-not-found', lines['in-cluster']]
    ])
    const at = (name: string) => findings.find((f) => f.line === lines[name])!.message
    expect(at('no-secret')).toContain(
      `${l.basic.host}/private/hello:v2s2 is private (${l.basic.host} refuses anonymous pulls), but Pod no-secret in namespace shop names no imagePullSecrets, and its ServiceAccount lonely has none either.`
    )
    expect(at('no-secret')).toContain(`\`kubectl create secret docker-registry regcred --docker-server=${l.basic.host}`)
    expect(at('node-pulls')).toContain('its ServiceAccount default is not among the scanned manifests, so none are known')
    expect(at('other-namespace')).toContain('Pod other-namespace in namespace billing pulls it with the Secret "billing-cred" (its own imagePullSecrets), which exists neither in the scanned manifests nor in `cluster-pull-secrets` for namespace billing.')
    expect(at('wrong-host')).toContain(`pulls it with "other-host" (covers 127.0.0.1:1) (its own imagePullSecrets), none of which has an entry for ${l.basic.host}/private/hello`)
    // only the registry hosts a Secret covers are ever shown, never what it holds
    expect(stdout).not.toContain('alicepass')
    expect(stdout).not.toContain(Buffer.from('alice:alicepass').toString('base64'))
    expect(stdout).not.toContain('eDp5')
  })

  test('cluster-pull-secrets declares Secrets created outside the repository: with a host it is checked, without one it counts unverified', async () => {
    const { findings } = await check(['--cluster-pull-secrets', `shop/incluster=${l.basic.host},billing/billing-cred`])
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['pull-secret-missing', lines['no-secret']],
      ['pull-secret-not-found', lines['named-absent']],
      ['pull-secret-wrong-registry', lines['wrong-host']],
      ['pull-secret-missing', lines['node-pulls']]
    ])
    const wrongHost = await check(['--cluster-pull-secrets', 'shop/incluster=ghcr.io'])
    expect(wrongHost.findings.find((f) => f.line === lines['in-cluster'])!.rule).toBe('pull-secret-wrong-registry')
  })

  test('node-credentials: registries the nodes pull from on their own need no Secret (host globs, port exact)', async () => {
    const port = l.basic.host.split(':')[1]
    expect((await check(['--node-credentials', `*.0.0.1:${port}`])).findings).toEqual([])
    // a glob for the same host on another port does not cover it
    expect((await check(['--node-credentials', '*.0.0.1:1'])).findings).toHaveLength(6)
  })

  test('offline, nothing is known about privacy, so nothing is said about pull secrets', async () => {
    expect((await check(['--offline'])).findings.filter((f) => f.rule.startsWith('pull-secret'))).toEqual([])
  })

  test('on a token registry, one anonymous token tells a public repository from a private one (its access claim)', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'pullgate-anon-'))
    const pod = (name: string, image: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n  containers:\n    - name: ${name}\n      image: ${image}\n`
    writeFileSync(path.join(ws, 'pods.yaml'), [pod('open-one', `${l.token.host}/public/hello:1.0`), pod('closed-one', `${l.token.host}/private/hello:1.0`)].join('---\n'))
    const run = await runNode('dist/cli.js', ['--format', 'json', '--docker-config', dockerConfig({ [l.token.host]: { username: 'alice', password: 'alicepass' } }), '.'], {
      cwd: ws,
      env: cleanEnv({ HOME: ws })
    })
    const findings = (JSON.parse(run.stdout) as { findings: Finding[] }).findings
    // both resolved with alice's token; only the one anonymous clients may not pull needs a Secret
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['pull-secret-missing', 19]])
    expect(findings[0]!.message).toContain(`${l.token.host}/private/hello:1.0 is private`)
    const stats = (await fetch(`${l.token.issuer.url}/stats`).then((r) => r.json())) as { requests: Array<{ user?: string; scopes: string[]; granted: Array<{ name: string }> }> }
    const both = stats.requests.filter((r) => !r.user && r.scopes.includes('repository:public/hello:pull') && r.scopes.includes('repository:private/hello:pull'))
    expect(both.length).toBeGreaterThanOrEqual(1)
    expect(both.at(-1)!.granted.map((g) => g.name)).toEqual(['public/hello'])
  })
})
