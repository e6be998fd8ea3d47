import { readDockerConfig, type DockerConfig } from './docker-config.js'
import { credentialsFromHelper } from './helper.js'
import { registerSecrets, type Credential, type CredentialLookup, type SecretSink } from './credential.js'

/** Where credentials come from, in the order Docker itself uses, plus the workflow's GITHUB_TOKEN for ghcr.io. */
export interface KeychainOptions {
  /** the Docker config file to read (see dockerConfigPath) */
  readonly dockerConfigFile?: string
  /** the `github-token` input: authenticates ghcr.io when nothing else does */
  readonly githubToken?: string
  /** the user name to pair with the GitHub token (GitHub ignores it, but Basic needs one) */
  readonly githubActor?: string
  readonly onSecret: SecretSink
}

/**
 * Finds the credential for a registry host: the Docker config's `credHelpers` entry, else its
 * `credsStore`, else its `auths` entry (docker/cli's order), else `github-token` for ghcr.io.
 * Each host is looked up once per run; every secret found is registered for masking at once.
 */
export class Keychain {
  private readonly cache = new Map<string, Promise<CredentialLookup>>()
  private readonly config: DockerConfig | undefined

  constructor(private readonly options: KeychainOptions) {
    if (options.githubToken) options.onSecret(options.githubToken)
    this.config = readDockerConfig(options.dockerConfigFile)
  }

  /** The credential for `host` (`docker.io`, `ghcr.io`, `127.0.0.1:5000`, …). */
  lookup(host: string): Promise<CredentialLookup> {
    let found = this.cache.get(host)
    if (!found) {
      found = this.find(host).then((result) => {
        if (result.credential) registerSecrets(result.credential, this.options.onSecret)
        return result
      })
      this.cache.set(host, found)
    }
    return found
  }

  private async find(host: string): Promise<CredentialLookup> {
    const config = this.config
    const helper = config?.credHelpers.get(host) ?? config?.credsStore
    let problem: string | undefined
    if (helper) {
      const fromHelper = await credentialsFromHelper(helper, host)
      if (fromHelper.credential) return fromHelper
      problem = fromHelper.problem
    }
    const fromFile = config?.auths.get(host)
    if (fromFile) return { credential: fromFile }
    if (host === 'ghcr.io' && this.options.githubToken) {
      const credential: Credential = {
        source: 'the github-token input',
        username: this.options.githubActor || 'x-access-token',
        password: this.options.githubToken
      }
      return { credential }
    }
    return problem ? { problem } : {}
  }
}
