// The README's main command: runs the built action (dist/index.js) exactly as a GitHub runner
// would, on the example manifests, and prints what a user sees: the annotations, the job
// summary and the outputs. Until registry checks land it runs offline; it leaves nothing behind.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const temp = mkdtempSync(path.join(tmpdir(), 'pullgate-demo-'))
const output = path.join(temp, 'output')
const summary = path.join(temp, 'summary.md')
writeFileSync(output, '')
writeFileSync(summary, '')

const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT|GITHUB|RUNNER)_/.test(k))),
  GITHUB_WORKSPACE: root,
  GITHUB_OUTPUT: output,
  GITHUB_STEP_SUMMARY: summary,
  RUNNER_TEMP: temp,
  INPUT_PATHS: 'examples/manifests',
  'INPUT_FAIL-ON': 'error',
  INPUT_OFFLINE: 'true'
}

const rule = (title) => console.log(`\n\x1b[1m── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}\x1b[0m`)
let log = ''
let code = 0
try {
  log = execFileSync(process.execPath, [path.join(root, 'dist', 'index.js')], { env, cwd: root, encoding: 'utf8' })
} catch (error) {
  log = error.stdout ?? ''
  code = error.status ?? 1
}
try {
  rule('action log: every ::error/::warning line becomes an annotation on that manifest line')
  process.stdout.write(log)
  rule('job summary ($GITHUB_STEP_SUMMARY, Markdown)')
  process.stdout.write(readFileSync(summary, 'utf8'))
  rule('step outputs ($GITHUB_OUTPUT)')
  for (const m of readFileSync(output, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) console.log(`${m[1]} = ${m[3]}`)
  rule(`the step ${code === 0 ? 'passed' : `failed (exit ${code})`}`)
} finally {
  rmSync(temp, { recursive: true, force: true })
}
