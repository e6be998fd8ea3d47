import * as core from '@actions/core'
import os from 'node:os'
import path from 'node:path'
import { parseBoolean, parseFailOn, parseList, type FailOn } from '../engine/options.js'

/** The action's input names: a public contract, kebab-case as users write them in `with:`. */
export const Inputs = {
  Paths: 'paths',
  FailOn: 'fail-on',
  Offline: 'offline',
  ReportFile: 'report-file'
} as const

/** Everything the action was asked to do, validated. */
export interface ActionInputs {
  readonly workspace: string
  readonly paths: string[]
  readonly failOn: FailOn
  readonly offline: boolean
  readonly reportFile: string
}

/** The only reader of `core.getInput` (docker/metadata-action's context.ts pattern). */
export function getInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const reportFile = core.getInput(Inputs.ReportFile)
  return {
    workspace,
    paths: parseList(core.getInput(Inputs.Paths)),
    failOn: parseFailOn(core.getInput(Inputs.FailOn)),
    offline: parseBoolean(Inputs.Offline, core.getInput(Inputs.Offline), false),
    reportFile: reportFile
      ? path.resolve(workspace, reportFile)
      : path.join(env.RUNNER_TEMP || os.tmpdir(), `pullgate-report-${env.GITHUB_RUN_ID ?? process.pid}.json`)
  }
}
