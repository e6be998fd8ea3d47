import { isMap, isScalar, isSeq, type Document, type Node, type Scalar, type YAMLError } from 'yaml'
import type { Span } from '../findings/finding.js'
import { DEFAULT_LIMITS } from '../engine/limits.js'
import { parseReference } from '../images/reference.js'
import { errorPosition, firstLine, parseDocuments, parseManifest, type PositionMap } from '../manifests/parse.js'
import { AliasBudgetExceeded, NodeReader, scalarTextRange } from '../manifests/yaml-nodes.js'

/** A scalar of a values file, with where it is written. */
export interface ValuesField extends Span {
  /** workspace-relative path of the file that decided this value (after overrides) */
  readonly file: string
  /** the value as Helm's templates print it (`tag: 1.10`, an unquoted number, prints as `1.1`) */
  readonly value: string
  /** the text as written, present only when Helm reads it differently from how it looks */
  readonly written?: string
}

/** One image a chart will deploy, composed from values, with the fields that decide it. */
export interface HelmImage {
  /** chart folder, workspace-relative (e.g. 'charts/shop') */
  readonly chart: string
  /** Chart.yaml `name` (the folder name when Chart.yaml has none) */
  readonly chartName: string
  /** dotted values path of the image, e.g. 'controller.image' or 'sidecars[0].image' */
  readonly path: string
  /** the composed reference as the chart's templates print it, e.g. 'docker.io/bitnami/redis:7.2.4' */
  readonly image: string
  /** true when a part holds a template expression (`{{`): the reference is not known until rendered */
  readonly placeholder: boolean
  /** where each part is written (the file that decided it, after overrides); tag may be absent when appVersion supplied it */
  readonly fields: {
    readonly repository?: ValuesField
    readonly tag?: ValuesField
    readonly registry?: ValuesField
    readonly digest?: ValuesField
    /** the whole reference, for `image: repo:tag` strings */
    readonly whole?: ValuesField
  }
  /** 'appVersion' when the tag came from Chart.yaml (then `appVersionField` says where) */
  readonly tagSource: 'values' | 'appVersion' | 'none'
  readonly appVersionField?: ValuesField
}

/** A file that could not be read, at the position that explains why. */
export interface ValuesProblem {
  readonly file: string
  readonly line: number
  readonly column: number
  readonly message: string
}

/**
 * Finds a chart's images. `readFile` returns a file's text (workspace-relative path) or undefined.
 * `valuesFiles` are extra values files (workspace-relative), applied after values.yaml in order,
 * each overriding the earlier ones key by key as `helm -f` does.
 *
 * Templates are not rendered: images are composed from the shapes charts use (see {@link findImages}),
 * so an image a template builds some other way is not found. When a values file cannot be read,
 * Helm refuses the install, so the problem is returned and no image is guessed from the rest.
 */
export function chartImages(
  chartDir: string,
  readFile: (file: string) => string | undefined,
  valuesFiles: readonly string[] = [],
  maxAliasExpansions = DEFAULT_LIMITS.maxAliasExpansions
): { images: HelmImage[]; problems: ValuesProblem[] } {
  const chart = normalizeDir(chartDir)
  const problems: ValuesProblem[] = []
  const chartFile = joinPath(chart, 'Chart.yaml')
  const chartText = readFile(chartFile)
  if (chartText === undefined) {
    const message = `${chart} has no Chart.yaml, so it is not a Helm chart and its values were not read.`
    problems.push({ file: chartFile, line: 1, column: 1, message })
    return { images: [], problems }
  }
  const meta = readChartMetadata(chartFile, chartText, chart, problems, maxAliasExpansions)

  let merged: Tree | undefined
  let unreadable = false
  const files: Array<{ file: string; required: boolean }> = [
    // a chart without values.yaml is valid; files the caller names must exist
    { file: joinPath(chart, 'values.yaml'), required: false },
    ...valuesFiles.map((file) => ({ file, required: true }))
  ]
  for (const { file, required } of files) {
    const text = readFile(file)
    if (text === undefined) {
      if (required) {
        const message = `This values file was not found: \`helm -f ${file}\` would fail, so none of the chart's images were checked.`
        problems.push({ file, line: 1, column: 1, message })
        unreadable = true
      }
      continue
    }
    const read = readValuesFile(file, text, maxAliasExpansions)
    if ('problem' in read) {
      problems.push(read.problem)
      unreadable = true
      continue
    }
    merged = merged === undefined ? read.tree : mergeTrees(merged, read.tree)
  }
  if (unreadable || merged === undefined || merged.kind !== 'map') return { images: [], problems }

  return { images: findImages(merged, chart, meta), problems }
}

