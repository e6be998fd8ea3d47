import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Finding } from '../findings/finding.js'
import { extractClusterObjects, type ClusterObjects } from '../manifests/cluster-objects.js'
import { ImageExtractor } from '../manifests/extract.js'
import { extractKustomizeImages } from '../manifests/kustomize.js'
import { parseManifest } from '../manifests/parse.js'
import { makeFinding } from '../rules/finding-factory.js'
import { checkKustomizeEntry, checkOccurrence, type ImageVerdict } from '../rules/offline.js'
import type { Logger } from '../util/logger.js'
import type { Limits } from './limits.js'
import type { ScannedImage } from './scan.js'

/** An image found in a file with its offline verdict, before any registry is asked. */
export interface PendingImage {
  readonly scanned: ScannedImage
  readonly verdict: ImageVerdict
}

/** What one file contributed. */
export interface FileResult {
  findings: Finding[]
  images: PendingImage[]
  documents: number
  isManifest: boolean
}

/** How many files are read ahead of the one being parsed. */
export const READ_AHEAD = 8

export type FileContent =
  | { kind: 'text'; text: string }
  | { kind: 'too-large'; size: number }
  /** bytes that are not UTF-8 text: binary, or text in another encoding */
  | { kind: 'not-text'; offset: number; looksLikeKubernetes: boolean }

