import * as core from '@actions/core'
import * as github from '@actions/github'
import { scan } from '../engine/scan.js'
import { shouldFail, UsageError } from '../engine/options.js'
import { pinImages } from '../pin/pin.js'
import { buildJsonReport, imageDigests } from '../report/json.js'
import { selectAnnotations } from '../report/annotations.js'
import { fileUri, sarifDocument } from '../report/sarif.js'
import { jsonDocument } from '../report/json-chunks.js'
import { annotationProperties } from '../report/workflow-commands.js'
import { formatSummary, type FileLinker } from '../report/summary.js'
import { countLine, plural } from '../report/text.js'
import type { Logger } from '../util/logger.js'
import { Redactor } from '../util/redact.js'
import { writeChunks } from '../util/write-chunks.js'
import { VERSION } from '../version.js'
import { changedFiles, type ChangedFiles } from './changed-files.js'
import { getInputs, type ActionInputs } from './inputs.js'

const coreLogger: Logger = { debug: core.debug, info: core.info, warning: (m) => core.warning(m) }

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target'])

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
    const changed = await scopeFiles(inputs)
    const result = await core.group('Scan manifests', () =>
      scan(
        {
          workspace: inputs.workspace,
          paths: inputs.paths,
          onlyFiles: changed ? new Set(changed.files) : undefined,
          offline: inputs.offline,
          rules: inputs.rules,
          ignore: inputs.ignore,
          compat: inputs.compat,
          cluster: inputs.cluster,
          kustomize: inputs.kustomize,
          helm: inputs.helm,
          helmValues: inputs.helmValues,
          limits: inputs.limits,
          forkPullRequest: isForkPullRequest(),
          registry: {
            dockerConfig: inputs.dockerConfig,
            githubToken: inputs.githubToken,
            githubActor: process.env.GITHUB_ACTOR,
            insecureRegistries: inputs.insecureRegistries,
            allowedRegistries: inputs.allowedRegistries,
            cacheFile: inputs.cacheFile,
            deadline: AbortSignal.timeout(inputs.timeoutSeconds * 1000),
            onSecret
          }
        },
        coreLogger
      )
    )
    const report = buildJsonReport(result, VERSION)
    const failed = shouldFail(result.findings, inputs.failOn)
    const preface = [scopeLine(changed, result.stats.files)]

    if (inputs.pin) {
      const pinned = await pinImages(result, inputs.workspace)
      preface.push(pinned.line)
      core.info(pinned.line)
      core.setOutput('pinned', pinned.count)
    }

    const { shown, overflow } = selectAnnotations(result.findings)
    for (const f of shown) annotate(f.severity, redactor.redact(f.message), annotationProperties(f))
    if (overflow) core.notice(overflow)

    // written as they are serialised: a large report is never held whole
    await writeChunks(inputs.reportFile, redactor.redactChunks(jsonDocument(report)))
    if (inputs.sarifFile) {
      await writeChunks(inputs.sarifFile, redactor.redactChunks(sarifDocument(result.findings, { toolVersion: VERSION })))
      core.setOutput('sarif', inputs.sarifFile)
    }
    const summary =
      changed && result.stats.files === 0
        ? `## pullgate ✅ passed\n\n${preface.join('\n\n')}\n`
        : formatSummary(report, { failed, link: commitLinker(), preface })
    await writeSummary(redactor.redact(summary))

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

/** `changed` (the `auto` default on pull requests): the files the pull request changes; otherwise undefined (all). */
async function scopeFiles(inputs: ActionInputs): Promise<ChangedFiles | undefined> {
  const scope = inputs.scope === 'auto' ? (PULL_REQUEST_EVENTS.has(github.context.eventName) ? 'changed' : 'all') : inputs.scope
  if (scope === 'all') return undefined
  const changed = await changedFiles(inputs.githubToken, inputs.workspace)
  if (changed.note) core.notice(`pullgate: ${changed.note}.`)
  return changed
}

function scopeLine(changed: ChangedFiles | undefined, scanned: number): string {
  if (!changed) return `Scope: every manifest \`paths\` matches (${github.context.eventName || 'a run without an event'}).`
  const how = changed.source === 'api' ? "from GitHub's API" : `from git diff: ${changed.note ?? ''}`
  if (scanned === 0) return `No manifest changed in this pull request (${plural(changed.total, 'file')} changed, ${how}): nothing to check.`
  return `Scope: the ${plural(scanned, 'file')} among \`paths\` that this pull request changes (${plural(changed.total, 'file')} changed, ${how}).`
}

/** A pull request whose head lives in another repository: GitHub gives its workflow no secrets. */
function isForkPullRequest(): boolean {
  const pr = github.context.payload.pull_request as { head?: { repo?: { fork?: boolean; full_name?: string } }; base?: { repo?: { full_name?: string } } } | undefined
  if (!pr || github.context.eventName !== 'pull_request') return false
  return Boolean(pr.head?.repo?.fork) || (pr.head?.repo?.full_name !== undefined && pr.head.repo.full_name !== pr.base?.repo?.full_name)
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
  return (file, line) => `${server}/${repo}/blob/${sha}/${fileUri(file)}#L${line}`
}