/**
 * The finding position for a problem with the whole image: the digest when one pins the image, else
 * the tag line when the tag decides it (Chart.yaml's appVersion when that supplied it), else the
 * repository line, else the whole string. With `part`, that part's field when the image has one.
 */
export function decidingField(image: HelmImage, part?: 'tag' | 'repository' | 'registry' | 'digest'): ValuesField {
  const f = image.fields
  const tag = f.tag ?? (image.tagSource === 'appVersion' ? image.appVersionField : undefined)
  const base = f.repository ?? f.whole
  if (!base) throw new Error(`Helm image ${image.path} has neither a repository nor a whole-reference field`)
  switch (part) {
    case 'tag':
      return tag ?? f.whole ?? base
    case 'repository':
      return base
    case 'registry':
      // an absent registry is implied by the repository (Docker Hub), so that line is what to change
      return f.registry ?? base
    case 'digest':
      return f.digest ?? f.whole ?? tag ?? base
    default:
      // a runtime pulls by digest when one is given: the tag then decides nothing
      return f.whole ?? f.digest ?? tag ?? base
  }
}

// ---------------------------------------------------------------------------------------------------
// Chart.yaml

interface ChartMetadata {
  readonly name: string
  readonly appVersion?: ValuesField
  /** top-level values keys that configure subcharts (dependency `alias` or `name`) */
  readonly dependencies: ReadonlySet<string>
}

function readChartMetadata(file: string, text: string, chart: string, problems: ValuesProblem[], maxAliasExpansions: number): ChartMetadata {
  const folderName = chart.slice(chart.lastIndexOf('/') + 1)
  const read = readYaml(file, text, 'Helm refuses the chart; its images were still read from its values, but without an appVersion to fall back on', maxAliasExpansions)
  if ('problem' in read) {
    // the images can still be read from values; only the appVersion fallback is lost
    problems.push(read.problem)
    return { name: folderName, dependencies: new Set() }
  }
  const { reader, root, positions } = read
  if (!reader) return { name: folderName, dependencies: new Set() }
  const name = reader.string(root, 'name') ?? folderName
  const appVersionNode = reader.get(root, 'appVersion')
  let appVersion: ValuesField | undefined
  if (isScalar(appVersionNode)) {
    // Chart.yaml's appVersion is a Go string field: an unquoted number is formatted back (`6.10` → "6.1")
    const resolved = chartYamlString(resolvePlain(appVersionNode, writtenText(appVersionNode, positions)))
    if (resolved !== undefined && resolved !== '') appVersion = fieldOf(appVersionNode, file, positions, resolved)
  }
  const dependencies = new Set<string>()
  for (const dep of reader.seq(reader.get(root, 'dependencies'))?.items ?? []) {
    const key = reader.string(dep, 'alias') ?? reader.string(dep, 'name')
    if (key) dependencies.add(key)
  }
  return { name, appVersion, dependencies }
}

// ---------------------------------------------------------------------------------------------------
// Values files: read into a tree that keeps every scalar's file and position, then merged.

type Tree = MapTree | SeqTree | Leaf
interface MapTree {
  readonly kind: 'map'
  readonly entries: ReadonlyMap<string, Tree>
}
interface SeqTree {
  readonly kind: 'seq'
  readonly items: readonly Tree[]
}
interface Leaf {
  readonly kind: 'leaf'
  /** the value as Helm holds it: every number is a float64 (values pass through JSON) */
  readonly data: string | number | boolean | null
  readonly field: ValuesField
}

/** Deeper nesting than any values file has: stops a self-referencing alias from recursing forever. */
const MAX_DEPTH = 200

