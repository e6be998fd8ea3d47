import type { Platform } from '../compat/platforms.js'

/** One layer of an image manifest. */
export interface LayerFacts {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
  /** what the first bytes are, read only for layers labelled uncompressed OCI tar */
  readonly magic?: 'gzip' | 'zstd'
}

/** An OCI or Docker v2s2 image manifest (or an artifact wearing one). */
export interface ImageManifestFacts {
  readonly kind: 'image'
  readonly digest: string
  readonly mediaType: string
  readonly configMediaType: string
  readonly artifactType?: string
  readonly layers: readonly LayerFacts[]
  /** from the config blob (single-platform images) or the index entry that led here */
  readonly platform?: Platform
}

export interface Schema1Facts {
  readonly kind: 'schema1'
  readonly digest: string
  readonly mediaType: string
  readonly platform: Platform
}

export interface IndexEntry {
  readonly digest: string
  readonly mediaType: string
  readonly platform?: Platform
  /** BuildKit attestation manifests (`unknown/unknown` + vnd.docker.reference.type): never pulled */
  readonly attestation: boolean
}

export interface IndexFacts {
  readonly kind: 'index'
  readonly digest: string
  readonly mediaType: string
  readonly entries: readonly IndexEntry[]
}

export interface OtherManifestFacts {
  readonly kind: 'artifact-manifest' | 'unknown'
  readonly digest: string
  readonly mediaType: string
}

export type ManifestFacts = ImageManifestFacts | Schema1Facts | IndexFacts | OtherManifestFacts

/** What the registry holds behind one resolved reference, read once per digest. */
export interface ImageFacts {
  readonly top: ManifestFacts
  /** per required platform (formatPlatform), the manifest the runtime would pull, or undefined when none matches */
  readonly chosen: ReadonlyMap<string, ImageManifestFacts | Schema1Facts | OtherManifestFacts | undefined>
  /** the platforms the image offers (attestations left out) */
  readonly available: readonly string[]
}

/** An inspection that could not finish: what the registry did instead (reported as registry-error). */
export class InspectionError extends Error {}
