import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ajvDraft04 from 'ajv-draft-04'
import ajvFormats from 'ajv-formats'
import type { Finding } from '../../src/findings/finding.js'
import { buildSarif, sarifDocument, type SarifLog, type SarifResult } from '../../src/report/sarif.js'
import { RULES } from '../../src/rules/catalog.js'
import { RULE_HELP } from '../../src/rules/help.generated.js'
import { ROOT } from '../helpers/shared.js'

// CommonJS packages: under NodeNext the default import is module.exports, which they also expose as .default
const Ajv = ajvDraft04.default
const addFormats = ajvFormats.default

/** The SARIF 2.1.0 JSON schema (draft-04) that Microsoft's SARIF SDK ships. */
const SCHEMA_FILE = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json')
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>
// unicodeRegExp off: this schema's `language` pattern (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`, fixed
// in later SARIF SDK schemas) has a stray `]`, a syntax error in a `u`-flag RegExp but not without it
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })
addFormats(ajv)
const validate = ajv.compile(schema)

function schemaErrors(log: unknown): string[] {
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
}

const ODD_FILE = 'deploy/web app/déploiement.yaml'
const ODD_URI = 'deploy/web%20app/d%C3%A9ploiement.yaml'

/** A scan's findings, in the report's order (most severe first). */
const FINDINGS: Finding[] = [
  {
    rule: 'invalid-manifest',
    severity: 'error',
    file: 'k8s/broken.yaml',
    line: 7,
    column: 3,
    endLine: 7,
    endColumn: 3,
    message: 'Not valid YAML: unexpected end of the stream within a flow collection. kubectl apply would reject this file.'
  },
  {
    rule: 'tag-not-found',
    severity: 'error',
    file: ODD_FILE,
    line: 21,
    column: 18,
    endLine: 21,
    endColumn: 29,
    image: 'nginx:lates',
    message: 'docker.io/library/nginx has no tag lates. Closest tags: latest.'
  },
  {
    rule: 'pull-secret-missing',
    severity: 'error',
    file: 'k8s/api.yaml',
    line: 30,
    column: 18,
    endLine: 30,
    endColumn: 45,
    image: 'ghcr.io/acme/api:1.4.2',
    message: 'ghcr.io/acme/api is private and Deployment api (namespace prod, ServiceAccount default) has no pull secret for ghcr.io.'
  },
  {
    rule: 'media-type-incompatible',
    severity: 'warning',
    file: 'k8s/api.yaml',
    line: 52,
    column: 18,
    endLine: 52,
    endColumn: 40,
    image: 'quay.io/legacy/tool:2',
    message: 'A schema 1 manifest: containerd 1.7 still pulls it but warns that support is deprecated.'
  },
  {
    rule: 'mutable-tag',
    severity: 'warning',
    file: 'k8s/api.yaml',
    line: 12,
    column: 18,
    endLine: 12,
    endColumn: 30,
    image: 'redis:latest',
    message: 'redis:latest can change under the same name: pin a version tag or a digest.'
  },
  {
    rule: 'mutable-tag',
    severity: 'warning',
    file: 'k8s/api.yaml',
    line: 44,
    column: 20,
    endLine: 44,
    endColumn: 32,
    image: 'redis:latest',
    message: 'redis:latest can change under the same name: pin a version tag or a digest.'
  },
  {
    rule: 'unresolved-reference',
    severity: 'warning',
    file: 'charts/app/templates/deploy.yaml',
    line: 9,
    column: 18,
    endLine: 10,
    endColumn: 12,
    image: '{{ .Values.image }}',
    message: 'The image is a Helm placeholder: render the chart (helm template) to check it.'
  },
  {
    rule: 'digest-mismatch',
    severity: 'notice',
    file: ODD_FILE,
    line: 40,
    column: 18,
    endLine: 40,
    endColumn: 90,
    image: 'nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000',
    message: 'nginx:1.27 now points to sha256:1111…; the kubelet pulls the pinned digest.'
  }
]

