import type { Finding } from '../findings/finding.js'
import { canonicalReference, repositoryName } from '../images/reference.js'
import type { ScannedImage, ScanResult } from '../engine/scan.js'
import { compareText } from '../findings/finding.js'
import type { ImageFacts } from '../inspect/facts.js'

/** Version of the JSON report's shape; bumped only on a breaking change. */
export const REPORT_VERSION = 1

/** The public JSON report (`--format json`, the action's `report` output). */
export interface JsonReport {
  readonly version: number
  readonly tool: { readonly name: 'pullgate'; readonly version: string }
  readonly mode: ScanResult['mode']
  readonly findings: ReadonlyArray<{
    rule: string
    severity: Finding['severity']
    file: string
    line: number
    column: number
    endLine: number
    endColumn: number
    image?: string
    message: string
  }>
  readonly images: readonly ReportImage[]
  /** findings a `# pullgate-ignore:` comment or an `ignore` glob suppressed, with what suppressed them */
  readonly suppressed: ReadonlyArray<JsonReport['findings'][number] & { suppressedBy: string }>
  readonly summary: ReportSummary
}

/** One distinct image string of the report, with what the registry said about it and where it is used. */
export interface ReportImage {
  image: string
  /** the fully qualified reference (registry/repository:tag[@digest]), null when the image is not a valid reference */
  reference: string | null
  /** what the registry resolved it to (absent offline or when it could not be resolved) */
  digest?: string
  mediaType?: string
  /** the platforms it offers (os/arch[/variant]) */
  platforms?: string[]
  /** compressed bytes a node of the first checked platform pulls (the layers) */
  size?: number
  locations: Array<{ file: string; line: number; column: number }>
}

/** Counts shown in every format. */
export interface ReportSummary {
  readonly files: number
  readonly manifests: number
  readonly documents: number
  /** image references found (every place an image is written) */
  readonly references: number
  readonly uniqueImages: number
  readonly errors: number
  readonly warnings: number
  readonly notices: number
  readonly suppressed: number
}

/** Builds the public report from a scan. */
export function buildJsonReport(result: ScanResult, toolVersion: string): JsonReport {
  const images = groupImages(result.images)
  return {
    version: REPORT_VERSION,
    tool: { name: 'pullgate', version: toolVersion },
    mode: result.mode,
    findings: result.findings.map(findingJson),
    images,
    suppressed: result.suppressed.map((f) => ({ ...findingJson(f), suppressedBy: f.suppressedBy })),
    summary: summarize(result, images.length)
  }
}

function findingJson(f: Finding): JsonReport['findings'][number] {
  return {
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    ...(f.image === undefined ? {} : { image: f.image }),
    message: f.message
  }
}

/** The counts of a scan. */
export function summarize(result: ScanResult, uniqueImages = groupImages(result.images).length): ReportSummary {
  const count = (severity: Finding['severity']) => result.findings.filter((f) => f.severity === severity).length
  return {
    files: result.stats.files,
    manifests: result.stats.manifests,
    documents: result.stats.documents,
    references: result.images.length,
    uniqueImages,
    errors: count('error'),
    warnings: count('warning'),
    notices: count('notice'),
    suppressed: result.suppressed.length
  }
}

/** One row per distinct image string, with every place it is written, in file order. */
export function groupImages(images: readonly ScannedImage[]): JsonReport['images'] {
  const byImage = new Map<string, ReportImage>()
  for (const scanned of images) {
    let row = byImage.get(scanned.image)
    if (!row) {
      const resolved = scanned.resolution?.kind === 'resolved' ? scanned.resolution : undefined
      row = {
        image: scanned.image,
        reference: referenceText(scanned),
        ...(resolved ? { digest: resolved.digest, mediaType: resolved.mediaType, ...pulledFacts(resolved.facts) } : {}),
        locations: []
      }
      byImage.set(scanned.image, row)
    } else if (row.digest === undefined && scanned.resolution?.kind === 'resolved') {
      // the same image written again (e.g. an overlay's entry and the rendered container): keep what resolved
      Object.assign(row, { digest: scanned.resolution.digest, mediaType: scanned.resolution.mediaType, ...pulledFacts(scanned.resolution.facts) })
    }
    const { file, line, column } = scanned.occurrence
    row.locations.push({ file, line, column })
  }
  return [...byImage.values()].sort((a, b) => compareText(a.image, b.image))
}

function referenceText(scanned: ScannedImage): string | null {
  if (!scanned.reference) return null
  return scanned.tagKnown ? canonicalReference(scanned.reference) : repositoryName(scanned.reference)
}

/** The `images` output: each resolved reference and the digest it points to now. */
export function imageDigests(report: JsonReport): Record<string, string> {
  const digests: Record<string, string> = {}
  for (const row of report.images) if (row.reference && row.digest) digests[row.reference] = row.digest
  return digests
}

/** Platforms offered and bytes pulled, when the image was inspected. */
function pulledFacts(facts: ImageFacts | undefined): { platforms?: string[]; size?: number } {
  if (!facts) return {}
  const first = [...facts.chosen.values()][0]
  const size = first?.kind === 'image' ? first.layers.reduce((sum, l) => sum + l.size, 0) : undefined
  return { platforms: [...facts.available], ...(size === undefined ? {} : { size }) }
}
