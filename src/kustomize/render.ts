import type { Span } from '../findings/finding.js'
import { ImageExtractor, type ImageOccurrence } from '../manifests/extract.js'
import type { KustomizeField, KustomizeImageEntry } from '../manifests/kustomize.js'
import { NodeReader } from '../manifests/yaml-nodes.js'
import { isScalar } from 'yaml'
import { isRemote, joinRef, type Kustomization, type KustomizeFiles, type PatchRef } from './load.js'

/** An image as a kustomization will deploy it: where it is written, what it becomes, and what decided that. */
export interface ImageUse {
  readonly occurrence: ImageOccurrence
  /** after every transformer of the kustomizations on the way */
  readonly image: string
  /** after `namespace:` transformers */
  readonly namespace?: string
  /** the last field that changed the image (an `images:` entry's newName/newTag/digest, or a patch's image) */
  readonly decidedBy?: { readonly file: string; readonly span: Span; readonly kustomization: string }
  /** the `images:` entries that touched it */
  readonly entries: readonly KustomizeImageEntry[]
}

/** What cannot be followed: a remote resource, a missing path, a cycle. */
export interface RenderProblem {
  readonly file: string
  readonly span: Span
  readonly message: string
}

export interface Rendering {
  readonly uses: ImageUse[]
  /** resource files reached: they are checked through this kustomization, not on their own */
  readonly files: Set<string>
  /** kustomizations reached (the root's bases and components) */
  readonly kustomizations: Set<string>
  readonly problems: RenderProblem[]
}

/**
 * Renders the images of one kustomization natively, as `kustomize build` would set them:
 * resources (files, and folders with their own kustomization, recursively), components,
 * strategic-merge and JSON 6902 patches that set `image`, the `namespace:` transformer, and the
 * `images:` transformer (matched by name, with or without tag or digest; `newName`, `newTag`,
 * `digest`; a new tag or digest replaces both the old tag and digest, as kustomize's image updater
 * does), each level applied to what its resources produced, so later overlays win.
 */
export function renderKustomization(files: KustomizeFiles, file: string): Rendering {
  const rendering: Rendering = { uses: [], files: new Set(), kustomizations: new Set([file]), problems: [] }
  const k = files.kustomization(file)
  if (k) rendering.uses.push(...render(files, k, [file], rendering))
  return rendering
}

function render(files: KustomizeFiles, k: Kustomization, stack: string[], out: Rendering, inherited: ImageUse[] = []): ImageUse[] {
  let uses: ImageUse[] = [...inherited]
  for (const ref of k.resources) uses.push(...resource(files, k, ref, stack, out))
  for (const ref of k.components) {
    const target = joinRef(k.dir, ref.value)
    const component = target === undefined ? undefined : files.kustomizationIn(target)
    const ck = component ? files.kustomization(component) : undefined
    if (!ck || !component) {
      out.problems.push({ file: k.file, span: ref, message: `the component ${ref.value} has no kustomization here, so its changes to images are not applied` })
      continue
    }
    if (stack.includes(component)) continue
    out.kustomizations.add(component)
    // a component's transformers act on everything its parent accumulated so far
    uses = render(files, ck, [...stack, component], out, uses)
  }
  uses = applyPatches(files, k, uses, out)
  if (k.namespace) uses = uses.map((u) => ({ ...u, namespace: k.namespace }))
  for (const entry of k.images) uses = uses.map((u) => applyImageEntry(u, entry, k.file))
  return uses
}

function resource(files: KustomizeFiles, k: Kustomization, ref: { value: string } & Span, stack: string[], out: Rendering): ImageUse[] {
  if (isRemote(ref.value)) {
    out.problems.push({ file: k.file, span: ref, message: `the remote resource ${ref.value} is not fetched, so the images it brings are not checked` })
    return []
  }
  const target = joinRef(k.dir, ref.value)
  if (target === undefined || !files.exists(target)) {
    out.problems.push({ file: k.file, span: ref, message: `the resource ${ref.value} is not in the repository, so the images it brings are not checked` })
    return []
  }
  if (files.isDirectory(target)) {
    const child = files.kustomizationIn(target)
    const ck = child ? files.kustomization(child) : undefined
    if (!child || !ck) {
      out.problems.push({ file: k.file, span: ref, message: `the folder ${ref.value} has no kustomization, so kustomize cannot build it` })
      return []
    }
    if (stack.includes(child)) {
      out.problems.push({ file: k.file, span: ref, message: `the resource ${ref.value} leads back to ${stack[0]}: a cycle kustomize refuses` })
      return []
    }
    out.kustomizations.add(child)
    return render(files, ck, [...stack, child], out)
  }
  out.files.add(target)
  return files.imagesOf(target).map((occurrence) => ({ occurrence, image: occurrence.image, namespace: occurrence.namespace, entries: [] }))
}