const sarif = (findings: readonly Finding[] = FINDINGS): SarifLog => buildSarif(findings, { toolVersion: '1.2.3' })
const run = (log: SarifLog) => log.runs[0]
const resultFor = (log: SarifLog, rule: string, line: number): SarifResult => {
  const found = run(log).results.find((r) => r.ruleId === rule && r.locations[0].physicalLocation.region.startLine === line)
  if (!found) throw new Error(`no ${rule} result at line ${line}`)
  return found
}
const fingerprints = (log: SarifLog) => run(log).results.map((r) => r.partialFingerprints['pullgate/v1'])
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe('buildSarif', () => {
  test('is valid against the SARIF 2.1.0 schema', () => {
    expect(schemaErrors(sarif())).toEqual([])
    expect(schemaErrors(sarif([]))).toEqual([])
  })

  test('the schema check is live: it rejects what SARIF forbids', () => {
    const log = sarif()
    expect(schemaErrors(log)).toEqual([])
    const badLevel = structuredClone(log) as unknown as { runs: Array<{ results: Array<{ level: string }> }> }
    badLevel.runs[0]!.results[0]!.level = 'notice'
    expect(schemaErrors(badLevel)).not.toEqual([])
    const unencoded = structuredClone(log)
    resultFor(unencoded, 'tag-not-found', 21).locations[0].physicalLocation.artifactLocation.uri = ODD_FILE
    expect(schemaErrors(unencoded)).not.toEqual([])
    const zeroColumn = structuredClone(log)
    resultFor(zeroColumn, 'tag-not-found', 21).locations[0].physicalLocation.region.startColumn = 0
    expect(schemaErrors(zeroColumn)).not.toEqual([])
  })

  test('log, run and driver', () => {
    const log = sarif()
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json')
    expect(log.version).toBe('2.1.0')
    expect(log.runs).toHaveLength(1)
    expect(run(log).automationDetails).toStrictEqual({ id: 'pullgate/' })
    expect(run(log).columnKind).toBe('unicodeCodePoints')
    const { rules, ...driver } = run(log).tool.driver
    expect(driver).toStrictEqual({ name: 'pullgate', version: '1.2.3', informationUri: 'https://github.com/pullgate/pullgate' })
    expect(rules.length).toBeGreaterThan(0)
    expect(run(log).results.map((r) => r.message.text)).toEqual(FINDINGS.map((f) => f.message))
  })

  test('one result, exactly', () => {
    const result = resultFor(sarif(), 'tag-not-found', 21)
    expect(result).toStrictEqual({
      ruleId: 'tag-not-found',
      ruleIndex: Object.keys(RULES).indexOf('tag-not-found'),
      level: 'error',
      message: { text: 'docker.io/library/nginx has no tag lates. Closest tags: latest.' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: ODD_URI, uriBaseId: '%SRCROOT%' },
            region: { startLine: 21, startColumn: 18, endLine: 21, endColumn: 29 }
          }
        }
      ],
      partialFingerprints: { 'pullgate/v1': sha256(['tag-not-found', ODD_FILE, 'nginx:lates', '0'].join('\0')) }
    })
    expect(Object.keys(RULES).indexOf('tag-not-found')).toBeGreaterThan(0)
  })

  test('one rule entry, exactly', () => {
    const rules = run(sarif()).tool.driver.rules
    const rule = rules.find((r) => r.id === 'tag-not-found')
    const help = RULE_HELP['tag-not-found']!
    const firstParagraph = help.text.split('\n\n')[0]!
    expect(rule).toStrictEqual({
      id: 'tag-not-found',
      name: 'TagNotFound',
      shortDescription: { text: RULES['tag-not-found'].summary },
      fullDescription: { text: firstParagraph },
      help: { text: help.text, markdown: help.markdown },
      helpUri: 'https://github.com/pullgate/pullgate/blob/main/docs/rules.md#tag-not-found',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['kubernetes', 'containers', 'registry'] }
    })
    expect(firstParagraph).toMatch(/^What it catches\. The repository exists but has no such tag/)
    expect(firstParagraph).not.toContain('\n')
    expect(firstParagraph.length).toBeLessThan(help.text.length)
    expect(help.markdown).toContain('**What it catches.**')
    expect(help.text).not.toMatch(/\*\*|`/)
    expect(rules.find((r) => r.id === 'pull-secret-missing')?.name).toBe('PullSecretMissing')
    expect(rules.find((r) => r.id === 'rate-limited')?.defaultConfiguration).toStrictEqual({ level: 'warning' })
  })

  test('a custom informationUri moves helpUri', () => {
    const log = buildSarif(FINDINGS, { toolVersion: '1.2.3', informationUri: 'https://git.example.com/mirror/pullgate/' })
    expect(run(log).tool.driver.informationUri).toBe('https://git.example.com/mirror/pullgate')
    expect(run(log).tool.driver.rules[0]!.helpUri).toBe(
      `https://git.example.com/mirror/pullgate/blob/main/docs/rules.md#${Object.keys(RULES)[0]}`
    )
    expect(schemaErrors(log)).toEqual([])
  })

  test("levels come from the finding's severity, not the rule's default", () => {
    const log = sarif()
    const rules = run(log).tool.driver.rules
    const downgraded = resultFor(log, 'media-type-incompatible', 52)
    expect(downgraded.level).toBe('warning')
    expect(rules[downgraded.ruleIndex!]!.defaultConfiguration.level).toBe('error')
    expect(resultFor(log, 'digest-mismatch', 40).level).toBe('note')
    expect(resultFor(log, 'mutable-tag', 12).level).toBe('warning')
    expect(resultFor(log, 'invalid-manifest', 7).level).toBe('error')
    for (const result of run(log).results) expect(rules[result.ruleIndex!]!.id).toBe(result.ruleId)
  })

  test('regions: empty span has no endColumn; multi-line span keeps its endColumn', () => {
    const log = sarif()
    expect(resultFor(log, 'invalid-manifest', 7).locations[0].physicalLocation.region).toStrictEqual({
      startLine: 7,
      startColumn: 3,
      endLine: 7
    })
    expect(resultFor(log, 'unresolved-reference', 9).locations[0].physicalLocation.region).toStrictEqual({
      startLine: 9,
      startColumn: 18,
      endLine: 10,
      endColumn: 12
    })
    expect(resultFor(log, 'mutable-tag', 44).locations[0].physicalLocation.artifactLocation.uri).toBe('k8s/api.yaml')
    expect(resultFor(log, 'digest-mismatch', 40).locations[0].physicalLocation.artifactLocation.uri).toBe(ODD_URI)
  })

  test('fingerprints survive line moves and input order, and tell apart the same image twice in a file', () => {
    const before = fingerprints(sarif())
    const moved = FINDINGS.map((f) => ({ ...f, line: f.line + 10, endLine: f.endLine + 10 }))
    expect(fingerprints(sarif(moved))).toEqual(before)
    const reversed = fingerprints(sarif([...FINDINGS].reverse()))
    expect(reversed).toEqual([...before].reverse())

    for (const fingerprint of before) expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(new Set(before).size).toBe(FINDINGS.length)
    const log = sarif()
    const first = resultFor(log, 'mutable-tag', 12).partialFingerprints['pullgate/v1']
    const second = resultFor(log, 'mutable-tag', 44).partialFingerprints['pullgate/v1']
    expect(first).not.toBe(second)
    expect(first).toBe(sha256(['mutable-tag', 'k8s/api.yaml', 'redis:latest', '0'].join('\0')))
    expect(second).toBe(sha256(['mutable-tag', 'k8s/api.yaml', 'redis:latest', '1'].join('\0')))
    expect(resultFor(log, 'invalid-manifest', 7).partialFingerprints['pullgate/v1']).toBe(
      sha256(['invalid-manifest', 'k8s/broken.yaml', '', '0'].join('\0'))
    )

    const renamed = FINDINGS.map((f) => (f.rule === 'tag-not-found' ? { ...f, image: 'nginx:latets' } : f))
    const changed = fingerprints(sarif(renamed))
    expect(changed.filter((fp, i) => fp !== before[i])).toHaveLength(1)
  })

  test('output is deterministic', () => {
    expect(JSON.stringify(sarif())).toBe(JSON.stringify(sarif()))
    expect(JSON.stringify(sarif())).not.toMatch(/\d{4}-\d{2}-\d{2}T/)
  })

  test('every rule of the catalog has a rule entry, in catalog order, with its help', () => {
    const rules = run(sarif([])).tool.driver.rules
    expect(rules.map((r) => r.id)).toEqual(Object.keys(RULES))
    expect(Object.keys(RULE_HELP)).toEqual(Object.keys(RULES))
    for (const rule of rules) {
      expect(rule.help).toStrictEqual(RULE_HELP[rule.id])
      expect(rule.help.text.trim()).not.toBe('')
      expect(rule.help.markdown.trim()).not.toBe('')
      expect(rule.fullDescription.text.trim()).not.toBe('')
      expect(rule.shortDescription.text).toBe(RULES[rule.id as keyof typeof RULES].summary)
      expect(rule.properties.tags.slice(0, 2)).toEqual(['kubernetes', 'containers'])
      expect(rule.properties.tags[2]).toMatch(/^[a-z-]+$/)
    }
  })
})

