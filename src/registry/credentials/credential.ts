/** What pullgate may present to one registry. Every secret field is registered for masking before use. */
export interface Credential {
  /** where it came from, for messages: never the secret itself */
  readonly source: string
  readonly username?: string
  readonly password?: string
  /** an OAuth2 refresh token (`identitytoken` in config.json, `<token>` user from a helper) */
  readonly identityToken?: string
  /** a bearer token sent to the registry as is (`registrytoken` in config.json) */
  readonly registryToken?: string
}

/** The answer of a credential lookup: a credential, nothing, or a problem worth telling the user. */
export interface CredentialLookup {
  readonly credential?: Credential
  /** e.g. "docker-credential-ecr-login failed: …"; no secret in it */
  readonly problem?: string
}

/** Called with every secret as soon as it is known, so the action can mask it before any log line. */
export type SecretSink = (secret: string) => void

/** The hostname form Docker keys credentials by (ConvertToHostname): no scheme, no path; Docker Hub's aliases folded. */
export function credentialHost(keyOrUrl: string): string {
  let host = keyOrUrl.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  host = host.split('/')[0]!.toLowerCase()
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'])

/** The server URL credential helpers and `docker login` use for a registry host. */
export function helperServerUrl(host: string): string {
  return host === 'docker.io' ? 'https://index.docker.io/v1/' : host
}

/** Registers a credential's secrets (and the base64 `user:pass` built from them) with the sink. */
export function registerSecrets(credential: Credential, sink: SecretSink): void {
  for (const secret of [credential.password, credential.identityToken, credential.registryToken]) {
    if (secret) sink(secret)
  }
  if (credential.username !== undefined && credential.password) sink(basicToken(credential.username, credential.password))
}

/** The base64 `user:password` of HTTP Basic authentication (what an `Authorization: Basic` header carries). */
export function basicToken(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64')
}
