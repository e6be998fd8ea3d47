import type { Finding } from '../findings/finding.js'
import type { ImageReference } from '../images/reference.js'
import type { ImageOccurrence } from '../manifests/extract.js'
import type { KustomizeField, KustomizeImageEntry } from '../manifests/kustomize.js'
import type { At } from './finding-factory.js'
import { parseImage } from './invalid-reference.js'
import { checkMutableTag } from './mutable-tag.js'
import { checkUnresolvedReference } from './unresolved-reference.js'

/** The offline verdict on one image: its parsed reference (when it has one) and its findings. */
export interface ImageVerdict {
  readonly reference?: ImageReference
  /** unresolved-reference or invalid-reference: at most one, the root cause */
  readonly findings: Finding[]
  /** where a mutable-tag finding goes, if the reference turns out mutable; decided with the digest in hand (see mutableTagFinding) */
  readonly mutable?: { readonly at: At; readonly pullPolicy?: string }
}

/**
 * Applies the rules that need no network to one container image, one finding per root cause:
 * a placeholder is only `unresolved-reference` (it is not also invalid), an unparsable string is
 * only `invalid-reference`, and `mutable-tag` applies to valid references only.
 */
export function checkOccurrence(occurrence: ImageOccurrence): ImageVerdict {
  const unresolved = occurrence.isString ? checkUnresolvedReference(occurrence.image, occurrence) : undefined
  if (unresolved) return { findings: [unresolved] }
  const parsed = parseImage(occurrence.image, occurrence.isString, occurrence)
  if (!parsed.reference) return { findings: [parsed.finding] }
  // Flux's ImageRepository names a repository whose tags it scans: no tag is pulled, none is mutable
  const mutable = occurrence.purpose === 'pull' ? { at: occurrence, pullPolicy: occurrence.imagePullPolicy } : undefined
  return { reference: parsed.reference, findings: [], mutable }
}

/** The mutable-tag finding of a verdict, offering the digest to pin to when the registry gave one. */
export function mutableTagFinding(verdict: ImageVerdict, digest?: string): Finding | undefined {
  if (!verdict.reference || !verdict.mutable) return undefined
  return checkMutableTag(verdict.reference, verdict.mutable.at, verdict.mutable.pullPolicy, digest)
}

/**
 * Applies the offline rules to a kustomization `images:` entry, each finding on the line that
 * sets the faulty part (`newName`, `newTag` or `digest`). Without `newTag` or `digest` the tag
 * comes from the base manifest, so the entry alone says nothing about mutability.
 */
export function checkKustomizeEntry(entry: KustomizeImageEntry): ImageVerdict {
  const nameField: KustomizeField = entry.newName ?? { ...entry, value: entry.name }
  const at = (field: KustomizeField) => ({ ...field, file: entry.file })
  for (const field of [nameField, entry.newTag, entry.digest]) {
    const unresolved = field && checkUnresolvedReference(field.value, at(field), fieldName(entry, field))
    if (unresolved) return { findings: [unresolved] }
  }
  const name = parseImage(nameField.value, true, at(nameField))
  if (!name.reference) return { findings: [name.finding] }
  let composed = nameField.value
  for (const [field, separator] of [[entry.newTag, ':'], [entry.digest, '@']] as const) {
    if (!field) continue
    const next = parseImage(`${composed}${separator}${field.value}`, true, at(field))
    if (!next.reference) return { findings: [next.finding] }
    composed = `${composed}${separator}${field.value}`
  }
  const reference = parseImage(composed, true, at(nameField)).reference!
  const tagField = entry.newTag
  return { reference, findings: [], mutable: tagField && !entry.digest ? { at: at(tagField) } : undefined }
}

function fieldName(entry: KustomizeImageEntry, field: KustomizeField): string {
  if (field === entry.newTag) return 'newTag'
  if (field === entry.digest) return 'digest'
  return entry.newName ? 'newName' : 'name'
}