function readValuesFile(file: string, text: string, maxAliasExpansions: number): { tree: Tree } | { problem: ValuesProblem } {
  const read = readYaml(file, text, "Helm refuses to install the chart with it, so none of the chart's images were checked", maxAliasExpansions)
  if ('problem' in read) return read
  const { reader, root, positions } = read
  const target = reader?.deref(root)
  // a file of comments, or a lone `~`, is an empty set of values to Helm
  if (!reader || root === null || (isScalar(target) && target.value === null)) return { tree: { kind: 'map', entries: new Map() } }
  if (!isMap(target)) {
    const at = positions.position(root.range?.[0] ?? 0)
    return {
      problem: {
        file,
        ...at,
        message: `A values file must be a mapping (key: value); Helm refuses this one ("cannot unmarshal"), so none of the chart's images were checked.`
      }
    }
  }
  try {
    return { tree: toTree(root, reader, file, positions, new Set(), 0) }
  } catch (error) {
    if (!(error instanceof AliasBudgetExceeded)) throw error
    return {
      problem: {
        file,
        ...positions.position(root.range?.[0] ?? 0),
        message: `This values file expands ${error.message}, more than any values file needs (a YAML alias bomb?), so none of the chart's images were checked.`
      }
    }
  }
}

function toTree(node: unknown, reader: NodeReader, file: string, positions: PositionMap, ancestors: Set<Node>, depth: number): Tree {
  const target = reader.deref(node)
  if (target === null || depth > MAX_DEPTH || ancestors.has(target)) return { kind: 'map', entries: new Map() }
  ancestors.add(target)
  try {
    if (isMap(target)) {
      const entries = new Map<string, Tree>()
      for (const [key, value] of reader.entries(target)) {
        entries.set(key, value === null ? nullLeaf(target, file, positions) : toTree(value, reader, file, positions, ancestors, depth + 1))
      }
      return { kind: 'map', entries }
    }
    if (isSeq(target)) {
      return { kind: 'seq', items: target.items.map((item) => toTree(item, reader, file, positions, ancestors, depth + 1)) }
    }
    if (isScalar(target)) {
      const resolved = resolvePlain(target, writtenText(target, positions))
      const data = helmValue(resolved)
      return { kind: 'leaf', data, field: fieldOf(target, file, positions, data === null ? '' : renderValue(data)) }
    }
    return { kind: 'map', entries: new Map() }
  } finally {
    ancestors.delete(target)
  }
}

/** A key written with no value (`tag:`) still overrides: its position is its mapping's. */
function nullLeaf(parent: Node, file: string, positions: PositionMap): Leaf {
  const at = positions.position(parent.range?.[0] ?? 0)
  return { kind: 'leaf', data: null, field: { file, value: '', line: at.line, column: at.column, endLine: at.line, endColumn: at.column } }
}

/**
 * Helm's merge of values files: a mapping is merged key by key; anything else (a scalar, a list, a
 * null) from the later file replaces what was there. A null later deletes the key in Helm; holding a
 * null leaf is the same for finding images.
 */
function mergeTrees(base: Tree, over: Tree): Tree {
  if (base.kind !== 'map' || over.kind !== 'map') return over
  const entries = new Map(base.entries)
  for (const [key, value] of over.entries) {
    const previous = entries.get(key)
    entries.set(key, previous === undefined ? value : mergeTrees(previous, value))
  }
  return { kind: 'map', entries }
}

// ---------------------------------------------------------------------------------------------------
// Finding images in the merged values.

/** The parts of one mapping-shaped image, as leaves of the merged values. */
interface ImageParts {
  readonly repository: Leaf
  readonly registry?: Leaf
  readonly tag?: Leaf
  readonly digest?: Leaf
  /** true when the mapping was recognised by its `image` key, not only by its shape */
  readonly keyed: boolean
}

/**
 * Walks the merged values for the shapes charts use:
 * - `image: repo:tag`: any key named `image` holding a string that is a reference;
 * - `image: {repository, tag?, digest?, registry?}` (bitnami adds `registry`), or any mapping with
 *   `repository` and a `tag` or `digest` key (`sidecars.foo`, `controller.image`);
 * - `image: {registry, image, tag?, digest?}` (ingress-nginx names the repository `image`);
 * and list items of any of these.
 */
