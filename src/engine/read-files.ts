import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import path from 'node:path'
import type { Finding } from '../findings/finding.js'
import { extractClusterObjects, type ClusterObjects } from '../manifests/cluster-objects.js'
import { aliasBombProblem, ImageExtractor } from '../manifests/extract.js'
import { extractKustomizeImages, type KustomizeImageEntry } from '../manifests/kustomize.js'
import { LineIndex } from '../manifests/line-index.js'
import { looksLikeKubernetes, parseManifest } from '../manifests/parse.js'
import { AliasBudgetExceeded } from '../manifests/yaml-nodes.js'
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

export type FileContent =
  | { kind: 'text'; text: string }
  | { kind: 'too-large'; size: number }
  /** bytes that are not UTF-8 text: binary, or text in another encoding */
  | { kind: 'not-text' }

/**
 * Reads a file whole, unless it is over the size limit. Synchronous on purpose: manifests are
 * small and in the page cache right after a checkout, and one blocking read costs the event
 * loop a few microseconds where the promise API costs it a hundred (five round trips to the
 * thread pool per file), which showed as a tenth of a 5,000-file run's CPU (bench/full.js).
 */
export function readManifestFile(workspace: string, file: string, limits: Limits): FileContent {
  const fd = openSync(path.resolve(workspace, file), 'r')
  let bytes: Buffer
  try {
    const size = fstatSync(fd).size
    if (size > limits.maxFileBytes) return { kind: 'too-large', size }
    bytes = Buffer.allocUnsafe(size)
    let read = 0
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read)
      if (n === 0) break // the file shrank meanwhile: what is there is what it holds
      read += n
    }
    bytes = bytes.subarray(0, read)
  } finally {
    closeSync(fd)
  }
  const text = decodeUtf8(bytes)
  if (text !== undefined) return { kind: 'text', text }
  // kubectl reads a manifest with stray invalid bytes (in a comment, a Latin-1 é) as it is: so does pullgate;
  // anything else that is not UTF-8 text (a binary file named .yaml) is not a manifest
  const lossy = bytes.toString('utf8')
  return looksLikeKubernetes(lossy) ? { kind: 'text', text: lossy } : { kind: 'not-text' }
}

/** A file as a stage that reads files on its own (kustomize, Helm) gets it: its text, or the scan's finding for why it is not read. */
export type GuardedText = { readonly text: string } | { readonly refused: Finding }

/**
 * Reads a file for the kustomize and Helm stages within the scan's own bounds: undefined when it
 * cannot be read (missing), `refused` with the finding the scan makes for it when the scan would
 * not parse it (over `max-file-bytes`, not text, or what kubectl refuses before parsing). So no
 * stage parses what the scan refuses, and a refused file that only a kustomization or a chart
 * reaches is still reported.
 */
export function readGuarded(workspace: string, file: string, limits: Limits): GuardedText | undefined {
  let content: FileContent
  try {
    content = readManifestFile(workspace, file, limits)
  } catch {
    return undefined
  }
  if (content.kind === 'too-large') return { refused: tooLargeFinding(file, content.size, limits) }
  if (content.kind === 'not-text') {
    return { refused: makeFinding('invalid-manifest', { file, line: 1, column: 1, endLine: 1, endColumn: 1 }, 'This file is not UTF-8 text, so it was not read and its images were not checked.') }
  }
  const refused = refuseUnreadable(file, content.text, limits)
  return refused ? { refused } : { text: content.text }
}

function tooLargeFinding(file: string, size: number, limits: Limits): Finding {
  return makeFinding(
    'invalid-manifest',
    { file, line: 1, column: 1, endLine: 1, endColumn: 1 },
    `This file is ${size} bytes, over the ${limits.maxFileBytes}-byte limit, so it was not read and its images were not checked. Split it, or raise the limit.`
  )
}

