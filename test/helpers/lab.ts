import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readLab, type Lab } from '../lab/lab.js'
import { ROOT } from './shared.js'

/** The lab started by jest's globalSetup, or undefined (its tests then skip, loudly). */
export function labOrSkip(): Lab | undefined {
  if (!process.env.PULLGATE_LAB_STATE) {
    console.warn('\n*** SKIPPED: no registry lab (install it with `npm run lab:install`; CI fails instead of skipping). ***\n')
    return undefined
  }
  return readLab(process.env.PULLGATE_LAB_STATE)
}

/**
 * A workspace with one Pod whose containers use `images` in order. Container i's image is at
 * line 8 + 2i, column 14: tests assert those positions.
 */
export function podWorkspace(images: readonly string[]): { dir: string; lineOf: (i: number) => number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-ws-'))
  const containers = images.map((image, i) => `    - name: c${i}\n      image: ${image}\n`).join('')
  writeFileSync(path.join(dir, 'pod.yaml'), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: cases\nspec:\n  containers:\n${containers}`)
  return { dir, lineOf: (i) => 8 + 2 * i }
}

/** Writes a Docker config with `auths` for the given hosts and returns its folder. */
export function dockerConfig(auths: Record<string, { username: string; password: string }>, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-docker-'))
  const entries = Object.fromEntries(
    Object.entries(auths).map(([host, c]) => [host, { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') }])
  )
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: entries, ...extra }))
  return dir
}

/** Copies a fixture repository from __fixtures__ and fills in ${NAME} placeholders (as envsubst would). */
export function fixtureRepo(name: string, vars: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), `pullgate-${name}-`))
  cpSync(path.join(ROOT, '__fixtures__', name), dir, { recursive: true })
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const p = path.join(d, entry)
      if (statSync(p).isDirectory()) walk(p)
      else writeFileSync(p, readFileSync(p, 'utf8').replace(/\$\{(\w+)\}/g, (m, v: string) => vars[v] ?? m))
    }
  }
  walk(dir)
  return dir
}