function findImages(root: MapTree, chart: string, meta: ChartMetadata): HelmImage[] {
  const found: HelmImage[] = []
  const globalRegistry = nonEmpty(leafAt(root, ['global', 'imageRegistry']))

  const visit = (node: Tree, path: string, key: string | undefined, topKey: string | undefined): void => {
    if (node.kind === 'leaf') {
      if (key === 'image') {
        const image = stringImage(node, path, chart, meta)
        if (image) found.push(image)
      }
      return
    }
    if (node.kind === 'seq') {
      node.items.forEach((item, i) => visit(item, `${path}[${i}]`, undefined, topKey))
      return
    }
    const parts = imageParts(node, key)
    if (parts) {
      const image = mappingImage(parts, path, chart, meta, globalRegistry, topKey !== undefined && meta.dependencies.has(topKey))
      if (image) found.push(image)
      // an image mapping holds no further images; its own `image` key (ingress-nginx) is its repository
      return
    }
    for (const [k, value] of node.entries) visit(value, path === '' ? k : `${path}.${k}`, k, topKey ?? k)
  }
  for (const [k, value] of root.entries) visit(value, k, k, k)
  return found
}

function imageParts(node: MapTree, key: string | undefined): ImageParts | undefined {
  const leaf = (name: string): Leaf | undefined => {
    const value = node.entries.get(name)
    return value?.kind === 'leaf' ? value : undefined
  }
  const registry = leaf('registry')
  const tag = leaf('tag')
  const digest = leaf('digest')
  const repository = leaf('repository')
  if (repository) {
    if (key === 'image') return { repository, registry, tag, digest, keyed: true }
    if (tag || digest) return { repository, registry, tag, digest, keyed: false }
    return undefined
  }
  const named = leaf('image')
  if (key === 'image' && named && typeof named.data === 'string' && (registry || tag || digest)) {
    return { repository: named, registry, tag, digest, keyed: true }
  }
  return undefined
}

function mappingImage(
  parts: ImageParts,
  path: string,
  chart: string,
  meta: ChartMetadata,
  globalRegistry: Leaf | undefined,
  underDependency: boolean
): HelmImage | undefined {
  const repository = nonEmpty(parts.repository)
  // `repository: ""` (or null) is how charts ship a component that is off until configured
  if (!repository) return undefined
  // bitnami's common.images.image: `default .imageRoot.registry .global.imageRegistry`
  const registry = globalRegistry ?? nonEmpty(parts.registry)
  const digest = nonEmpty(parts.digest)
  // `{{ .Values.image.tag | default .Chart.AppVersion }}`: sprig's default also replaces 0 and false
  const tag = parts.tag && !isEmptyForDefault(parts.tag.data) ? parts.tag : undefined

  let tagSource: HelmImage['tagSource'] = tag ? 'values' : 'none'
  let tagText = tag?.field.value
  // A digest pins what is pulled; charts that add the appVersion tag beside it do not change that,
  // and this chart's appVersion is not a subchart's, so neither case borrows it.
  if (!tag && !digest && !underDependency && meta.appVersion) {
    tagSource = 'appVersion'
    tagText = meta.appVersion.value
  }

  const name = registry ? `${registry.field.value}/${repository.field.value}` : repository.field.value
  const image = name + (tagText !== undefined ? `:${tagText}` : '') + (digest ? `@${digest.field.value}` : '')
  const used = [repository, registry, tag, digest].filter((l): l is Leaf => l !== undefined)
  const placeholder = used.some((l) => isTemplated(l.field.value))
  // a mapping found by its shape alone (not under an `image` key) must at least name a repository,
  // so that `git: {repository: https://…, tag: v1}` is not taken for an image
  if (!parts.keyed && !placeholder && !isReferenceName(name)) return undefined

  const fields: { -readonly [K in keyof HelmImage['fields']]: ValuesField } = { repository: repository.field }
  if (tag) fields.tag = tag.field
  if (registry) fields.registry = registry.field
  if (digest) fields.digest = digest.field
  const result: { -readonly [K in keyof HelmImage]: HelmImage[K] } = {
    chart,
    chartName: meta.name,
    path,
    image,
    placeholder,
    fields,
    tagSource
  }
  if (tagSource === 'appVersion') result.appVersionField = meta.appVersion
  return result
}

function stringImage(leaf: Leaf, path: string, chart: string, meta: ChartMetadata): HelmImage | undefined {
  if (typeof leaf.data !== 'string' || leaf.data === '') return undefined
  const text = leaf.field.value
  const base = { chart, chartName: meta.name, path, image: text, fields: { whole: leaf.field } }
  if (isTemplated(text)) return { ...base, placeholder: true, tagSource: 'none' }
  try {
    const ref = parseReference(text)
    return { ...base, placeholder: false, tagSource: ref.tag !== undefined || ref.digest !== undefined ? 'values' : 'none' }
  } catch {
    // `image: Always` and other strings that are not references are some other setting
    return undefined
  }
}

