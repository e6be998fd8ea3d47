import { isScalar, type Document, type Node } from 'yaml'
import type { Span } from '../findings/finding.js'
import type { PositionMap } from './parse.js'
import { NodeReader, scalarTextRange } from './yaml-nodes.js'

/** A field of a kustomization `images:` entry, with where its value is written. */
export interface KustomizeField extends Span {
  /** the value as written (kustomize reads `newTag: 1.10` as the text "1.10", not a number) */
  readonly value: string
}

/** One `images:` entry of a kustomization: which image it rewrites, and to what. */
export interface KustomizeImageEntry extends Span {
  readonly file: string
  readonly document: number
  /** dotted path, e.g. `images[0]` */
  readonly path: string
  /** `Kustomization`, `Component`, or Flux's `Kustomization` */
  readonly kind: string
  /** the image name the entry matches (its position is the entry's position) */
  readonly name: string
  readonly newName?: KustomizeField
  readonly newTag?: KustomizeField
  readonly digest?: KustomizeField
}

/** The file names kustomize looks for in a folder, in its order of preference. */
export const KUSTOMIZATION_FILES: ReadonlySet<string> = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization'])

/**
 * Reads the `images:` transformer entries of a kustomization (kustomize accepts the file without
 * `apiVersion`/`kind`, so its name is enough) or of a Flux `Kustomization` (`spec.images`).
 */
export function extractKustomizeImages(
  file: string,
  documentIndex: number,
  document: Document.Parsed,
  positions: PositionMap,
  maxAliasExpansions: number
): KustomizeImageEntry[] {
  const reader = new NodeReader(document, maxAliasExpansions)
  const root = document.contents
  const apiVersion = reader.string(root, 'apiVersion') ?? ''
  const kind = reader.string(root, 'kind')
  const base = file.slice(file.lastIndexOf('/') + 1)
  let listPath: string[]
  if (apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') && kind === 'Kustomization') listPath = ['spec', 'images']
  else if (KUSTOMIZATION_FILES.has(base) || apiVersion.startsWith('kustomize.config.k8s.io/')) listPath = ['images']
  else return []

  let node: unknown = root
  for (const key of listPath) node = reader.get(node, key)
  const entries: KustomizeImageEntry[] = []
  reader.seq(node)?.items.forEach((item, i) => {
    const field = (key: string): KustomizeField | undefined => scalarField(reader.get(item, key), positions)
    const name = field('name')
    if (!name) return
    entries.push({
      file,
      document: documentIndex,
      path: `${listPath.join('.')}[${i}].name`,
      kind: kind ?? 'Kustomization',
      name: name.value,
      newName: field('newName'),
      newTag: field('newTag'),
      digest: field('digest'),
      line: name.line,
      column: name.column,
      endLine: name.endLine,
      endColumn: name.endColumn
    })
  })
  return entries
}

function scalarField(node: Node | null, positions: PositionMap): KustomizeField | undefined {
  if (!isScalar(node) || node.value === null) return undefined
  const range = scalarTextRange(node, positions.text)
  const start = positions.position(range.start)
  const end = positions.position(range.end)
  const value = typeof node.value === 'string' ? node.value : positions.text.slice(range.start, range.end)
  return { value, line: start.line, column: start.column, endLine: end.line, endColumn: end.column }
}
