import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readLab, type Lab } from '../lab/lab.js'

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
