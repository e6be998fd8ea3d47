import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { UsageError } from './options.js'

/** The settings a repository may keep in `.pullgate.yaml`: the action's inputs, by the same names. */
const CONFIG_KEYS = [
  'paths',
  'scope',
  'fail-on',
  'offline',
  'rules',
  'ignore',
  'docker-config',
  'insecure-registries',
  'runtime',
  'platforms',
  'accept-media-types',
  'cluster-pull-secrets',
  'node-credentials',
  'report-file',
  'sarif-file',
  'pin',
  'kustomize',
  'helm',
  'helm-values',
  'allowed-registries',
  'timeout-seconds',
  'limits',
  'cache-file'
] as const

const DEFAULT_CONFIG_FILE = '.pullgate.yaml'

/**
 * Reads the repository's `.pullgate.yaml` (or the file named by `config`): every value as the
 * string an input would hold (lists joined one per line). Inputs and flags win over it. A key
 * that is not a setting, or a secret that does not belong in a repository, is a usage error.
 */
export function readConfigFile(workspace: string, explicit?: string): Record<string, string> {
  const file = path.resolve(workspace, explicit ?? DEFAULT_CONFIG_FILE)
  if (!existsSync(file)) {
    if (explicit) throw new UsageError(`the config file ${explicit} does not exist`)
    return {}
  }
  let data: unknown
  try {
    data = parse(readFileSync(file, 'utf8'), { maxAliasCount: 100 })
  } catch (error) {
    throw new UsageError(`${path.relative(workspace, file)} is not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  if (data === null || data === undefined) return {}
  if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${path.relative(workspace, file)} must be a mapping of settings`)
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (key === 'github-token') throw new UsageError(`${path.relative(workspace, file)}: github-token does not belong in a repository file; pass it as an input`)
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`${path.relative(workspace, file)}: unknown setting "${key}"; settings are ${CONFIG_KEYS.join(', ')}`)
    }
    result[key] = Array.isArray(value) ? value.map(String).join('\n') : typeof value === 'object' && value !== null ? Object.entries(value).map(([k, v]) => `${k}: ${String(v)}`).join('\n') : String(value)
  }
  return result
}