/** `name[:tag][@digest]` split as kustomize's image.Split does (a registry port is not a tag). */
function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@')
  const digest = at === -1 ? undefined : image.slice(at + 1)
  const rest = at === -1 ? image : image.slice(0, at)
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest }
  return { name: rest, digest }
}

/**
 * kustomize's IsImageMatched: the entry's name, then nothing, a tag, or a sha256 digest — not
 * both (kustomize's pattern allows one or the other, so `app:1.0@sha256:…` is left alone).
 * kustomize compiles the name into a regular expression unescaped; pullgate matches it literally.
 */
function imageMatches(image: string, name: string): boolean {
  return image.startsWith(name) && /^(@sha256:[0-9a-f]{64}|:\w[\w.-]{0,127})?$/.test(image.slice(name.length))
}

function applyImageEntry(use: ImageUse, entry: KustomizeImageEntry, kustomization: string): ImageUse {
  if (!imageMatches(use.image, entry.name)) return use
  const { name, tag, digest } = splitImage(use.image)
  let newName = name
  let newTag = tag
  let newDigest = digest
  if (entry.newName) newName = entry.newName.value
  // a new tag or digest replaces both parts, as kustomize does: the one not given is dropped
  if (entry.newTag || entry.digest) {
    newTag = entry.newTag?.value
    newDigest = entry.digest?.value
  }
  const image = `${newName}${newTag ? `:${newTag}` : ''}${newDigest ? `@${newDigest}` : ''}`
  const deciding: KustomizeField | undefined = entry.digest ?? entry.newTag ?? entry.newName
  const changed = image !== use.image
  return {
    ...use,
    image,
    entries: [...use.entries, entry],
    decidedBy: changed && deciding ? { file: entry.file, span: deciding, kustomization } : use.decidedBy
  }
}

/** Strategic-merge patches that set a container's image, and JSON 6902 `replace`/`add` ops on an `/image` path. */
function applyPatches(files: KustomizeFiles, k: Kustomization, uses: ImageUse[], out: Rendering): ImageUse[] {
  let result = uses
  for (const patch of k.patches) {
    const source = patchSource(files, k, patch, out)
    if (!source) continue
    for (const { index, document } of source.parsed.docs) {
      const root = document.contents
      const reader = new NodeReader(document, files.maxAliasExpansions)
      const ops = reader.seq(root)
      if (ops) {
        for (const op of ops.items) {
          const kind = reader.string(op, 'op')
          const at = reader.string(op, 'path')
          const value = reader.get(op, 'value')
          if ((kind !== 'replace' && kind !== 'add') || !at?.endsWith('/image') || !isScalar(value) || typeof value.value !== 'string') continue
          const dotted = at.slice(1).split('/').map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[')
          const pos = source.parsed.positions.position(value.range?.[0] ?? 0)
          const span = source.file === k.file ? patch : { line: pos.line, column: pos.column, endLine: pos.line, endColumn: pos.column + value.value.length }
          result = result.map((u) =>
            matchesTarget(u, patch.target) && u.occurrence.path.replace(/^items\[\d+\]\./, '') === dotted
              ? { ...u, image: value.value as string, decidedBy: { file: source.file, span, kustomization: k.file } }
              : u
          )
        }
        continue
      }
      const patchImages = new ImageExtractor(source.file, index, document, source.parsed.positions, { maxAliasExpansions: files.maxAliasExpansions }).extract().images
      for (const p of patchImages) {
        const span = source.file === k.file ? patch : p
        result = result.map((u) =>
          u.occurrence.kind === p.kind && u.occurrence.objectName === p.objectName && u.occurrence.container === p.container && u.occurrence.list === p.list
            ? { ...u, image: p.image, decidedBy: { file: source.file, span, kustomization: k.file } }
            : u
        )
      }
    }
  }
  return result
}

function patchSource(files: KustomizeFiles, k: Kustomization, patch: PatchRef, out: Rendering) {
  if (patch.path) {
    const file = joinRef(k.dir, patch.path)
    const parsed = file === undefined ? undefined : files.parsed(file)
    if (!file || !parsed) {
      out.problems.push({ file: k.file, span: patch, message: `the patch ${patch.path} is not in the repository, so the images it sets are not checked` })
      return undefined
    }
    out.files.add(file)
    return { file, parsed }
  }
  if (patch.inline) {
    // an inline patch is checked at its entry in the kustomization
    const parsed = files.parsedText(`${k.file}#inline-${patch.line}`, patch.inline)
    return parsed ? { file: k.file, parsed } : undefined
  }
  return undefined
}

function matchesTarget(use: ImageUse, target: PatchRef['target']): boolean {
  if (!target) return true
  return (!target.kind || target.kind === use.occurrence.kind) && (!target.name || target.name === use.occurrence.objectName)
}
