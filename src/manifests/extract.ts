import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml'
import type { Span } from '../findings/finding.js'
import type { PositionMap } from './parse.js'
import { AliasBudgetExceeded, NodeReader, scalarTextRange } from './yaml-nodes.js'
import { detached, shared } from '../util/strings.js'
import {
  CONTAINER_LISTS,
  PATTERN_GROUPS,
  apiGroup,
  builtinPodSpecPath,
  crdImageFields,
  isListKind,
  type CrdImageFields,
  type ImagePurpose
} from './workloads.js'

/** How an image field was found: a standard pod spec, a pod spec a custom resource embeds, or a CRD's own field. */
export type ImageCategory = 'podspec' | 'crd-podspec' | 'crd-field'

/** One image written in a manifest, with where it is and what pod it belongs to. */
export interface ImageOccurrence extends Span {
  /** the image string as written (parsed value); for a non-string value, its text */
  readonly image: string
  /** false when the YAML value is a number, boolean or collection (Kubernetes rejects those) */
  readonly isString: boolean
  readonly file: string
  /** 0-based index of the YAML document in the file */
  readonly document: number
  /** dotted path from the document root, e.g. `spec.template.spec.containers[0].image` */
  readonly path: string
  readonly apiVersion: string
  readonly kind: string
  /** `metadata.name`, or `metadata.generateName` when there is no name */
  readonly objectName?: string
  readonly namespace?: string
  /** the container's (or step's, or image volume's) name */
  readonly container?: string
  /** which list or field: `containers`, `initContainers`, `ephemeralContainers`, `volumes`, `steps`, `spec.image`, … */
  readonly list: string
  readonly category: ImageCategory
  readonly purpose: ImagePurpose
  readonly imagePullPolicy?: string
  /** the pod spec's `serviceAccountName` (or deprecated `serviceAccount`) */
  readonly serviceAccountName?: string
  /** names of the pod spec's `imagePullSecrets` */
  readonly imagePullSecrets: readonly string[]
}

/** What extraction could not do in one document. */
export interface ExtractionProblem extends Span {
  readonly message: string
}

/** Defaults for reading one document; issue-level limits live with the options. */
export interface ExtractLimits {
  /** alias expansions allowed per document before it is treated as an alias bomb */
  readonly maxAliasExpansions: number
}

interface ObjectContext {
  readonly apiVersion: string
  readonly kind: string
  readonly objectName?: string
  readonly namespace?: string
  /** path of the object root inside the document ('' or `items[3]`) */
  readonly rootPath: string
  readonly root: YAMLMap
  readonly fields?: CrdImageFields
  readonly podSpecPath?: string
}

/**
 * Finds every image of every Kubernetes object in one parsed document: the three container
 * lists of any pod spec (built-in or embedded in a custom resource), image volumes, and the
 * CRD image fields of {@link CRD_IMAGE_FIELDS}. A document whose root has no string `apiVersion`
 * and `kind` is not a Kubernetes object and yields nothing.
 */
export class ImageExtractor {
  private readonly reader: NodeReader
  private readonly found: ImageOccurrence[] = []

  constructor(
    private readonly file: string,
    private readonly documentIndex: number,
    document: Document.Parsed,
    private readonly positions: PositionMap,
    limits: ExtractLimits
  ) {
    this.reader = new NodeReader(document, limits.maxAliasExpansions)
    this.root = document.contents
  }

  private readonly root: unknown

  /** The images of the document, in document order; or a problem when it could not be read safely. */
  extract(): { images: ImageOccurrence[]; problem?: ExtractionProblem } {
    try {
      this.visitObject(this.root, '')
      return { images: this.found }
    } catch (error) {
      if (!(error instanceof AliasBudgetExceeded)) throw error
      return { images: [], problem: aliasBombProblem(this.root, this.positions, error) }
    }
  }

  private visitObject(node: unknown, rootPath: string): void {
    const root = this.reader.map(node)
    if (!root) return
    const apiVersion = this.reader.string(root, 'apiVersion')
    const kind = this.reader.string(root, 'kind')
    if (apiVersion === undefined || kind === undefined) return
    const items = this.reader.seq(this.reader.get(root, 'items'))
    if (isListKind(kind) && items) {
      items.items.forEach((item, i) => this.visitObject(item, join(rootPath, `items[${i}]`)))
      return
    }
    if (PATTERN_GROUPS.includes(apiGroup(apiVersion))) return
    const metadata = this.reader.get(root, 'metadata')
    const ctx: ObjectContext = {
      apiVersion,
      kind,
      objectName: this.reader.string(metadata, 'name') ?? this.reader.string(metadata, 'generateName'),
      namespace: this.reader.string(metadata, 'namespace'),
      rootPath,
      root,
      fields: crdImageFields(apiVersion, kind),
      podSpecPath: builtinPodSpecPath(apiVersion, kind)
    }
    for (const path of ctx.fields?.paths ?? []) this.visitFieldPath(ctx, path)
    this.walk(root, '', ctx, new Set())
  }

