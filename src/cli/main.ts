import path from 'node:path'
import { parseArgs } from 'node:util'
import { parseBoolean, parseClusterKnowledge, parseCommaList, parseCompat, parseFailOn, parseLimits, parseList, parseRuleSettings, parseTimeoutSeconds, shouldFail, UsageError } from '../engine/options.js'
import { readConfigFile } from '../engine/config-file.js'
import { gitChangedFiles } from '../engine/git-changed.js'
import { pinImages } from '../pin/pin.js'
import { sarifDocument } from '../report/sarif.js'
import { scan } from '../engine/scan.js'
import { buildJsonReport } from '../report/json.js'
import { jsonDocument } from '../report/json-chunks.js'
import { textChunks } from '../report/text.js'
import { formatWorkflowCommands } from '../report/workflow-commands.js'
import type { Logger } from '../util/logger.js'
import { Redactor } from '../util/redact.js'
import { writeChunks } from '../util/write-chunks.js'
import { VERSION } from '../version.js'

/** What the CLI writes to and where it runs; injected so tests need no subprocess. */
export interface CliIO {
  /** may return a promise that settles once the text is taken (so a large report is not buffered whole) */
  readonly stdout: (text: string) => void | Promise<void>
  readonly stderr: (text: string) => void
  readonly cwd: string
  /** the environment (DOCKER_CONFIG, HOME, PULLGATE_GITHUB_TOKEN); default process.env */
  readonly env?: NodeJS.ProcessEnv
}

const EXIT_OK = 0
const EXIT_FINDINGS = 1
const EXIT_USAGE = 2

const FORMATS = ['text', 'json', 'github', 'sarif'] as const
type Format = (typeof FORMATS)[number]

const HELP = `Usage: pullgate [options] [PATH...]

Checks every container image in the Kubernetes manifests under PATH (files, folders or globs;
default: the current folder) and reports what would fail to pull.

Options (each action input has the flag of the same name):
  --paths PATH          a file, folder or glob to scan (repeatable; same as a positional PATH;
                        a leading ! excludes)
  --fail-on LEVEL       error (default), warning, notice or never: exit 1 when a finding
                        reaches LEVEL
  --scope SCOPE         all (default) or changed: only the files changed since --base
  --base REV            with --scope changed: the git revision to compare the working tree with
  --offline             apply the rules that need no network only
  --ignore GLOBS        suppress the findings of images matching these globs (repeatable or
                        comma-separated; * matches anything, / included)
  --pin                 rewrite each checked tag reference in place to name:tag@sha256:…
  --config FILE         settings file (default: .pullgate.yaml in the workspace, if any);
                        flags win over it
  --rules SETTINGS      set rule severities or turn rules off: "rule-id: level" pairs,
                        comma-separated (e.g. "registry-unreachable: error, mutable-tag: off")
  --docker-config PATH  the Docker config (file or folder) holding registry credentials
                        (default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json)
  --github-token TOKEN  authenticates ghcr.io when the Docker config does not (default:
                        $PULLGATE_GITHUB_TOKEN)
  --insecure-registries HOSTS
                        registries spoken to over plain HTTP (repeatable or comma-separated);
                        loopback registries fall back to HTTP by themselves
  --runtime RUNTIME     the nodes' container runtime as kubectl get nodes -o wide prints it
                        (containerd://1.7.27, docker://20.10.25, cri-o://1.30.4) or containerd-1.7;
                        repeatable or comma-separated for mixed pools (default: containerd://2.1)
  --platform PLATFORM   the nodes' platform, e.g. linux/amd64, linux/arm64 (repeatable or
                        comma-separated; --platforms too; default: linux/amd64)
  --accept-media-types TYPES
                        a custom runtime that pulls exactly these manifest and layer media types
  --cluster-pull-secrets SECRETS
                        pull Secrets that exist in the cluster but not in these manifests:
                        name, namespace/name, optionally =registry-host (repeatable or comma-separated)
  --node-credentials GLOBS
                        registry host globs the nodes pull from without Secrets (kubelet
                        credential providers); default: ECR, Artifact Registry, GCR and ACR hosts;
                        none to turn that off
  --kustomize BOOL      false: check files as written instead of what kustomizations deploy
  --helm BOOL           false: do not read Helm charts' values files
  --helm-values FILES   extra values files applied after each chart's values.yaml
  --allowed-registries GLOBS
                        the only registry hosts (and token realms) pullgate may contact
  --timeout-seconds N   the whole run's deadline for registry traffic (default 600)
  --limits LIMITS       max-file-bytes, max-alias-expansions, max-nesting-depth pairs
  --cache-file FILE     keep what was learned about digests across runs in FILE (JSON)
  --report-file FILE    also write the JSON report to FILE
  --sarif-file FILE     also write a SARIF 2.1.0 log to FILE
  --format FORMAT       text (default), json, github (workflow-command annotations) or sarif
  --workspace DIR       report file names relative to DIR (default: the current folder)
  --verbose             say what is being done, on stderr
  -h, --help            show this help
  --version             print the version

Exit codes: 0 nothing reached --fail-on, 1 something did, 2 usage or internal error.
`

