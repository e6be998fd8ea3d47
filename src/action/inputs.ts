import * as core from '@actions/core'
import os from 'node:os'
import path from 'node:path'
import { readConfigFile } from '../engine/config-file.js'
import {
  parseBoolean,
  parseClusterKnowledge,
  parseCommaList,
  parseCompat,
  parseFailOn,
  parseList,
  parseLimits,
  parseRuleSettings,
  parseTimeoutSeconds,
  UsageError,
  type FailOn,
  type RuleSetting
} from '../engine/options.js'
import type { CompatOptions } from '../compat/profile.js'
import type { ClusterKnowledge } from '../pullsecrets/analyze.js'
import type { RuleId } from '../rules/catalog.js'
import type { Limits } from '../engine/limits.js'

/** The action's input names: a public contract, kebab-case as users write them in `with:`. */
export const Inputs = {
  Paths: 'paths',
  Scope: 'scope',
  FailOn: 'fail-on',
  Offline: 'offline',
  ReportFile: 'report-file',
  SarifFile: 'sarif-file',
  Rules: 'rules',
  Ignore: 'ignore',
  Pin: 'pin',
  Config: 'config',
  DockerConfig: 'docker-config',
  GithubToken: 'github-token',
  InsecureRegistries: 'insecure-registries',
  Runtime: 'runtime',
  Platforms: 'platforms',
  AcceptMediaTypes: 'accept-media-types',
  ClusterPullSecrets: 'cluster-pull-secrets',
  Kustomize: 'kustomize',
  Helm: 'helm',
  HelmValues: 'helm-values',
  AllowedRegistries: 'allowed-registries',
  TimeoutSeconds: 'timeout-seconds',
  Limits: 'limits',
  CacheFile: 'cache-file',
  NodeCredentials: 'node-credentials'
} as const

/** Which manifests a run checks: a pull request's changed ones, or all that `paths` matches. */
export type Scope = 'auto' | 'changed' | 'all'

/** Everything the action was asked to do, validated. */
export interface ActionInputs {
  readonly workspace: string
  readonly paths: string[]
  readonly scope: Scope
  readonly failOn: FailOn
  readonly offline: boolean
  readonly reportFile: string
  readonly sarifFile?: string
  readonly rules: Map<RuleId, RuleSetting>
  readonly ignore: string[]
  readonly pin: boolean
  readonly dockerConfig?: string
  readonly githubToken?: string
  readonly insecureRegistries: string[]
  readonly compat: CompatOptions
  readonly cluster: ClusterKnowledge
  readonly kustomize: boolean
  readonly helm: boolean
  readonly helmValues: string[]
  readonly allowedRegistries: string[]
  readonly timeoutSeconds: number
  readonly limits: Partial<Limits>
  readonly cacheFile?: string
}

/**
 * The only reader of `core.getInput` (docker/metadata-action's context.ts pattern). Each setting
 * comes from the input when it is set, else from the repository's `.pullgate.yaml`, else its
 * default: inputs win. (So action.yml leaves defaults empty: an input equal to its default could
 * not be told from one the user set.)
 */
export function getInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  // mask first: nothing may print the token before it is registered
  const githubToken = core.getInput(Inputs.GithubToken)
  if (githubToken) core.setSecret(githubToken)
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const config = readConfigFile(workspace, core.getInput(Inputs.Config) || undefined)
  const read = (name: string) => core.getInput(name) || config[name] || ''
  const reportFile = read(Inputs.ReportFile)
  const sarifFile = read(Inputs.SarifFile)
  const dockerConfig = read(Inputs.DockerConfig)
  return {
    workspace,
    paths: parseList(read(Inputs.Paths)),
    scope: parseScope(read(Inputs.Scope)),
    failOn: parseFailOn(read(Inputs.FailOn)),
    offline: parseBoolean(Inputs.Offline, read(Inputs.Offline), false),
    reportFile: reportFile
      ? path.resolve(workspace, reportFile)
      : path.join(env.RUNNER_TEMP || os.tmpdir(), `pullgate-report-${env.GITHUB_RUN_ID ?? process.pid}.json`),
    sarifFile: sarifFile ? path.resolve(workspace, sarifFile) : undefined,
    rules: parseRuleSettings(read(Inputs.Rules)),
    ignore: parseCommaList(read(Inputs.Ignore)),
    pin: parseBoolean(Inputs.Pin, read(Inputs.Pin), false),
    dockerConfig: dockerConfig ? path.resolve(workspace, dockerConfig) : undefined,
    githubToken: githubToken || undefined,
    insecureRegistries: parseCommaList(read(Inputs.InsecureRegistries)),
    compat: parseCompat(parseCommaList(read(Inputs.Runtime)), parseCommaList(read(Inputs.Platforms)), parseCommaList(read(Inputs.AcceptMediaTypes))),
    cluster: parseClusterKnowledge(parseCommaList(read(Inputs.ClusterPullSecrets)), parseCommaList(read(Inputs.NodeCredentials))),
    kustomize: parseBoolean(Inputs.Kustomize, read(Inputs.Kustomize), true),
    helm: parseBoolean(Inputs.Helm, read(Inputs.Helm), true),
    helmValues: parseCommaList(read(Inputs.HelmValues)),
    allowedRegistries: parseCommaList(read(Inputs.AllowedRegistries)),
    timeoutSeconds: parseTimeoutSeconds(read(Inputs.TimeoutSeconds)),
    limits: parseLimits(read(Inputs.Limits)),
    cacheFile: read(Inputs.CacheFile) ? path.resolve(workspace, read(Inputs.CacheFile)) : undefined
  }
}

function parseScope(value: string): Scope {
  const v = value.trim().toLowerCase() || 'auto'
  if (v === 'auto' || v === 'changed' || v === 'all') return v
  throw new UsageError(`scope must be auto, changed or all (got "${value}")`)
}