export async function readManifestFile(workspace: string, file: string, limits: Limits): Promise<FileContent> {
  const absolute = path.resolve(workspace, file)
  const size = (await stat(absolute)).size
  if (size > limits.maxFileBytes) return { kind: 'too-large', size }
  const bytes = await readFile(absolute)
  const text = decodeUtf8(bytes)
  if (text !== undefined) return { kind: 'text', text }
  const lossy = bytes.subarray(0, 64 * 1024).toString('latin1')
  return { kind: 'not-text', offset: firstInvalidUtf8(bytes), looksLikeKubernetes: /apiVersion\s*["']?\s*:/.test(lossy) && /kind\s*["']?\s*:/.test(lossy) }
}

/** Starts up to `window` reads ahead and hands their results out in order. */
export class ReadAhead<T> {
  private readonly pending: Array<Promise<T>> = []
  private nextIndex = 0

  constructor(
    private readonly items: readonly string[],
    private readonly read: (item: string) => Promise<T>,
    private readonly window: number
  ) {}

  next(): Promise<T> {
    while (this.pending.length < this.window && this.nextIndex < this.items.length) {
      const promise = this.read(this.items[this.nextIndex++]!)
      // a rejection is handled when its turn comes; do not let it go unobserved meanwhile
      promise.catch(() => {})
      this.pending.push(promise)
    }
    return this.pending.shift()!
  }
}

/** Parses one file and extracts its images, cluster objects and read problems. */
export function analyzeFile(file: string, content: FileContent, limits: Limits, logger: Logger, objects: ClusterObjects): FileResult {
  const empty: FileResult = { findings: [], images: [], documents: 0, isManifest: false }
  if (content.kind === 'too-large') {
    logger.warning(`${file}: ${content.size} bytes is over the ${limits.maxFileBytes}-byte limit; not read`)
    return {
      ...empty,
      findings: [
        makeFinding(
          'invalid-manifest',
          { file, line: 1, column: 1, endLine: 1, endColumn: 1 },
          `This file is ${content.size} bytes, over the ${limits.maxFileBytes}-byte limit, so it was not read and its images were not checked. Split it, or raise the limit.`
        )
      ]
    }
  }
  if (content.kind === 'not-text') {
    // a binary file named .yaml is not ours to judge; a manifest kubectl would reject is
    if (!content.looksLikeKubernetes) {
      logger.debug(`${file}: not UTF-8 text; skipped`)
      return empty
    }
    return {
      ...empty,
      isManifest: true,
      findings: [
        makeFinding(
          'invalid-manifest',
          { file, line: 1, column: 1, endLine: 1, endColumn: 1 },
          `This file is not valid UTF-8 (the first bad byte is at offset ${content.offset}): kubectl rejects it ("invalid leading UTF-8 octet") and its images were not checked. Save it as UTF-8.`
        )
      ]
    }
  }
  const nesting = deepestNesting(content.text, limits.maxNestingDepth)
  if (nesting) {
    return {
      ...empty,
      isManifest: true,
      findings: [
        makeFinding(
          'invalid-manifest',
          { file, line: nesting.line, column: nesting.column, endLine: nesting.line, endColumn: nesting.column + 1 },
          `This file nests flow collections ([ or {) more than ${limits.maxNestingDepth} levels deep here, more than any manifest needs, so it was not read and its images were not checked.`
        )
      ]
    }
  }
  const parsed = parseManifest(content.text)
  const findings: Finding[] = parsed.problems.map((p) => makeFinding(p.rule, { ...p, file }, p.message))
  const images: PendingImage[] = []
  for (const { index, document } of parsed.documents) {
    extractClusterObjects(file, document, parsed.positions, limits.maxAliasExpansions, objects)
    const extracted = new ImageExtractor(file, index, document, parsed.positions, limits).extract()
    if (extracted.problem) findings.push(makeFinding('invalid-manifest', { ...extracted.problem, file }, extracted.problem.message))
    for (const occurrence of extracted.images) {
      const verdict = checkOccurrence(occurrence)
      images.push({ verdict, scanned: { source: 'container', occurrence, image: occurrence.image, reference: verdict.reference, tagKnown: true } })
    }
    for (const entry of extractKustomizeImages(file, index, document, parsed.positions, limits.maxAliasExpansions)) {
      const verdict = checkKustomizeEntry(entry)
      const image = [entry.newName?.value ?? entry.name, entry.newTag ? `:${entry.newTag.value}` : '', entry.digest ? `@${entry.digest.value}` : ''].join('')
      images.push({ verdict, scanned: { source: 'kustomize', occurrence: entry, image, reference: verdict.reference, tagKnown: Boolean(entry.newTag || entry.digest) } })
    }
  }
  logger.debug(`${file}: ${parsed.documents.length} documents, ${images.length} images, ${findings.length} findings`)
  return { findings, images, documents: parsed.documents.length, isManifest: parsed.looksLikeKubernetes || images.length > 0 }
}

/**
 * Where flow nesting first goes past `limit` (quoted strings and comments skipped), or undefined.
 * The YAML parser recurses per level, so a 100,000-level `[[[…` must be refused before parsing.
 */
function deepestNesting(text: string, limit: number): { line: number; column: number } | undefined {
  let depth = 0
  let line = 1
  let lineStart = 0
  let quote = ''
  let comment = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) {
      line++
      lineStart = i + 1
      comment = false
      continue
    }
    if (comment) continue
    const ch = text[i]!
    if (quote) {
      if (ch === quote && !(quote === '"' && text[i - 1] === '\\')) quote = ''
      continue
    }
    if (ch === '"' || ch === "'") quote = ch
    else if (ch === '#' && (i === lineStart || /\s/.test(text[i - 1]!))) comment = true
    else if (ch === '[' || ch === '{') {
      if (++depth > limit) return { line, column: i - lineStart + 1 }
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--
  }
  return undefined
}

/** Byte offset of the first byte that breaks UTF-8. */
function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0
  let hi = bytes.length
  // the longest valid prefix, found by halving (TextDecoder says only whether all of it is valid)
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (decodeUtf8(bytes.subarray(0, mid), true) !== undefined) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** UTF-8 text without a replacement character, or undefined for binary and other encodings. */
function decodeUtf8(bytes: Buffer, prefix = false): string | undefined {
  try {
    // a prefix may end inside a multi-byte character: let the decoder wait for the rest
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: prefix })
  } catch {
    return undefined
  }
}