  /** Walks the object tree (not metadata or status) looking for container lists and CRD fields. */
  private walk(node: unknown, path: string, ctx: ObjectContext, ancestors: Set<Node>): void {
    const value = this.reader.deref(node)
    if (!value || ancestors.has(value)) return
    if (isSeq(value)) {
      ancestors.add(value)
      value.items.forEach((item, i) => this.walk(item, `${path}[${i}]`, ctx, ancestors))
      ancestors.delete(value)
      return
    }
    if (!isMap(value)) return
    ancestors.add(value)
    for (const [key, child] of this.reader.entries(value)) {
      if (path === '' && (key === 'metadata' || key === 'status')) continue
      const childPath = join(path, key)
      if ((CONTAINER_LISTS as readonly string[]).includes(key)) {
        const category = ctx.podSpecPath === path ? 'podspec' : 'crd-podspec'
        this.visitContainerList(child, childPath, key, value, ctx, category)
      } else if (ctx.fields?.lists?.includes(key)) {
        this.visitContainerList(child, childPath, key, value, ctx, 'crd-field')
      } else if (ctx.fields?.containers?.includes(key)) {
        this.visitContainer(child, childPath, key, value, ctx, 'crd-field')
      } else if (key === 'volumes') {
        this.visitImageVolumes(child, childPath, value, ctx)
      }
      this.walk(child, childPath, ctx, ancestors)
    }
    ancestors.delete(value)
  }

  private visitContainerList(
    node: unknown,
    path: string,
    list: string,
    podSpec: YAMLMap,
    ctx: ObjectContext,
    category: ImageCategory
  ): void {
    const seq = this.reader.seq(node)
    seq?.items.forEach((item, i) => this.visitContainer(item, `${path}[${i}]`, list, podSpec, ctx, category))
  }

  private visitContainer(
    node: unknown,
    path: string,
    list: string,
    podSpec: YAMLMap,
    ctx: ObjectContext,
    category: ImageCategory
  ): void {
    const container = this.reader.map(node)
    if (!container) return
    this.record(this.reader.get(container, 'image'), `${path}.image`, ctx, {
      list,
      category,
      container: this.reader.string(container, 'name'),
      imagePullPolicy: this.reader.string(container, 'imagePullPolicy'),
      podSpec
    })
  }

  /** `volumes[].image.reference` (the ImageVolume feature): the kubelet pulls these like containers. */
  private visitImageVolumes(node: unknown, path: string, podSpec: YAMLMap, ctx: ObjectContext): void {
    this.reader.seq(node)?.items.forEach((item, i) => {
      const image = this.reader.map(this.reader.get(item, 'image'))
      if (!image) return
      this.record(this.reader.get(image, 'reference'), `${path}[${i}].image.reference`, ctx, {
        list: 'volumes',
        category: ctx.podSpecPath === parentPath(path) ? 'podspec' : 'crd-podspec',
        container: this.reader.string(item, 'name'),
        imagePullPolicy: this.reader.string(image, 'pullPolicy'),
        podSpec
      })
    })
  }

  private visitFieldPath(ctx: ObjectContext, dotted: string): void {
    const keys = dotted.split('.')
    let node: unknown = ctx.root
    for (const key of keys.slice(0, -1)) node = this.reader.get(node, key)
    if (!this.reader.map(node)) return
    this.record(this.reader.get(node, keys[keys.length - 1]!), dotted, ctx, {
      list: dotted,
      category: 'crd-field',
      podSpec: undefined
    })
  }

  private record(
    valueNode: Node | null,
    path: string,
    ctx: ObjectContext,
    where: { list: string; category: ImageCategory; container?: string; imagePullPolicy?: string; podSpec: YAMLMap | undefined }
  ): void {
    // no image (a strategic-merge patch naming a container to change) or `image: ~`: nothing to check
    if (!valueNode || (isScalar(valueNode) && valueNode.value === null)) return
    const isString = isScalar(valueNode) && typeof valueNode.value === 'string'
    const range = isScalar(valueNode)
      ? scalarTextRange(valueNode, this.positions.text)
      : { start: rangeOf(valueNode)[0], end: rangeOf(valueNode)[1] }
    const start = this.positions.position(range.start)
    const end = this.positions.position(range.end)
    const image = detached(isString ? (valueNode.value as string) : this.positions.text.slice(range.start, range.end))
    const podSpec = where.podSpec
    this.found.push({
      image,
      isString,
      file: this.file,
      document: this.documentIndex,
      path: shared(join(ctx.rootPath, path)),
      apiVersion: shared(ctx.apiVersion),
      kind: shared(ctx.kind),
      objectName: ctx.objectName === undefined ? undefined : detached(ctx.objectName),
      namespace: shared(ctx.namespace),
      container: shared(where.container),
      list: shared(where.list),
      category: where.category,
      purpose: ctx.fields?.purpose ?? 'pull',
      imagePullPolicy: shared(where.imagePullPolicy),
      serviceAccountName: podSpec
        ? shared(this.reader.string(podSpec, 'serviceAccountName') ?? this.reader.string(podSpec, 'serviceAccount'))
        : undefined,
      imagePullSecrets: podSpec ? this.pullSecretNames(podSpec) : [],
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column
    })
  }

  private pullSecretNames(podSpec: YAMLMap): string[] {
    const names: string[] = []
    for (const item of this.reader.seq(this.reader.get(podSpec, 'imagePullSecrets'))?.items ?? []) {
      const name = this.reader.string(item, 'name')
      if (name) names.push(shared(name))
    }
    return names
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

function parentPath(path: string): string {
  const dot = path.lastIndexOf('.')
  return dot === -1 ? '' : path.slice(0, dot)
}

/** A document that expands more aliases than the limit: said at its start, and not read further. */
export function aliasBombProblem(root: unknown, positions: PositionMap, error: AliasBudgetExceeded): ExtractionProblem {
  const at = positions.position(rangeOf(root)[0])
  return {
    line: at.line,
    column: at.column,
    endLine: at.line,
    endColumn: at.column + 1,
    message: `This document expands ${error.message}, more than any manifest needs (a YAML alias bomb?), so it was not read.`
  }
}

function rangeOf(node: unknown): [number, number, number] {
  return ((node as { range?: [number, number, number] } | null)?.range ?? [0, 0, 0]) as [number, number, number]
}
