import type { ImageFacts } from '../inspect/facts.js'

/** What the registry established about one unique image reference. */
export type Resolution =
  | {
      readonly kind: 'resolved'
      readonly digest: string
      readonly mediaType: string
      /** what a runtime would pull, when the image was inspected */
      readonly facts?: ImageFacts
      /** why it could not be inspected (reported as registry-error) */
      readonly inspectionError?: string
      /** private: credentials were needed (an anonymous client is refused); public: they were not */
      readonly access?: 'private' | 'public'
    }
  /** a Flux ImageRepository's repository: it exists and its tags can be listed */
  | { readonly kind: 'repository-exists' }
  | { readonly kind: 'tag-not-found'; readonly said: string; readonly tags?: readonly string[] }
  | { readonly kind: 'repository-not-found'; readonly said: string }
  | { readonly kind: 'digest-not-found'; readonly said: string }
  | {
      readonly kind: 'credentials-missing'
      readonly said: string
      /** the registry cannot tell a private repository from a missing one to an anonymous client */
      readonly maybeMissing: boolean
      /** a credential helper that failed, or similar */
      readonly credentialProblem?: string
    }
  | { readonly kind: 'credentials-rejected'; readonly said: string; readonly source: string; readonly maybeMissing: boolean }
  | { readonly kind: 'rate-limited'; readonly said: string; readonly remaining?: string; readonly limit?: string; readonly retryAfter?: string }
  | { readonly kind: 'unreachable'; readonly cause: string }
  | { readonly kind: 'registry-error'; readonly said: string }

/** One image to resolve: a registry, a repository and a tag or digest. */
export interface Target {
  /** dedup key: `registry/repository@digest` or `registry/repository:tag` */
  readonly key: string
  readonly registry: string
  readonly repository: string
  /** a tag, or a digest when one is written (the runtime pulls the digest and ignores the tag) */
  readonly reference: string
  readonly purpose: 'pull' | 'repository'
  /** false: resolve only (a tag compared with a pinned digest); default: inspect what would be pulled */
  readonly inspect?: boolean
}
