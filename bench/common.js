// What both benchmarks share: paths, a seeded generator, and a child-process runner that
// measures wall time and peak RSS.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const CLI = path.join(ROOT, 'dist', 'cli.js')
/** the same run without the worker-thread launcher (for a CPU profile of the engine itself) */
export const CLI_RUN = path.join(ROOT, 'dist', 'cli-run.js')
export const RSS_MARK = '@@pullgate-bench-maxrss='
export const MB = 1e6 // decimal megabytes, for file sizes and RSS alike

/** A one-line failure: a benchmark must never print numbers for a broken run. */
export class BenchError extends Error {}

export const WORDS = ['api', 'web', 'auth', 'billing', 'search', 'cart', 'ledger', 'mailer', 'gateway', 'worker', 'indexer', 'reports', 'notify', 'media', 'audit', 'sync', 'cache', 'export', 'ingest', 'scheduler']
export const TEAMS = ['payments', 'platform', 'growth', 'data', 'infra', 'identity', 'commerce', 'ml']

/** mulberry32: tiny, fast, and good enough to make varied-but-reproducible manifests. */
export function makeRng(seed) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n) => Math.floor(next() * n)
  return { next, int, pick: (a) => a[int(a.length)], chance: (p) => next() < p, hex: (n) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('') }
}

/** Without /usr/bin/time: import the script behind a hook that reports the process's own peak RSS (KiB) on exit. */
const RSS_WRAPPER = `const [script, ...rest] = process.argv.slice(1)
process.argv = [process.argv[0], script, ...rest]
process.on('exit', () => process.stderr.write('\\n${RSS_MARK}' + process.resourceUsage().maxRSS + '\\n'))
await import((await import('node:url')).pathToFileURL(script).href)`

let measuredCpus = null

/** From now on, every measured run (and its children) runs on these CPUs only (a taskset list such as "0" or "0-1"). */
export function runMeasuredOn(cpus) {
  measuredCpus = cpus
}

/**
 * Runs `cmd args` (node when cmd is null, with `nodeArgs` such as --cpu-prof); wall ms until its
 * streams close, peak RSS in bytes.
 */
export function run(cmd, args, { useTime, env = process.env, cwd = ROOT, nodeArgs = [] } = {}) {
  const node = cmd === null
  const [c0, argv0] = node
    ? useTime ? ['/usr/bin/time', ['-v', process.execPath, ...nodeArgs, ...args]] : [process.execPath, [...nodeArgs, '--input-type=module', '-e', RSS_WRAPPER, ...args]]
    : [cmd, args]
  const [c, argv] = measuredCpus ? ['taskset', ['-c', measuredCpus, c0, ...argv0]] : [c0, argv0]
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(c, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (x) => out.push(x))
    child.stderr.on('data', (x) => err.push(x))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - started
      const stderr = Buffer.concat(err).toString()
      const kb = !node ? null : useTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr) : new RegExp(`${RSS_MARK}(\\d+)`).exec(stderr)
      // CPU seconds (user + system) when /usr/bin/time measured them
      const cpu = node && useTime ? ['User', 'System'].reduce((t, k) => t + Number(new RegExp(`${k} time \\(seconds\\): ([\\d.]+)`).exec(stderr)?.[1] ?? NaN), 0) : NaN
      resolve({ ms, rss: kb ? Number(kb[1]) * 1024 : NaN, cpu, code, stdout: Buffer.concat(out).toString(), stderr })
    })
  })
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
