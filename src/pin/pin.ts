import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ScanResult } from '../engine/scan.js'
import type { ImageOccurrence } from '../manifests/extract.js'
import { plural } from '../report/text.js'
import { applyPinEdits, pinnedImage, type PinEdit } from './rewrite.js'

/** What pinning did: how many references it rewrote, and a line for the log and the summary. */
export interface PinResult {
  readonly count: number
  readonly files: readonly string[]
  readonly line: string
}

/**
 * `pin: true`: rewrites every container image that resolved to a digest and has none written
 * (`name:tag` → `name:tag@sha256:…`) in place, touching no other byte of the file, so a later
 * step can open a pull request with the change. Images that did not resolve, template
 * placeholders, kustomization entries and Flux ImageRepositories are left alone.
 */
export async function pinImages(result: ScanResult, workspace: string): Promise<PinResult> {
  const byFile = new Map<string, PinEdit[]>()
  for (const image of result.images) {
    const resolution = image.resolution
    if (image.source !== 'container' || !image.reference || image.reference.digest || resolution?.kind !== 'resolved') continue
    const occurrence = image.occurrence as ImageOccurrence
    if (occurrence.purpose !== 'pull' || !occurrence.isString || occurrence.endLine !== occurrence.line) continue
    const edits = byFile.get(occurrence.file) ?? []
    edits.push({
      line: occurrence.line,
      column: occurrence.column,
      endColumn: occurrence.endColumn,
      expected: occurrence.image,
      replacement: pinnedImage(occurrence.image, resolution.digest)
    })
    byFile.set(occurrence.file, edits)
  }
  let count = 0
  const files: string[] = []
  for (const [file, edits] of byFile) {
    const absolute = path.resolve(workspace, file)
    const before = await readFile(absolute, 'utf8')
    const { text, applied } = applyPinEdits(before, edits)
    if (applied.length === 0 || text === before) continue
    await writeFile(absolute, text)
    // an image written once and used twice (a YAML alias) is one rewrite
    count += new Set(applied.map((e) => `${e.line}:${e.column}`)).size
    files.push(file)
  }
  const line = count === 0 ? 'Pinned nothing: every checked image already has a digest, or none resolved.' : `Pinned ${plural(count, 'image reference')} to digests in ${plural(files.length, 'file')}: ${files.join(', ')}.`
  return { count, files, line }
}
