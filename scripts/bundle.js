// Bundles the compiled entry points (lib/) into the committed dist/: dist/index.js for the
// action and dist/cli.js for the CLI, each a single ESM file with its dependencies inside.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
// index.js and cli.js are small launchers that run action-run.js / cli-run.js in a worker thread
// (src/util/worker-entry.ts says why); they load nothing else.
const entries = [
  { source: 'lib/index.js', target: 'dist/index.js', licenses: false },
  { source: 'lib/action-run.js', target: 'dist/action-run.js', licenses: true },
  { source: 'lib/cli.js', target: 'dist/cli.js', licenses: false },
  { source: 'lib/cli-run.js', target: 'dist/cli-run.js', licenses: false }
]

mkdirSync(path.join(root, 'dist'), { recursive: true })
for (const entry of entries) {
  const out = path.join(root, 'build', path.basename(entry.target, '.js'))
  rmSync(out, { recursive: true, force: true })
  const args = [ncc, 'build', path.join(root, entry.source), '-o', out, '--quiet']
  if (entry.licenses) args.push('--license', 'licenses.txt')
  execFileSync(process.execPath, args, { stdio: 'inherit' })
  const extra = readdirSync(out).filter((f) => !['index.js', 'package.json', 'licenses.txt'].includes(f))
  if (extra.length > 0) throw new Error(`ncc emitted files the bundle step does not ship: ${extra.join(', ')}`)
  let code = readFileSync(path.join(out, 'index.js'), 'utf8')
  if (entry.target === 'dist/cli.js' && !code.startsWith('#!')) code = `#!/usr/bin/env node\n${code}`
  writeFileSync(path.join(root, entry.target), code, { mode: entry.target === 'dist/cli.js' ? 0o755 : 0o644 })
  if (entry.licenses) copyFileSync(path.join(out, 'licenses.txt'), path.join(root, 'dist', 'licenses.txt'))
}
rmSync(path.join(root, 'build'), { recursive: true, force: true })
