import type { CompatProblem, RuntimeVerdict } from '../compat/evaluate.js'
import { describeMediaType, layerClass } from '../compat/media-types.js'
import type { Finding } from '../findings/finding.js'
import { canonicalReference, familiarReference, type ImageReference } from '../images/reference.js'
import { makeFinding, type At } from './finding-factory.js'

/** Known artifact config types, for a message that says what the reference really names. */
const ARTIFACTS: Record<string, string> = {
  'application/vnd.cncf.helm.config.v1+json': 'a Helm chart',
  'application/vnd.wasm.config.v0+json': 'a WebAssembly module (runnable only through a wasm shim such as runwasi)',
  'application/vnd.dev.cosign.simplesigning.v1+json': 'a cosign signature',
  'application/vnd.in-toto+json': 'an in-toto attestation',
  'application/vnd.oci.empty.v1+json': 'an OCI artifact with an empty config',
  'application/vnd.docker.plugin.v1+json': 'a Docker plugin',
  'application/vnd.oci.artifact.manifest.v1+json': 'an OCI artifact manifest'
}

/** The finding for one compatibility problem of the image written at `at`. */
export function compatFinding(reference: ImageReference, problem: CompatProblem, at: At): Finding {
  const name = canonicalReference(reference)
  const image = reference.original
  const source = familiarReference(reference)
  switch (problem.rule) {
    case 'not-an-image': {
      const what = ARTIFACTS[problem.artifactType ?? ''] ?? ARTIFACTS[problem.configMediaType] ?? 'an OCI artifact, not a container image'
      return makeFinding(
        'not-an-image',
        at,
        `${name} is ${what} (config media type ${problem.configMediaType}${problem.artifactType ? `, artifactType ${problem.artifactType}` : ''}), not a runnable image. ` +
          `${runtimeErrors(problem.errors)} Reference the container image itself, not the chart, signature or SBOM stored beside it.`,
        image
      )
    }
    case 'platform-missing': {
      const has = problem.available.length > 0 ? problem.available.join(', ') : 'no platform it declares'
      const failure = problem.singlePlatform
        ? 'It is a single-platform image: pods there would start and die with "exec format error".'
        : 'The kubelet would fail with "no match for platform in manifest: not found".'
      return makeFinding(
        'platform-missing',
        at,
        `${name} has no image for ${problem.missing.join(', ')} (it has: ${has}). ${failure} ` +
          `Build and push it for every node platform (\`docker buildx build --platform ${[...new Set([...problem.missing, ...problem.available.filter((p) => p !== 'any platform')])].join(',')} --push …\`), ` +
          'or set `platforms` to the platforms your nodes really have.',
        image
      )
    }
    case 'media-type-incompatible': {
      const finding = makeFinding('media-type-incompatible', at, mediaTypeMessage(name, source, problem), image)
      return problem.level === 'warn' ? { ...finding, severity: 'warning' } : finding
    }
  }
}

function mediaTypeMessage(name: string, source: string, problem: Extract<CompatProblem, { rule: 'media-type-incompatible' }>): string {
  const who = problem.verdicts.map((v) => v.runtime.label).join(', ')
  const errors = runtimeErrors(problem.verdicts)
  if (problem.part === 'manifest') {
    const cannot = problem.level === 'fail' ? 'cannot pull it' : 'pulls it only with a deprecation warning'
    return (
      `${name} is stored as ${article(describeMediaType(problem.mediaType))}; ${who} ${cannot}. ${errors} ` +
      `Re-push it as Docker v2 schema 2 (\`skopeo copy --all --format v2s2 docker://${source} docker://${source}\`, or \`podman push --format v2s2 …\`; ` +
      'with BuildKit: `docker buildx build --output type=image,oci-mediatypes=false,push=true …`), or upgrade the nodes\' runtime.'
    )
  }
  const layer = problem.magic
    ? `a layer labelled uncompressed (${problem.mediaType}) whose bytes are ${problem.magic}-compressed`
    : `layers of type ${problem.mediaType}`
  const fix =
    problem.magic !== undefined
      ? `Re-push it so the layer is labelled for what it is: \`skopeo copy --format v2s2 docker://${source} docker://${source}\` (or \`podman push --format v2s2 …\`); the builder that wrote the label has a bug.`
      : layerClass(problem.mediaType) === 'zstd' || layerClass(problem.mediaType) === 'docker-zstd'
        ? `Re-push it with gzip layers: \`skopeo copy --dest-compress-format gzip docker://${source} docker://${source}\`, \`podman push --compression-format gzip …\`, or \`docker buildx build --output type=image,compression=gzip,force-compression=true,push=true …\`.`
        : 'Re-push it with standard gzip layers (`skopeo copy --format v2s2 …`).'
  const verb = problem.level === 'fail' ? 'cannot apply them' : 'apply them only with a caveat'
  return `${name} has ${layer}; ${who} ${verb}. ${errors} ${fix}`
}

function article(text: string): string {
  return `${/^[aeiouAEIO]/.test(text) ? 'an' : 'a'} ${text}`
}

function runtimeErrors(verdicts: readonly RuntimeVerdict[]): string {
  const byError = new Map<string, string[]>()
  for (const v of verdicts) {
    const list = byError.get(v.support.error) ?? []
    list.push(v.runtime.label)
    byError.set(v.support.error, list)
  }
  return [...byError].map(([error, labels]) => `${labels.join(', ')}: "${error}".`).join(' ')
}

/** `digest-mismatch`: the tag written beside a digest now points elsewhere; only the digest is pulled. */
export function digestMismatchFinding(reference: ImageReference, tagDigest: string, at: At): Finding {
  return makeFinding(
    'digest-mismatch',
    at,
    `${canonicalReference(reference)}: the tag "${reference.tag}" now points to ${tagDigest}, not to the pinned ${reference.digest}. ` +
      'The kubelet pulls the digest and ignores the tag, so the tag in this manifest is misleading. ' +
      `Update the pin (${familiarReference({ ...reference, digest: undefined })}@${tagDigest}) or the tag, whichever was meant.`,
    reference.original
  )
}
