import * as core from '@actions/core'
import os from 'node:os'
import path from 'node:path'
import { parseBoolean, parseClusterKnowledge, parseCommaList, parseCompat, parseFailOn, parseList, parseRuleSettings, type FailOn, type RuleSetting } from '../engine/options.js'
import type { CompatOptions } from '../compat/profile.js'
import type { ClusterKnowledge } from '../pullsecrets/analyze.js'
import type { RuleId } from '../rules/catalog.js'

/** The action's input names: a public contract, kebab-case as users write them in `with:`. */
export const Inputs = {
  Paths: 'paths',
  FailOn: 'fail-on',
  Offline: 'offline',
  ReportFile: 'report-file',
  Rules: 'rules',
  DockerConfig: 'docker-config',
  GithubToken: 'github-token',
  InsecureRegistries: 'insecure-registries',
  Runtime: 'runtime',
  Platforms: 'platforms',
  AcceptMediaTypes: 'accept-media-types',
  ClusterPullSecrets: 'cluster-pull-secrets',
  NodeCredentials: 'node-credentials'
} as const

/** Everything the action was asked to do, validated. */
export interface ActionInputs {
  readonly workspace: string
  readonly paths: string[]
  readonly failOn: FailOn
  readonly offline: boolean
  readonly reportFile: string
  readonly rules: Map<RuleId, RuleSetting>
  readonly dockerConfig?: string
  readonly githubToken?: string
  readonly insecureRegistries: string[]
  readonly compat: CompatOptions
  readonly cluster: ClusterKnowledge
}

/** The only reader of `core.getInput` (docker/metadata-action's context.ts pattern). */
export function getInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  // mask first: nothing may print the token before it is registered
  const githubToken = core.getInput(Inputs.GithubToken)
  if (githubToken) core.setSecret(githubToken)
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const reportFile = core.getInput(Inputs.ReportFile)
  const dockerConfig = core.getInput(Inputs.DockerConfig)
  return {
    workspace,
    paths: parseList(core.getInput(Inputs.Paths)),
    failOn: parseFailOn(core.getInput(Inputs.FailOn)),
    offline: parseBoolean(Inputs.Offline, core.getInput(Inputs.Offline), false),
    reportFile: reportFile
      ? path.resolve(workspace, reportFile)
      : path.join(env.RUNNER_TEMP || os.tmpdir(), `pullgate-report-${env.GITHUB_RUN_ID ?? process.pid}.json`),
    rules: parseRuleSettings(core.getInput(Inputs.Rules)),
    dockerConfig: dockerConfig ? path.resolve(workspace, dockerConfig) : undefined,
    githubToken: githubToken || undefined,
    insecureRegistries: parseCommaList(core.getInput(Inputs.InsecureRegistries)),
    compat: parseCompat(
      parseCommaList(core.getInput(Inputs.Runtime)),
      parseCommaList(core.getInput(Inputs.Platforms)),
      parseCommaList(core.getInput(Inputs.AcceptMediaTypes))
    ),
    cluster: parseClusterKnowledge(parseCommaList(core.getInput(Inputs.ClusterPullSecrets)), parseCommaList(core.getInput(Inputs.NodeCredentials)))
  }
}