describe('sarifDocument', () => {
  test('a 2,000-result log is written a result at a time, never as one string, and reads back as buildSarif gives it', () => {
    const findings = Array.from({ length: 2000 }, (_, i): Finding => ({ ...FINDINGS[0]!, line: i + 1, endLine: i + 1 }))
    const chunks = [...sarifDocument(findings, { toolVersion: '1.2.3' })]
    const text = chunks.join('')
    expect(text).toBe(`${JSON.stringify(buildSarif(findings, { toolVersion: '1.2.3' }), null, 2)}\n`)
    // the largest piece is the rules table or one result: a small fraction of the whole
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(text.length / 20)
  })
})

describe('scripts/rules-help.js', () => {
  const script = path.join(ROOT, 'scripts', 'rules-help.js')
  const runScript = (file: string, ...args: string[]) =>
    spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', timeout: 30_000 })

  test('--check: src/rules/help.generated.ts is what docs/rules.md gives', () => {
    const result = runScript(script, '--check')
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })

  test('--check fails in one line on a stale file, and the generator on a rule without a section', () => {
    // a copy of the script in a scratch tree: it reads and writes relative to its own location
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-rules-help-'))
    try {
      for (const file of ['scripts/rules-help.js', 'docs/rules.md', 'src/rules/catalog.ts', 'src/rules/help.generated.ts']) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
        copyFileSync(path.join(ROOT, file), path.join(dir, file))
      }
      const copy = path.join(dir, 'scripts', 'rules-help.js')
      expect(runScript(copy, '--check').status).toBe(0)

      const docs = path.join(dir, 'docs', 'rules.md')
      writeFileSync(docs, readFileSync(docs, 'utf8').replace('Use an existing tag, or push the missing one.', 'Use an existing tag.'))
      const stale = runScript(copy, '--check')
      expect(stale.status).toBe(1)
      expect(stale.stderr.trim().split('\n')).toHaveLength(1)
      expect(stale.stderr).toContain('help.generated.ts is stale')

      expect(runScript(copy).status).toBe(0)
      expect(runScript(copy, '--check').status).toBe(0)
      expect(readFileSync(path.join(dir, 'src/rules/help.generated.ts'), 'utf8')).toContain('Use an existing tag."')

      writeFileSync(docs, readFileSync(docs, 'utf8').replace('\n## digest-not-found\n', '\n## digest-not-found-renamed\n'))
      const missing = runScript(copy)
      expect(missing.status).toBe(1)
      expect(missing.stderr.trim().split('\n')).toHaveLength(1)
      expect(missing.stderr).toContain('digest-not-found')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
