import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { cleanEnv } from '../helpers/run-dist.js'
import { ROOT } from '../helpers/shared.js'

const TIME = '/usr/bin/time'

/** One run of a built bundle, timed, with its peak memory when /usr/bin/time is there to measure it. */
export interface Measured {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** wall-clock milliseconds, spawn to exit */
  ms: number
  /** peak resident set size in KiB (GNU time's %M), when /usr/bin/time exists */
  maxRssKb?: number
}

/** An environment without GitHub's variables or NODE_OPTIONS, with a fresh HOME (no ~/.docker). */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = cleanEnv({ HOME: mkdtempSync(path.join(tmpdir(), 'pullgate-home-')) })
  delete env.NODE_OPTIONS
  delete env.DOCKER_CONFIG
  delete env.PULLGATE_GITHUB_TOKEN
  return { ...env, ...extra }
}

/**
 * Runs `dist/cli.js` (or another bundle) with the tests' Node, under `/usr/bin/time -f %M` when it
 * exists, with extra Node flags (e.g. a heap cap). Killed after `timeoutMs`.
 */
export function runMeasured(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; nodeFlags?: readonly string[]; timeoutMs?: number; script?: string }
): Promise<Measured> {
  const rssFile = path.join(mkdtempSync(path.join(tmpdir(), 'pullgate-rss-')), 'rss')
  const node = [process.execPath, ...(options.nodeFlags ?? []), path.join(ROOT, options.script ?? 'dist/cli.js'), ...args]
  const [command, ...argv] = existsSync(TIME) ? [TIME, '-f', '%M', '-o', rssFile, ...node] : node
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(command!, argv, { cwd: options.cwd, env: options.env ?? isolatedEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      let maxRssKb: number | undefined
      if (existsSync(rssFile)) {
        // GNU time writes "Command exited with non-zero status N" before the format's output
        const m = /(\d+)\s*$/.exec(readFileSync(rssFile, 'utf8'))
        if (m) maxRssKb = Number(m[1])
      }
      rmSync(path.dirname(rssFile), { recursive: true, force: true })
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started, maxRssKb })
    })
  })
}

export const hasTime = existsSync(TIME)
