import type { Finding } from '../findings/finding.js'
import { canonicalReference, repositoryName, type ImageReference } from '../images/reference.js'
import type { Resolution } from '../resolve/outcome.js'
import { makeFinding, type At } from './finding-factory.js'
import { loginHint } from './login-hints.js'
import { suggestTags } from './tag-suggestions.js'

const PULL_FAILS = 'The kubelet would fail the pod with ErrImagePull, then ImagePullBackOff.'

/**
 * The finding for one image written at `at`, given what its registry answered; undefined when
 * it resolved. Each message names the normalized reference, the registry's answer and the fix.
 */
export function registryFinding(reference: ImageReference, resolution: Resolution, at: At): Finding | undefined {
  const image = reference.original
  const name = canonicalReference(reference)
  const repo = repositoryName(reference)
  switch (resolution.kind) {
    case 'resolved':
    case 'repository-exists':
      return undefined
    case 'tag-not-found': {
      const tag = reference.tag ?? 'latest'
      const suggestions = resolution.tags ? suggestTags(tag, resolution.tags) : []
      const guess = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : ''
      const inventory = resolution.tags ? ` (the repository has ${resolution.tags.length} tag${resolution.tags.length === 1 ? '' : 's'})` : ''
      return makeFinding(
        'tag-not-found',
        at,
        `${name}: the tag "${tag}" does not exist in ${repo}${inventory}: ${resolution.said}.${guess} ` +
          `${PULL_FAILS} Use an existing tag, or push this one (it may have been deleted by a retention policy).`,
        image
      )
    }
    case 'digest-not-found':
      return makeFinding(
        'digest-not-found',
        at,
        `${name}: the digest ${reference.digest} does not exist in ${repo}: ${resolution.said}. ${PULL_FAILS} ` +
          'Pin a digest the registry has (e.g. from `crane digest` or `docker buildx imagetools inspect`), or push the image again.',
        image
      )
    case 'repository-not-found':
      return makeFinding(
        'repository-not-found',
        at,
        `${name}: the repository ${repo} does not exist: ${resolution.said}. ${PULL_FAILS} ` +
          'Check the registry host and the repository path for a typo, or push the image.',
        image
      )
    case 'credentials-missing': {
      const why = resolution.maybeMissing
        ? `the repository is private, or it does not exist (${reference.domain} answers both the same way to a client without credentials)`
        : 'the registry requires authentication'
      const helper = resolution.credentialProblem ? ` The configured credential helper did not help: ${resolution.credentialProblem}.` : ''
      return makeFinding(
        'credentials-missing',
        at,
        `${name}: ${reference.domain} refused an anonymous request: ${resolution.said}. So ${why}, and pullgate has no credentials for ${reference.domain}.${helper} ` +
          `To let pullgate check it, ${loginHint(reference.domain)}. The cluster needs its own pull credentials too (imagePullSecrets or a node credential provider).`,
        image
      )
    }
    case 'credentials-rejected': {
      const why = resolution.maybeMissing
        ? 'the credentials are wrong or expired, lack pull permission on this repository, or the repository does not exist'
        : 'the credentials are wrong or expired'
      return makeFinding(
        'credentials-rejected',
        at,
        `${name}: ${reference.domain} refused the credentials from ${resolution.source}: ${resolution.said}. So ${why}. ` +
          `Renew the login (${loginHint(reference.domain)}) and check that this account can pull ${repo}.`,
        image
      )
    }
    case 'rate-limited': {
      const quota = [
        resolution.remaining !== undefined ? `remaining ${resolution.remaining}` : undefined,
        resolution.limit !== undefined ? `limit ${resolution.limit}` : undefined,
        resolution.retryAfter !== undefined ? `retry after ${resolution.retryAfter} s` : undefined
      ].filter(Boolean)
      return makeFinding(
        'rate-limited',
        at,
        `${name}: ${reference.domain} is rate-limiting this runner (toomanyrequests): ${resolution.said}${quota.length > 0 ? ` (${quota.join(', ')})` : ''}, so the image could not be checked. ` +
          `Nodes pulling from the same address can hit the same limit. Authenticate (${loginHint(reference.domain)}), or mirror the image.`,
        image
      )
    }
    case 'unreachable':
      return makeFinding(
        'registry-unreachable',
        at,
        `${name}: could not reach ${reference.domain}: ${resolution.cause}. The image could not be checked. ` +
          'Check the registry address; if it is only reachable from the cluster, run pullgate where it is, or set this rule to off.',
        image
      )
    case 'registry-error':
      return makeFinding(
        'registry-error',
        at,
        `${name}: ${reference.domain} answered in a way that breaks the registry protocol or failed after retries: ${resolution.said}. The image could not be checked; try again later.`,
        image
      )
  }
}