/** Runs the CLI on `argv` (without node and script); returns the exit code. Never throws. */
export async function cli(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        paths: { type: 'string', multiple: true },
        'fail-on': { type: 'string' },
        offline: { type: 'boolean' },
        scope: { type: 'string' },
        base: { type: 'string' },
        ignore: { type: 'string', multiple: true },
        pin: { type: 'boolean' },
        config: { type: 'string' },
        'sarif-file': { type: 'string' },
        rules: { type: 'string', multiple: true },
        'docker-config': { type: 'string' },
        'github-token': { type: 'string' },
        'insecure-registries': { type: 'string', multiple: true },
        runtime: { type: 'string', multiple: true },
        platform: { type: 'string', multiple: true },
        platforms: { type: 'string', multiple: true },
        'accept-media-types': { type: 'string', multiple: true },
        'cluster-pull-secrets': { type: 'string', multiple: true },
        kustomize: { type: 'string' },
        'allowed-registries': { type: 'string', multiple: true },
        'timeout-seconds': { type: 'string' },
        'cache-file': { type: 'string' },
        limits: { type: 'string', multiple: true },
        helm: { type: 'string' },
        'helm-values': { type: 'string', multiple: true },
        'node-credentials': { type: 'string', multiple: true },
        'report-file': { type: 'string' },
        format: { type: 'string' },
        workspace: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' }
      }
    })
    if (values.help) {
      io.stdout(HELP)
      return EXIT_OK
    }
    if (values.version) {
      io.stdout(`pullgate ${VERSION}\n`)
      return EXIT_OK
    }
    const workspace = path.resolve(io.cwd, values.workspace ?? '.')
    const config = readConfigFile(workspace, values.config)
    // a flag wins over the settings file, which wins over the default
    const pick = (flag: string | readonly string[] | boolean | undefined, key: string): string | undefined => {
      if (typeof flag === 'boolean') return String(flag)
      if (typeof flag === 'string') return flag
      if (flag && flag.length > 0) return flag.join('\n')
      return config[key]
    }
    const format = parseFormat(values.format)
    const failOn = parseFailOn(pick(values['fail-on'], 'fail-on'))
    // paths are relative to where the user stands, reported relative to the workspace
    const written = [...(values.paths ?? []), ...positionals]
    const paths = written.length > 0 ? written.map((p) => relativeTo(workspace, io.cwd, p)) : parseList(config.paths)
    const logger: Logger = values.verbose
      ? { debug: (m) => io.stderr(`${m}\n`), info: (m) => io.stderr(`${m}\n`), warning: (m) => io.stderr(`warning: ${m}\n`) }
      : { debug() {}, info() {}, warning: (m) => io.stderr(`warning: ${m}\n`) }
    const rules = parseRuleSettings(pick(values.rules, 'rules') ?? '')
    const compat = parseCompat(
      parseCommaList(pick(values.runtime, 'runtime')),
      parseCommaList(pick([...(values.platform ?? []), ...(values.platforms ?? [])], 'platforms')),
      parseCommaList(pick(values['accept-media-types'], 'accept-media-types'))
    )
    const githubToken = values['github-token'] ?? io.env?.PULLGATE_GITHUB_TOKEN
    const redactor = new Redactor()
    if (githubToken) redactor.add(githubToken)
    const scope = pick(values.scope, 'scope') ?? 'all'
    if (!['all', 'changed', 'auto'].includes(scope)) throw new UsageError(`--scope must be all or changed (got "${scope}")`)
    if (scope === 'changed' && !values.base) throw new UsageError('--scope changed needs --base REV (the revision to compare with)')
    const changed = scope === 'changed' ? await gitChangedFiles(workspace, values.base!) : undefined
    const dockerConfig = pick(values['docker-config'], 'docker-config')
    const result = await scan(
      {
        workspace,
        paths,
        onlyFiles: changed ? new Set(changed.files) : undefined,
        offline: parseBoolean('--offline', pick(values.offline, 'offline'), false),
        rules,
        ignore: parseCommaList(pick(values.ignore, 'ignore')),
        compat,
        kustomize: parseBoolean('--kustomize', pick(values.kustomize, 'kustomize'), true),
        limits: parseLimits(pick(values.limits, 'limits')),
        helm: parseBoolean('--helm', pick(values.helm, 'helm'), true),
        helmValues: parseCommaList(pick(values['helm-values'], 'helm-values')),
        cluster: parseClusterKnowledge(parseCommaList(pick(values['cluster-pull-secrets'], 'cluster-pull-secrets')), parseCommaList(pick(values['node-credentials'], 'node-credentials'))),
        registry: {
          dockerConfig: dockerConfig ? path.resolve(io.cwd, dockerConfig) : undefined,
          githubToken,
          insecureRegistries: parseCommaList(pick(values['insecure-registries'], 'insecure-registries')),
          allowedRegistries: parseCommaList(pick(values['allowed-registries'], 'allowed-registries')),
          cacheFile: pick(values['cache-file'], 'cache-file') ? path.resolve(io.cwd, pick(values['cache-file'], 'cache-file')!) : undefined,
          deadline: AbortSignal.timeout(parseTimeoutSeconds(pick(values['timeout-seconds'], 'timeout-seconds')) * 1000),
          onSecret: (secret) => redactor.add(secret),
          env: io.env
        }
      },
      logger
    )
    if (parseBoolean('--pin', pick(values.pin, 'pin'), false)) io.stderr(`${(await pinImages(result, workspace)).line}\n`)
    const report = buildJsonReport(result, VERSION)
    // reports are written as they are serialised: a large one is never held whole
    const json = () => jsonDocument(report)
    const sarif = () => sarifDocument(result.findings, { toolVersion: VERSION })
    for (const [file, content] of [
      [pick(values['report-file'], 'report-file'), json],
      [pick(values['sarif-file'], 'sarif-file'), sarif]
    ] as const) {
      if (file) await writeChunks(path.resolve(io.cwd, file), redactor.redactChunks(content()))
    }
    let output: Iterable<string>
    if (format === 'json') output = json()
    else if (format === 'sarif') output = sarif()
    else if (format === 'github') output = [formatWorkflowCommands(result.findings)]
    else output = textChunks(result.findings, report.summary, report.mode)
    for (const chunk of redactor.redactChunks(output)) await io.stdout(chunk)
    return shouldFail(result.findings, failOn) ? EXIT_FINDINGS : EXIT_OK
  } catch (error) {
    // some runtimes prefix Node's own errors with "TypeError [CODE]: "; the user needs the sentence only
    const message = (error instanceof Error ? error.message : String(error)).replace(/^\w*Error \[[A-Z_]+\]: /, '')
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`pullgate: error: ${message}\nRun 'pullgate --help' for usage.\n`)
    } else {
      io.stderr(`pullgate: internal error: ${message}\n`)
    }
    return EXIT_USAGE
  }
}

function parseFormat(value: string | undefined): Format {
  const v = value ?? 'text'
  if ((FORMATS as readonly string[]).includes(v)) return v as Format
  throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${value}")`)
}

function relativeTo(workspace: string, cwd: string, p: string): string {
  const negated = p.startsWith('!')
  const raw = negated ? p.slice(1) : p
  const rel = path.relative(workspace, path.resolve(cwd, raw)).split(path.sep).join('/') || '.'
  return negated ? `!${rel}` : rel
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')
}
