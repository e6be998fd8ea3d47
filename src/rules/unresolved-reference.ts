import type { Finding } from '../findings/finding.js'
import { makeFinding, type At } from './finding-factory.js'
import { findPlaceholder } from './placeholders.js'

/**
 * `unresolved-reference`: an image that still holds a template placeholder cannot be resolved
 * against any registry; say so instead of guessing (warning, not error: the rendered value may be fine).
 */
export function checkUnresolvedReference(image: string, at: At, field = 'image'): Finding | undefined {
  const placeholder = findPlaceholder(image)
  if (!placeholder) return undefined
  return makeFinding(
    'unresolved-reference',
    at,
    `${field} ${quote(image)} contains ${placeholder.tool} (${quote(placeholder.text)}), so pullgate cannot tell which image will run. ` +
      'Check the rendered manifests instead (e.g. `helm template`, `kustomize build`, `ko resolve` or `envsubst` output), ' +
      'or suppress this warning if another step verifies the image.',
    image
  )
}

function quote(text: string): string {
  return `"${text.length > 200 ? `${text.slice(0, 200)}…` : text}"`
}
