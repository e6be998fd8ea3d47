import type { Finding } from '../findings/finding.js'
import { canonicalReference, effectiveTag, familiarReference, type ImageReference } from '../images/reference.js'
import { makeFinding, type At } from './finding-factory.js'

/**
 * `mutable-tag`: no tag (which means `latest`) or `:latest`, without a digest. The same manifest
 * can then run a different image tomorrow, and the kubelet defaults such containers to
 * `imagePullPolicy: Always`, so every pod start depends on the registry being up.
 */
export function checkMutableTag(reference: ImageReference, at: At, pullPolicy?: string, digest?: string): Finding | undefined {
  if (reference.digest || effectiveTag(reference) !== 'latest') return undefined
  const written = reference.original
  const how = reference.tag === undefined ? `has no tag, so it means ${canonicalReference(reference)}` : `uses the mutable tag "latest" (${canonicalReference(reference)})`
  return makeFinding(
    'mutable-tag',
    at,
    `${JSON.stringify(written)} ${how}: the image behind it can change without any change to this manifest, ` +
      `${pullConsequence(pullPolicy)} ` +
      (digest
        ? `Pin it: ${familiarReference({ ...reference, tag: undefined, digest: undefined })}@${digest} is what it points to now.`
        : `Pin a version tag, or a digest: ${familiarReference({ ...reference, tag: undefined, digest: undefined })}@sha256:<digest>.`),
    written
  )
}

function pullConsequence(pullPolicy: string | undefined): string {
  if (pullPolicy === 'IfNotPresent' || pullPolicy === 'Never') {
    return `and with imagePullPolicy ${pullPolicy} each node keeps whichever version it pulled first, so pods on different nodes can run different images.`
  }
  return 'and the kubelet pulls it again on every pod start (imagePullPolicy defaults to Always for latest), so each start depends on the registry.'
}