/** Parses one file and extracts its images, cluster objects and read problems. */
export function analyzeFile(file: string, content: FileContent, limits: Limits, logger: Logger, objects: ClusterObjects): FileResult {
  const empty: FileResult = { findings: [], images: [], documents: 0, isManifest: false }
  if (content.kind === 'too-large') {
    logger.warning(`${file}: ${content.size} bytes is over the ${limits.maxFileBytes}-byte limit; not read`)
    return { ...empty, findings: [tooLargeFinding(file, content.size, limits)] }
  }
  if (content.kind === 'not-text') {
    logger.debug(`${file}: not UTF-8 text; skipped`)
    return empty
  }
  const refused = refuseUnreadable(file, content.text, limits)
  if (refused) return { ...empty, isManifest: true, findings: [refused] }
  const parsed = parseManifest(content.text)
  const findings: Finding[] = parsed.problems.map((p) => makeFinding(p.rule, { ...p, file }, p.message))
  const images: PendingImage[] = []
  for (const { index, document } of parsed.documents) {
    const extracted = new ImageExtractor(file, index, document, parsed.positions, limits).extract()
    // every reader of a document is bounded alike: one that expands too many aliases is not read at all
    let entries: KustomizeImageEntry[] = []
    let problem = extracted.problem
    if (!problem) {
      try {
        extractClusterObjects(file, document, parsed.positions, limits.maxAliasExpansions, objects)
        entries = extractKustomizeImages(file, index, document, parsed.positions, limits.maxAliasExpansions)
      } catch (error) {
        if (!(error instanceof AliasBudgetExceeded)) throw error
        problem = aliasBombProblem(document.contents, parsed.positions, error)
      }
    }
    if (problem) {
      findings.push(makeFinding('invalid-manifest', { ...problem, file }, problem.message))
      continue
    }
    for (const occurrence of extracted.images) {
      const verdict = checkOccurrence(occurrence)
      images.push({ verdict, scanned: { source: 'container', occurrence, image: occurrence.image, reference: verdict.reference, tagKnown: true } })
    }
    for (const entry of entries) {
      const verdict = checkKustomizeEntry(entry)
      const image = [entry.newName?.value ?? entry.name, entry.newTag ? `:${entry.newTag.value}` : '', entry.digest ? `@${entry.digest.value}` : ''].join('')
      images.push({ verdict, scanned: { source: 'kustomize', occurrence: entry, image, reference: verdict.reference, tagKnown: Boolean(entry.newTag || entry.digest) } })
    }
  }
  logger.debug(`${file}: ${parsed.documents.length} documents, ${images.length} images, ${findings.length} findings`)
  return { findings, images, documents: parsed.documents.length, isManifest: parsed.looksLikeKubernetes || images.length > 0 }
}

/**
 * What kubectl would refuse before the YAML parser is asked, in a file that looks like a manifest
 * (others are not ours to judge): control characters, flow nesting deeper than the parser can
 * follow, and JSON that is not strict JSON (kubectl reads .json files with a JSON decoder).
 */
function refuseUnreadable(file: string, text: string, limits: Limits): Finding | undefined {
  if (!looksLikeKubernetes(text)) return undefined
  const at = (offset: number, message: string) => {
    const pos = new LineIndex(text).position(offset)
    return makeFinding('invalid-manifest', { file, line: pos.line, column: pos.column, endLine: pos.line, endColumn: pos.column + 1 }, message)
  }
  const control = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/.exec(text)
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(2, '0')
    return at(control.index, `This file has a control character (0x${code}) here: kubectl rejects it ("control characters are not allowed") and its images were not checked. Remove it.`)
  }
  const nesting = deepestNesting(text, limits.maxNestingDepth)
  if (nesting !== undefined) {
    return at(nesting, `This file nests flow collections ([ or {) more than ${limits.maxNestingDepth} levels deep here, more than any manifest needs, so it was not read and its images were not checked.`)
  }
  if (file.toLowerCase().endsWith('.json')) {
    try {
      JSON.parse(text.replace(/^\uFEFF/, ''))
    } catch (error) {
      const message = (error as Error).message
      const position = /position (\d+)/.exec(message)
      // the parser's sentence without the excerpt of the file it quotes
      const reason = message
        .replace(/,\s*(\.\.\.)?".*$/s, '')
        .replace(/\s+in JSON at position.*$/s, '')
        .replace(/\s*\(line \d+ column \d+\)/, '')
      return at(position ? Number(position[1]) : 0, `This file is not valid JSON: ${reason}. kubectl rejects it and its images were not checked. Fix the syntax at this position.`)
    }
  }
  return undefined
}

/**
 * Where flow nesting first goes past `limit` (quoted strings and comments skipped), or undefined.
 * The YAML parser recurses per level, so a 100,000-level `[[[…` must be refused before parsing.
 */
function deepestNesting(text: string, limit: number): number | undefined {
  let depth = 0
  let lineStart = 0
  let quote = ''
  let comment = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) {
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
      if (++depth > limit) return i
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--
  }
  return undefined
}

/** UTF-8 text without a replacement character, or undefined for binary and other encodings. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    // a whole-buffer decode starts afresh each time, so one decoder serves every file
    return STRICT_UTF8.decode(bytes)
  } catch {
    return undefined
  }
}
