import { createHash } from 'node:crypto'
import { jsonDocument } from './json-chunks.js'
import type { Finding, Severity } from '../findings/finding.js'
import { compareByLocation, compareText } from '../findings/finding.js'
import { RULES, type RuleId } from '../rules/catalog.js'
import { RULE_HELP } from '../rules/help.generated.js'

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'
const DEFAULT_INFORMATION_URI = 'https://github.com/pullgate/pullgate'
/** The partialFingerprints key; a new recipe gets a new key (`pullgate/v2`), never a changed one. */
const FINGERPRINT_KEY = 'pullgate/v1'

export interface SarifOptions {
  toolVersion: string
  /** where rule docs live, for helpUri (default: the pullgate repository) */
  informationUri?: string
}

export type SarifLevel = 'error' | 'warning' | 'note'

/** The parts of a SARIF 2.1.0 log that pullgate emits. */
export interface SarifLog {
  $schema: string
  version: '2.1.0'
  runs: [SarifRun]
}

export interface SarifRun {
  tool: { driver: SarifDriver }
  automationDetails: { id: string }
  /** our columns count Unicode code points (Finding's Span) */
  columnKind: 'unicodeCodePoints'
  results: SarifResult[]
}

export interface SarifDriver {
  name: 'pullgate'
  version: string
  informationUri: string
  rules: SarifRule[]
}

export interface SarifRule {
  id: string
  name: string
  shortDescription: { text: string }
  fullDescription: { text: string }
  help: { text: string; markdown: string }
  helpUri: string
  defaultConfiguration: { level: SarifLevel }
  properties: { tags: string[] }
}

export interface SarifResult {
  ruleId: string
  ruleIndex?: number
  level: SarifLevel
  message: { text: string }
  locations: [SarifLocation]
  partialFingerprints: Record<string, string>
}

export interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId: '%SRCROOT%' }
    region: SarifRegion
  }
}

export interface SarifRegion {
  startLine: number
  startColumn: number
  endLine: number
  /** exclusive; absent for an empty span (the region then runs to the end of endLine) */
  endColumn?: number
}

const LEVELS: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', notice: 'note' }

/** What each rule is about, as a tag GitHub's code scanning can filter on (after 'kubernetes', 'containers'). */
const RULE_TAGS: Record<RuleId, string> = {
  'invalid-manifest': 'manifest',
  'manifest-recovered': 'manifest',
  'invalid-reference': 'image-reference',
  'unresolved-reference': 'image-reference',
  'mutable-tag': 'image-reference',
  'tag-not-found': 'registry',
  'repository-not-found': 'registry',
  'digest-not-found': 'registry',
  'credentials-missing': 'credentials',
  'credentials-rejected': 'credentials',
  'rate-limited': 'registry',
  'registry-unreachable': 'registry',
  'media-type-incompatible': 'runtime-compatibility',
  'platform-missing': 'runtime-compatibility',
  'not-an-image': 'runtime-compatibility',
  'digest-mismatch': 'registry',
  'pull-secret-missing': 'pull-secrets',
  'pull-secret-not-found': 'pull-secrets',
  'pull-secret-wrong-registry': 'pull-secrets',
  'registry-error': 'registry'
}

/**
 * The SARIF log as a file's content, in pieces of one result each: the results lie four levels
 * down (`runs[0].results[i]`), and written from the report's depth (2) the whole run was one
 * piece, twice over (bench/full.js's 13,000-finding log peaked at 438 MB RSS; now 227 MB).
 */
export function sarifDocument(findings: readonly Finding[], options: SarifOptions): Generator<string> {
  return jsonDocument(buildSarif(findings, options), 4)
}

/** SARIF 2.1.0 log for the findings: ready for github/codeql-action/upload-sarif. */
export function buildSarif(findings: readonly Finding[], options: SarifOptions): SarifLog {
  const informationUri = (options.informationUri ?? DEFAULT_INFORMATION_URI).replace(/\/+$/, '')
  const ids = Object.keys(RULES) as RuleId[]
  const ruleIndex = new Map<string, number>(ids.map((id, i) => [id, i]))
  const fingerprints = fingerprintsOf(findings)
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pullgate',
            version: options.toolVersion,
            informationUri,
            rules: ids.map((id) => sarifRule(id, informationUri))
          }
        },
        automationDetails: { id: 'pullgate/' },
        columnKind: 'unicodeCodePoints',
        results: findings.map((finding, i) => {
          const index = ruleIndex.get(finding.rule)
          return {
            ruleId: finding.rule,
            ...(index === undefined ? {} : { ruleIndex: index }),
            level: LEVELS[finding.severity],
            message: { text: finding.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: fileUri(finding.file), uriBaseId: '%SRCROOT%' },
                  region: region(finding)
                }
              }
            ],
            partialFingerprints: { [FINGERPRINT_KEY]: fingerprints[i]! }
          }
        })
      }
    ]
  }
}

function sarifRule(id: RuleId, informationUri: string): SarifRule {
  const rule = RULES[id]
  const help = RULE_HELP[id] ?? { text: rule.summary, markdown: rule.summary }
  return {
    id,
    name: pascalCase(id),
    shortDescription: { text: rule.summary },
    fullDescription: { text: help.text.split(/\n\s*\n/)[0]!.trim() || rule.summary },
    help: { text: help.text, markdown: help.markdown },
    helpUri: `${informationUri}/blob/main/docs/rules.md#${id}`,
    defaultConfiguration: { level: LEVELS[rule.severity] },
    properties: { tags: ['kubernetes', 'containers', RULE_TAGS[id]] }
  }
}

/** `pull-secret-missing` → `PullSecretMissing` */
function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('')
}

/** A workspace-relative path as a relative URI reference: forward slashes, each segment percent-encoded. */
export function fileUri(file: string): string {
  return file.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/')
}

function region(span: Finding): SarifRegion {
  const endLine = Math.max(span.endLine, span.line)
  // SARIF has no empty line/column region: an empty (or inverted) span on one line gets no endColumn
  const empty = endLine === span.line && span.endColumn <= span.column
  return {
    startLine: span.line,
    startColumn: span.column,
    endLine,
    ...(empty ? {} : { endColumn: span.endColumn })
  }
}

/**
 * `pullgate/v1`: sha256 of rule, file, image and the ordinal of that triple in the file (0-based, in
 * position order). Line numbers are left out so a result keeps its identity when lines move; the
 * ordinal tells apart two findings of one rule about the same image in one file.
 */
function fingerprintsOf(findings: readonly Finding[]): string[] {
  const order = findings
    .map((_, i) => i)
    .sort((a, b) => compareByLocation(findings[a]!, findings[b]!) || compareText(findings[a]!.message, findings[b]!.message))
  const seen = new Map<string, number>()
  const out: string[] = []
  for (const i of order) {
    const finding = findings[i]!
    const triple = `${finding.rule}\0${finding.file}\0${finding.image ?? ''}`
    const n = seen.get(triple) ?? 0
    seen.set(triple, n + 1)
    out[i] = createHash('sha256').update(`${triple}\0${n}`).digest('hex')
  }
  return out
}
