import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { credentialHost, type Credential } from './credential.js'

/** A Docker config file, as docker/login-action, amazon-ecr-login, gcloud and azure/docker-login write it. */
export interface DockerConfig {
  /** the file it came from, for messages */
  readonly file: string
  /** by credential host; legacy keys with scheme or path are folded (Docker's ConvertToHostname) */
  readonly auths: ReadonlyMap<string, Credential>
  readonly credsStore?: string
  readonly credHelpers: ReadonlyMap<string, string>
}

/** A config.json that exists but cannot be used: said once, as a usage error, instead of being ignored. */
export class DockerConfigError extends Error {}

/**
 * Where Docker looks: an explicit file or folder (the `docker-config` input), else
 * `$DOCKER_CONFIG/config.json` (set by azure/docker-login and scoped logins), else `~/.docker/config.json`.
 */
export function dockerConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) return existsSync(explicit) && !explicit.endsWith('.json') ? path.join(explicit, 'config.json') : explicit
  if (env.DOCKER_CONFIG) return path.join(env.DOCKER_CONFIG, 'config.json')
  const home = env.HOME || os.homedir()
  return home ? path.join(home, '.docker', 'config.json') : undefined
}

/** Reads a Docker config; undefined when the file does not exist. */
export function readDockerConfig(file: string | undefined): DockerConfig | undefined {
  if (!file || !existsSync(file)) return undefined
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    // the parser's message quotes the text around the error, which is where the passwords are: give the position only
    const where = /position (\d+)/.exec((error as Error).message)
    throw new DockerConfigError(`the Docker config ${file} is not valid JSON${where ? ` (at character ${where[1]})` : ''}`)
  }
  if (!isObject(json)) throw new DockerConfigError(`the Docker config ${file} is not a JSON object`)
  const auths = new Map<string, Credential>()
  if (isObject(json.auths)) {
    for (const [key, entry] of Object.entries(json.auths)) {
      const credential = entry && isObject(entry) ? fromAuthEntry(entry, `${file} (auths["${key}"])`) : undefined
      // an empty entry is what `docker login` leaves when a credential store holds the secret
      if (credential) auths.set(credentialHost(key), credential)
    }
  }
  const credHelpers = new Map<string, string>()
  if (isObject(json.credHelpers)) {
    for (const [host, helper] of Object.entries(json.credHelpers)) if (typeof helper === 'string' && helper) credHelpers.set(credentialHost(host), helper)
  }
  const credsStore = typeof json.credsStore === 'string' && json.credsStore ? json.credsStore : undefined
  return { file, auths, credsStore, credHelpers }
}

function fromAuthEntry(entry: Record<string, unknown>, source: string): Credential | undefined {
  const str = (key: string) => (typeof entry[key] === 'string' && entry[key] !== '' ? (entry[key] as string) : undefined)
  if (str('registrytoken')) return { source, registryToken: str('registrytoken') }
  if (str('identitytoken')) return { source, username: str('username'), identityToken: str('identitytoken') }
  const auth = str('auth')
  if (auth) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    // Docker refuses an entry without a user name; so do we, quietly, rather than send garbage
    if (colon <= 0) return undefined
    return { source, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  if (str('username') && str('password')) return { source, username: str('username'), password: str('password') }
  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
