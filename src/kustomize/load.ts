import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { isScalar, type Document } from 'yaml'
import type { Finding, Span } from '../findings/finding.js'
import type { Limits } from '../engine/limits.js'
import { readGuarded } from '../engine/read-files.js'
import { ImageExtractor, type ImageOccurrence } from '../manifests/extract.js'
import { extractKustomizeImages, KUSTOMIZATION_FILES, type KustomizeImageEntry } from '../manifests/kustomize.js'
import { parseManifest, type PositionMap } from '../manifests/parse.js'
import { NodeReader } from '../manifests/yaml-nodes.js'


/** A path written in a kustomization (a resource, component or patch file), with where it is written. */
export interface PathRef extends Span {
  readonly value: string
}

/** A patch that may set images: a strategic-merge patch file or inline patch, or a JSON 6902 patch. */
export interface PatchRef extends Span {
  readonly path?: string
  readonly inline?: string
  readonly target?: { readonly kind?: string; readonly name?: string }
}

/** One kustomization file, read for what decides images. */
export interface Kustomization {
  /** workspace-relative, forward slashes */
  readonly file: string
  readonly dir: string
  readonly kind: string
  readonly resources: readonly PathRef[]
  readonly components: readonly PathRef[]
  readonly patches: readonly PatchRef[]
  readonly images: readonly KustomizeImageEntry[]
  readonly namespace?: string
}

/** Reads workspace files once for the renderer: kustomizations, and the images of resource files. */
export class KustomizeFiles {
  private readonly kustomizations = new Map<string, Kustomization | undefined>()
  private readonly occurrences = new Map<string, ImageOccurrence[]>()
  private readonly documents = new Map<string, { docs: Array<{ index: number; document: Document.Parsed }>; positions: PositionMap } | undefined>()

  /** files the scan would not parse (too large, not text, refused by kubectl before parsing), with its finding for each */
  readonly refused = new Map<string, Finding>()
  readonly maxAliasExpansions: number

  constructor(
    private readonly workspace: string,
    private readonly limits: Limits
  ) {
    this.maxAliasExpansions = limits.maxAliasExpansions
  }

  /** The kustomization file of a folder, or undefined. */
  kustomizationIn(dir: string): string | undefined {
    for (const name of KUSTOMIZATION_FILES) {
      const file = dir === '' ? name : `${dir}/${name}`
      if (existsSync(this.abs(file))) return file
    }
    return undefined
  }

  isDirectory(file: string): boolean {
    try {
      return statSync(this.abs(file)).isDirectory()
    } catch {
      return false
    }
  }

  exists(file: string): boolean {
    return existsSync(this.abs(file))
  }

  kustomization(file: string): Kustomization | undefined {
    if (!this.kustomizations.has(file)) this.kustomizations.set(file, this.readKustomization(file))
    return this.kustomizations.get(file)
  }

  /** The container images written in a resource file. */
  imagesOf(file: string): ImageOccurrence[] {
    let found = this.occurrences.get(file)
    if (!found) {
      found = []
      const parsed = this.parsed(file)
      for (const { index, document } of parsed?.docs ?? []) {
        found.push(...new ImageExtractor(file, index, document, parsed!.positions, { maxAliasExpansions: this.maxAliasExpansions }).extract().images)
      }
      this.occurrences.set(file, found)
    }
    return found
  }

  /** The parsed documents of a file (patches are read as manifests too). */
  parsed(file: string): { docs: Array<{ index: number; document: Document.Parsed }>; positions: PositionMap } | undefined {
    if (!this.documents.has(file)) {
      const read = readGuarded(this.workspace, file, this.limits)
      // a refused file is there but holds nothing the renderer may read; the scan reports it
      if (read && 'refused' in read) this.refused.set(file, read.refused)
      const text = read === undefined ? undefined : 'text' in read ? read.text : ''
      if (text === undefined) this.documents.set(file, undefined)
      else {
        const parsed = parseManifest(text)
        this.documents.set(file, { docs: [...parsed.documents], positions: parsed.positions })
      }
    }
    return this.documents.get(file)
  }

  /** Parsed documents of text that is not a file of its own (an inline patch). */
  parsedText(key: string, text: string): { docs: Array<{ index: number; document: Document.Parsed }>; positions: PositionMap } | undefined {
    if (!this.documents.has(key)) {
      const parsed = parseManifest(text)
      this.documents.set(key, { docs: [...parsed.documents], positions: parsed.positions })
    }
    return this.documents.get(key)
  }

  private readKustomization(file: string): Kustomization | undefined {
    const parsed = this.parsed(file)
    const first = parsed?.docs[0]
    if (!parsed || !first) return undefined
    const reader = new NodeReader(first.document, this.maxAliasExpansions)
    const root = first.document.contents
    const refs = (key: string): PathRef[] =>
      (reader.seq(reader.get(root, key))?.items ?? []).flatMap((item) => {
        const node = reader.deref(item)
        if (!isScalar(node) || typeof node.value !== 'string') return []
        const at = parsed.positions.position(node.range?.[0] ?? 0)
        return [{ value: node.value, line: at.line, column: at.column, endLine: at.line, endColumn: at.column + node.value.length }]
      })
    const patches: PatchRef[] = []
    for (const ref of refs('patchesStrategicMerge')) patches.push({ ...ref, path: ref.value })
    for (const key of ['patches', 'patchesJson6902']) {
      for (const item of reader.seq(reader.get(root, key))?.items ?? []) {
        const node = reader.deref(item)
        const at = parsed.positions.position((node as { range?: [number] } | null)?.range?.[0] ?? 0)
        const span = { line: at.line, column: at.column, endLine: at.line, endColumn: at.column + 1 }
        if (isScalar(node) && typeof node.value === 'string') {
          patches.push({ ...span, path: node.value })
          continue
        }
        const target = reader.get(item, 'target')
        patches.push({
          ...span,
          path: reader.string(item, 'path'),
          inline: reader.string(item, 'patch'),
          target: target ? { kind: reader.string(target, 'kind'), name: reader.string(target, 'name') } : undefined
        })
      }
    }
    return {
      file,
      dir: path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file),
      kind: reader.string(root, 'kind') ?? 'Kustomization',
      resources: [...refs('resources'), ...refs('bases')],
      components: refs('components'),
      patches,
      images: extractKustomizeImages(file, first.index, first.document, parsed.positions, this.maxAliasExpansions),
      namespace: reader.string(root, 'namespace')
    }
  }

  private abs(file: string): string {
    return path.resolve(this.workspace, file)
  }
}

/** Joins a path written in a kustomization to its folder; undefined when it leaves the workspace. */
export function joinRef(dir: string, ref: string): string | undefined {
  const joined = path.posix.normalize(dir === '' ? ref : `${dir}/${ref}`).replace(/\/$/, '')
  if (joined.startsWith('../') || joined === '..' || path.posix.isAbsolute(joined)) return undefined
  return joined === '.' ? '' : joined
}

/** Remote resources (git URLs, HTTP) are not fetched. */
export function isRemote(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || ref.startsWith('git@') || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(ref) || ref.includes('?ref=')
}