function isReferenceName(name: string): boolean {
  try {
    parseReference(name)
    return true
  } catch {
    return false
  }
}

function leafAt(root: MapTree, keys: string[]): Leaf | undefined {
  let node: Tree | undefined = root
  for (const key of keys) node = node?.kind === 'map' ? node.entries.get(key) : undefined
  return node?.kind === 'leaf' ? node : undefined
}

function nonEmpty(leaf: Leaf | undefined): Leaf | undefined {
  return leaf && leaf.data !== null && leaf.field.value !== '' ? leaf : undefined
}

function isEmptyForDefault(data: Leaf['data']): boolean {
  return data === null || data === '' || data === 0 || data === false
}

function isTemplated(text: string): boolean {
  return text.includes('{{')
}

// ---------------------------------------------------------------------------------------------------
// YAML reading, with go-yaml's (YAML 1.1) reading of plain scalars.

/** The first document of a file, ready to read (no reader when the file holds no document). */
interface ReadYaml {
  readonly reader?: NodeReader
  readonly root: Node | null
  readonly positions: PositionMap
}

function readYaml(file: string, text: string, consequence: string, maxAliasExpansions: number): ReadYaml | { problem: ValuesProblem } {
  const parsed = parseManifest(text)
  const positions = parsed.positions
  // Helm reads only the first document of a values file or Chart.yaml (go-yaml's Unmarshal)
  const first = parsed.documents.find((d) => d.index === 0)
  if (!first) {
    const error = firstError(positions.text)
    // an empty file, or one with only comments, has no document: no values
    if (!error) return { root: null, positions }
    return {
      problem: {
        file,
        ...errorPosition(error, positions),
        message: /Maximum call stack size exceeded/.test(error.message)
          ? `This file nests collections deeper than the YAML parser can follow (a thousand levels or so). ${consequence}`
          : `This file is not valid YAML: ${firstLine(error)}. ${consequence}. Fix the syntax at this position.`
      }
    }
  }
  const document: Document.Parsed = first.document
  return { reader: new NodeReader(document, maxAliasExpansions), root: (document.contents as Node | null) ?? null, positions }
}

/** The first syntax error of the first document; parseManifest keeps quiet about files that are not manifests. */
function firstError(text: string): YAMLError | undefined {
  return parseDocuments(text)[0]?.errors[0]
}

function writtenText(scalar: Scalar, positions: PositionMap): string {
  const range = scalarTextRange(scalar, positions.text)
  return positions.text.slice(range.start, range.end)
}

function fieldOf(scalar: Scalar, file: string, positions: PositionMap, value: string): ValuesField {
  const range = scalarTextRange(scalar, positions.text)
  const start = positions.position(range.start)
  const end = positions.position(range.end)
  const written = positions.text.slice(range.start, range.end)
  const field = { file, value, line: start.line, column: start.column, endLine: end.line, endColumn: end.column }
  return written === value || scalar.type !== 'PLAIN' ? field : { ...field, written }
}

/** A scalar as go-yaml v2 (Helm's reader) types it. */
type Resolved =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }

const YAML11_WORDS: ReadonlyMap<string, Resolved> = new Map<string, Resolved>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((w): [string, Resolved] => [w, { kind: 'bool', value: true }]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((w): [string, Resolved] => [w, { kind: 'bool', value: false }]),
  ...['', '~', 'null', 'Null', 'NULL'].map((w): [string, Resolved] => [w, { kind: 'null' }]),
  ...['.nan', '.NaN', '.NAN'].map((w): [string, Resolved] => [w, { kind: 'float', value: Number.NaN }]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((w): [string, Resolved] => [w, { kind: 'float', value: Infinity }]),
  ...['-.inf', '-.Inf', '-.INF'].map((w): [string, Resolved] => [w, { kind: 'float', value: -Infinity }])
])
// strconv.ParseInt(s, 0, 64) after go-yaml drops underscores: 0x, 0o, 0b prefixes and C-style leading-zero octal
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/
// go-yaml v2's yamlStyleFloat
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/

