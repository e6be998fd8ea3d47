import * as core from '@actions/core'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { scan } from '../engine/scan.js'
import { shouldFail, UsageError } from '../engine/options.js'
import { buildJsonReport, imageDigests } from '../report/json.js'
import { selectAnnotations } from '../report/annotations.js'
import { annotationProperties } from '../report/workflow-commands.js'
import { formatSummary, type FileLinker } from '../report/summary.js'
import { countLine } from '../report/text.js'
import type { Logger } from '../util/logger.js'
import { Redactor } from '../util/redact.js'
import { VERSION } from '../version.js'
import { getInputs } from './inputs.js'

const coreLogger: Logger = { debug: core.debug, info: core.info, warning: (m) => core.warning(m) }

/** The action: inputs → scan → annotations, summary, outputs; the only place that fails the step. */
export async function run(): Promise<void> {
  try {
    const inputs = getInputs()
    const redactor = new Redactor()
    if (inputs.githubToken) redactor.add(inputs.githubToken)
    const onSecret = (secret: string) => {
      core.setSecret(secret)
      redactor.add(secret)
    }
    const result = await core.group('Scan manifests', () =>
      scan(
        {
          workspace: inputs.workspace,
          paths: inputs.paths,
          offline: inputs.offline,
          rules: inputs.rules,
          compat: inputs.compat,
          cluster: inputs.cluster,
          registry: {
            dockerConfig: inputs.dockerConfig,
            githubToken: inputs.githubToken,
            githubActor: process.env.GITHUB_ACTOR,
            insecureRegistries: inputs.insecureRegistries,
            onSecret
          }
        },
        coreLogger
      )
    )
    const report = buildJsonReport(result, VERSION)
    const failed = shouldFail(result.findings, inputs.failOn)

    const { shown, overflow } = selectAnnotations(result.findings)
    for (const f of shown) annotate(f.severity, redactor.redact(f.message), annotationProperties(f))
    if (overflow) core.notice(overflow)

    await mkdir(path.dirname(inputs.reportFile), { recursive: true })
    await writeFile(inputs.reportFile, redactor.redact(`${JSON.stringify(report, null, 2)}\n`))
    await writeSummary(redactor.redact(formatSummary(report, { failed, link: commitLinker() })))

    core.setOutput('errors', report.summary.errors)
    core.setOutput('warnings', report.summary.warnings)
    core.setOutput('report', inputs.reportFile)
    core.setOutput('images', JSON.stringify(imageDigests(report)))
    core.info(countLine(report.summary, report.mode))
    if (failed) core.setFailed(`pullgate: ${countLine(report.summary, report.mode)}; failing on ${inputs.failOn}`)
  } catch (error) {
    // one line, never a stack trace: the log is public
    const message = error instanceof Error ? error.message : String(error)
    core.setFailed(error instanceof UsageError ? `pullgate: ${message}` : `pullgate: internal error: ${message}`)
  }
}

function annotate(level: 'error' | 'warning' | 'notice', message: string, props: core.AnnotationProperties): void {
  if (level === 'error') core.error(message, props)
  else if (level === 'warning') core.warning(message, props)
  else core.notice(message, props)
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('No GITHUB_STEP_SUMMARY: job summary not written')
    return
  }
  await core.summary.addRaw(markdown).write()
}

/** Links to the file at the commit under test, when the run says which repository and commit that is. */
function commitLinker(env: NodeJS.ProcessEnv = process.env): FileLinker | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env
  if (!server || !repo || !sha) return undefined
  return (file, line) => `${server}/${repo}/blob/${sha}/${file.split('/').map(encodeURIComponent).join('/')}#L${line}`
}
