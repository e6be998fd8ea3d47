import type { ImageFacts, ImageManifestFacts, ManifestFacts, OtherManifestFacts, Schema1Facts } from '../inspect/facts.js'
import { isImageConfig, layerClass } from './media-types.js'
import { compatiblePlatforms, formatPlatform, type Platform } from './platforms.js'
import type { Runtime } from './runtimes.js'
import { artifactError, layerSupport, manifestSupport, type Support } from './table.js'

/** One runtime's refusal (or caveat) of one media type. */
export interface RuntimeVerdict {
  readonly runtime: Runtime
  readonly support: Exclude<Support, { level: 'ok' }>
}

/** What stops (or troubles) a runtime from running an image, one entry per root cause. */
export type CompatProblem =
  | { readonly rule: 'not-an-image'; readonly configMediaType: string; readonly artifactType?: string; readonly errors: readonly RuntimeVerdict[] }
  | {
      readonly rule: 'media-type-incompatible'
      readonly level: 'fail' | 'warn'
      readonly part: 'manifest' | 'layer'
      readonly mediaType: string
      /** a layer labelled uncompressed whose bytes are compressed */
      readonly magic?: 'gzip' | 'zstd'
      readonly verdicts: readonly RuntimeVerdict[]
    }
  | { readonly rule: 'platform-missing'; readonly missing: readonly string[]; readonly available: readonly string[]; readonly singlePlatform: boolean }

/**
 * Checks what the registry holds against every runtime and platform the nodes have. One problem
 * per root cause: an artifact is only `not-an-image`; a manifest no runtime can read gets no
 * platform or layer problem on top.
 */
export function evaluateCompatibility(facts: ImageFacts, runtimes: readonly Runtime[], platforms: readonly Platform[]): CompatProblem[] {
  const pulled = [...new Set([...facts.chosen.values()].filter((m): m is ImageManifestFacts | Schema1Facts | OtherManifestFacts => m !== undefined))]
  const artifact = [facts.top, ...pulled].find(isArtifact)
  if (artifact) {
    const configMediaType = artifact.kind === 'image' ? artifact.configMediaType : artifact.mediaType
    return [
      {
        rule: 'not-an-image',
        configMediaType,
        artifactType: artifact.kind === 'image' ? artifact.artifactType : undefined,
        errors: runtimes.map((runtime) => ({ runtime, support: { level: 'fail', error: artifactError(runtime, configMediaType), source: '' } }))
      }
    ]
  }
  const problems: CompatProblem[] = []
  for (const manifest of [facts.top, ...pulled.filter((m) => m !== facts.top)]) {
    const verdicts = refusals(runtimes, (r) => manifestSupport(r, manifest.mediaType))
    const failing = verdicts.filter((v) => v.support.level === 'fail')
    if (failing.length > 0) return [{ rule: 'media-type-incompatible', level: 'fail', part: 'manifest', mediaType: manifest.mediaType, verdicts: failing }]
    if (verdicts.length > 0) problems.push({ rule: 'media-type-incompatible', level: 'warn', part: 'manifest', mediaType: manifest.mediaType, verdicts })
  }
  const missing = platformsMissing(facts, platforms)
  if (missing.length > 0) problems.push({ rule: 'platform-missing', missing, available: facts.available, singlePlatform: facts.top.kind !== 'index' })
  const seen = new Set<string>()
  for (const manifest of pulled) {
    if (manifest.kind !== 'image') continue
    for (const layer of manifest.layers) {
      const key = `${layer.mediaType}|${layer.magic ?? ''}`
      if (seen.has(key)) continue
      seen.add(key)
      const verdicts = refusals(runtimes, (r) => layerSupport(r, layerClass(layer.mediaType), layer.magic, layer.mediaType))
      if (verdicts.length === 0) continue
      const level = verdicts.some((v) => v.support.level === 'fail') ? 'fail' : 'warn'
      problems.push({
        rule: 'media-type-incompatible',
        level,
        part: 'layer',
        mediaType: layer.mediaType,
        magic: layer.magic,
        verdicts: level === 'fail' ? verdicts.filter((v) => v.support.level === 'fail') : verdicts
      })
    }
  }
  return problems
}

function isArtifact(m: ManifestFacts): boolean {
  if (m.kind === 'artifact-manifest') return true
  // an image manifest carrying anything but an image config is an artifact (Helm chart, signature, SBOM, wasm …)
  return m.kind === 'image' && (!isImageConfig(m.configMediaType) || (m.artifactType !== undefined && m.artifactType !== ''))
}

function refusals(runtimes: readonly Runtime[], check: (r: Runtime) => Support): RuntimeVerdict[] {
  const result: RuntimeVerdict[] = []
  for (const runtime of runtimes) {
    const support = check(runtime)
    if (support.level !== 'ok') result.push({ runtime, support })
  }
  return result
}

/** Required platforms no manifest serves: an index without a matching entry, or a single-platform image built for another. */
function platformsMissing(facts: ImageFacts, platforms: readonly Platform[]): string[] {
  const missing: string[] = []
  for (const wanted of platforms) {
    const key = formatPlatform(wanted)
    const chosen = facts.chosen.get(key)
    if (chosen === undefined) {
      missing.push(key)
      continue
    }
    if (facts.top.kind === 'index') continue
    const own = chosen.kind === 'image' || chosen.kind === 'schema1' ? chosen.platform : undefined
    // a config that does not say its platform cannot be held against it
    if (own && own.architecture && !compatiblePlatforms(wanted).some((p) => formatPlatform(p) === formatPlatform(own))) missing.push(key)
  }
  return missing
}