/**
 * Types a scalar as go-yaml v2 does. The yaml package reads YAML 1.2, where `yes` is a string and
 * `0755` is decimal; Helm's reader takes YAML 1.1's view, and an image tag is exactly where the
 * difference shows (`tag: 0123456`, a short git sha, is octal to Helm).
 */
function resolvePlain(scalar: Scalar, written: string): Resolved {
  if (scalar.type !== 'PLAIN' || scalar.tag !== undefined || written.includes('\n')) {
    // quoted, block and explicitly tagged scalars mean the same to both readers
    const v = scalar.value
    if (v === null || v === undefined) return { kind: 'null' }
    if (typeof v === 'string') return { kind: 'string', value: v }
    if (typeof v === 'boolean') return { kind: 'bool', value: v }
    if (typeof v === 'bigint') return { kind: 'int', value: v }
    if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: BigInt(v) } : { kind: 'float', value: v }
    return { kind: 'string', value: String(v) }
  }
  const word = YAML11_WORDS.get(written)
  if (word) return word
  if (/^[-+.0-9]/.test(written)) {
    const plain = written.replace(/_/g, '')
    const int = GO_INT.exec(plain)
    if (int) {
      const body = int[2]!
      const digits = /^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body
      const value = BigInt(digits)
      return { kind: 'int', value: int[1] === '-' ? -value : value }
    }
    if (YAML_FLOAT.test(plain)) {
      const value = Number(plain)
      // Go's ParseFloat refuses out-of-range values; go-yaml then keeps the text
      if (Number.isFinite(value)) return { kind: 'float', value }
    }
  }
  return { kind: 'string', value: written }
}

/** A values scalar as Helm holds it: values pass through JSON, so every number is a float64. */
function helmValue(resolved: Resolved): Leaf['data'] {
  switch (resolved.kind) {
    case 'string':
    case 'bool':
    case 'float':
      return resolved.value
    case 'int':
      return Number(resolved.value)
    case 'null':
      return null
  }
}

/** How `{{ .Values.x }}` prints a value: Go's %v, which writes float64 in %g's shortest form. */
function renderValue(data: string | number | boolean): string {
  if (typeof data === 'string') return data
  if (typeof data === 'boolean') return String(data)
  return goFormatG(data, false)
}

/** Chart.yaml fields are Go strings; sigs.k8s.io/yaml formats numbers into them as written or as float32. */
function chartYamlString(resolved: Resolved): string | undefined {
  switch (resolved.kind) {
    case 'string':
      return resolved.value
    case 'int':
      return resolved.value.toString()
    case 'float':
      return goFormatG(resolved.value, true)
    case 'bool':
      return String(resolved.value)
    case 'null':
      return undefined
  }
}

/**
 * Go's strconv.FormatFloat(v, 'g', -1, bits): the shortest digits that read back as the same
 * float32 or float64, in exponent form when the exponent is below -4 or at least 6 (so the tag
 * 20240101 prints as 2.0240101e+07, which no registry has).
 */
function goFormatG(value: number, float32: boolean): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  const v = float32 ? Math.fround(value) : value
  const sign = v < 0 || Object.is(v, -0) ? '-' : ''
  const abs = Math.abs(v)
  if (abs === 0) return `${sign}0`
  let exponential = abs.toExponential()
  if (float32) {
    for (let p = 1; p <= 9; p++) {
      const candidate = abs.toExponential(p - 1)
      if (Math.fround(Number(candidate)) === abs) {
        exponential = candidate
        break
      }
    }
  }
  const [mantissa, exp] = exponential.split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const exponent = Number(exp)
  if (exponent < -4 || exponent >= 6) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : ''
    const e = Math.abs(exponent).toString().padStart(2, '0')
    return `${sign}${digits[0]}${rest}e${exponent < 0 ? '-' : '+'}${e}`
  }
  const point = exponent + 1
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

// ---------------------------------------------------------------------------------------------------
// Paths.

function normalizeDir(dir: string): string {
  const trimmed = dir.replace(/\\/g, '/').replace(/\/+$/, '').replace(/^\.\//, '')
  return trimmed === '' ? '.' : trimmed
}

function joinPath(dir: string, file: string): string {
  return dir === '.' ? file : `${dir}/${file}`
}
