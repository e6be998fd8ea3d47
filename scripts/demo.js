// The README's main command (`npm run demo`): starts real registries on loopback (Debian's
// docker-registry with open, htpasswd, token and TLS configurations, seeded with locally built
// images), runs the built action (dist/index.js) exactly as a GitHub runner would on the example
// manifests, and prints what a user sees: the annotations, the job summary and the outputs.
// It stops everything it started and removes what it wrote.
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startLab, stopLab } from '../test/lab/lab.js'
import { startFlakyRegistry } from './demo-flaky-registry.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)
const rule = (title) => console.log(`\n${bold(`── ${title} ${'─'.repeat(Math.max(0, 74 - title.length))}`)}`)

if (!existsSync('/usr/bin/docker-registry')) {
  console.log('Installing the registry lab (docker-registry, skopeo, umoci) from Debian…')
  execFileSync('bash', [path.join(root, 'scripts/lab/install.sh')], { stdio: 'inherit' })
}

const temp = mkdtempSync(path.join(tmpdir(), 'pullgate-demo-'))
let lab
let flaky
let code = 0
try {
  rule('starting registries on 127.0.0.1')
  lab = await startLab()
  flaky = await startFlakyRegistry()
  console.log(`open ${lab.open.host} · htpasswd ${lab.basic.host} · token ${lab.token.host} · TLS ${lab.tls.host} · misbehaving ${flaky.host}`)

  // the workspace: examples/registry with the lab's addresses filled in
  const workspace = path.join(temp, 'repo')
  mkdirSync(path.join(workspace, 'deploy'), { recursive: true })
  const hosts = {
    OPEN: lab.open.host,
    BASIC: lab.basic.host,
    // the same registry under another name: Docker keys credentials by host name
    BASIC_LOCAL: lab.basic.host.replace('127.0.0.1', 'localhost'),
    TOKEN: lab.token.host,
    TLS: lab.tls.host,
    FLAKY: flaky.host,
    APP_1_0_0_DIGEST: lab.images['open/lab/app:1.0.0'].digest
  }
  for (const file of readdirSync(path.join(root, 'examples/registry'))) {
    const text = readFileSync(path.join(root, 'examples/registry', file), 'utf8').replace(/\$\{(\w+)\}/g, (m, name) => hosts[name] ?? m)
    writeFileSync(path.join(workspace, 'deploy', file), text)
  }
  // the CI's docker logins: an account on the token registry that may not pull private/ images,
  // and one for the htpasswd registry under its localhost name
  const dockerConfig = path.join(temp, 'docker')
  mkdirSync(dockerConfig)
  const auth = (user, pass) => ({ auth: Buffer.from(`${user}:${pass}`).toString('base64') })
  writeFileSync(
    path.join(dockerConfig, 'config.json'),
    JSON.stringify({ auths: { [lab.token.host]: auth('bob', 'bobpass'), [hosts.BASIC_LOCAL]: auth('alice', 'alicepass') } })
  )

  const output = path.join(temp, 'output')
  const summary = path.join(temp, 'summary.md')
  writeFileSync(output, '')
  writeFileSync(summary, '')
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT|GITHUB|RUNNER)_/.test(k))),
    HOME: temp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: temp,
    NODE_EXTRA_CA_CERTS: lab.tls.caFile,
    INPUT_PATHS: '.',
    'INPUT_FAIL-ON': 'error',
    'INPUT_DOCKER-CONFIG': dockerConfig
  }
  let log = ''
  try {
    // asynchronously: the misbehaving registry answers from this very process
    log = (await promisify(execFile)(process.execPath, [path.join(root, 'dist/index.js')], { env, cwd: workspace, encoding: 'utf8' })).stdout
  } catch (error) {
    log = error.stdout ?? ''
    code = error.code ?? 1
  }
  rule('action log: each ::error / ::warning line is an annotation on that manifest line')
  // the runner hides ::debug:: lines and turns ::add-mask:: lines (every secret pullgate saw) into masks
  process.stdout.write(log.split('\n').filter((l) => !/^::(debug|add-mask)::/.test(l)).join('\n'))
  rule('job summary ($GITHUB_STEP_SUMMARY, Markdown)')
  process.stdout.write(readFileSync(summary, 'utf8'))
  rule('step outputs ($GITHUB_OUTPUT)')
  for (const m of readFileSync(output, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) console.log(`${m[1]} = ${m[3]}`)
  rule(`the step ${code === 0 ? 'passed' : `failed (exit ${code})`}; stopping the registries`)
} finally {
  await flaky?.close()
  if (lab) await stopLab(lab)
  rmSync(temp, { recursive: true, force: true })
}
