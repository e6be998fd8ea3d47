import { parseAllDocuments, type Document, type YAMLError } from 'yaml'
import { LineIndex } from './line-index.js'
import type { Span } from '../findings/finding.js'

/** Options of the YAML reader, chosen to read what `kubectl apply` (go-yaml, YAML 1.1 merges) reads. */
const YAML_OPTIONS = {
  // sigs.k8s.io/yaml honours `<<` merge keys (YAML 1.1); kube-linter's fixtures rely on it
  merge: true,
  // go-yaml keeps the last of duplicate keys instead of refusing the file
  uniqueKeys: false,
  prettyErrors: true,
  keepSourceTokens: false
} as const

/** A problem found while reading a file, before any image is looked at. */
export interface ReadProblem extends Span {
  readonly rule: 'invalid-manifest' | 'manifest-recovered' | 'unresolved-reference'
  readonly message: string
}

/** Maps an offset of the parsed text to a position in the file as the user wrote it. */
export interface PositionMap {
  position(offset: number): { line: number; column: number }
  /** the text that was parsed (the user's text, or a repaired copy of it) */
  readonly text: string
}

/** A file read as YAML: its documents that can be trusted, and what could not be read. */
export interface ParsedManifest {
  readonly documents: ReadonlyArray<{ readonly index: number; readonly document: Document.Parsed }>
  readonly positions: PositionMap
  readonly problems: ReadProblem[]
  /** true when the file may be a Kubernetes manifest (parsed or not) */
  readonly looksLikeKubernetes: boolean
}

/** At most this many repairs of flow-collection indentation per file (each one re-parses it). */
const MAX_REPAIRS = 20

/**
 * Reads every document of a YAML or JSON file with exact positions. Documents with syntax errors
 * are not used: a file `kubectl` would reject is reported, at the parser's line and column, only
 * when it looks like a Kubernetes manifest (broken GitHub workflows or Helm values are not ours
 * to judge). One go-yaml leniency that `kubectl` users depend on is recovered: see
 * {@link repairFlowIndentation}.
 */
export function parseManifest(rawText: string): ParsedManifest {
  // A BOM is not part of the first line's columns in any editor or in GitHub's annotations.
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText
  const looksLikeKubernetesText = looksLikeKubernetes(text)
  let docs: Document.Parsed[] = parseDocuments(text)
  let positions: PositionMap = lineMap(text)
  const problems: ReadProblem[] = []

  if (hasErrors(docs) && looksLikeKubernetesText) {
    const repaired = repairFlowIndentation(text, docs)
    if (repaired) {
      docs = repaired.docs
      positions = repaired.positions
      problems.push(recoveredProblem(repaired.repairs, text))
    }
  }

  const usable: Array<{ index: number; document: Document.Parsed }> = []
  docs.forEach((document, index) => {
    if (document.errors.length === 0) usable.push({ index, document })
  })
  if (hasErrors(docs)) {
    const problem = describeUnreadable(text, docs, positions, looksLikeKubernetesText)
    if (problem) problems.push(problem)
  }
  return { documents: usable, positions, problems, looksLikeKubernetes: looksLikeKubernetesText }
}

/** True when the text has `apiVersion` and `kind` keys, in YAML or JSON spelling: it may be a manifest. */
export function looksLikeKubernetes(text: string): boolean {
  return KUBERNETES_KEYS.every((re) => re.test(text))
}

// A manifest has `apiVersion` and `kind` keys, in YAML or JSON spelling.
const KUBERNETES_KEYS = [/(^|[\s{,])["']?apiVersion["']?\s*:/m, /(^|[\s{,])["']?kind["']?\s*:/m]
const TEMPLATE_DIRECTIVE = /\{\{|\{%/

/** Every document of a YAML stream, read as kubectl reads it (errors kept on each document). */
export function parseDocuments(text: string): Document.Parsed[] {
  const parsed = withParserEnv(() => parseAllDocuments(text, YAML_OPTIONS))
  // an empty stream is an EmptyStream object, not an array; it has no documents
  return Array.isArray(parsed) ? (parsed as Document.Parsed[]) : []
}

/** What the YAML parser sees as its environment: nothing (see {@link withParserEnv}). */
const PARSER_ENV: NodeJS.ProcessEnv = Object.freeze({})

/**
 * Runs `parse` with `process.env` swapped for an empty object. The yaml package's parser reads
 * `process.env.LOG_TOKENS` once per token (a debugging switch that prints every token to stdout,
 * which would corrupt a JSON report), and every read of the real `process.env` is a call into
 * the runtime: on bench/full.js's 5,000 files that made parsing take ~2.4 s instead of ~1.3 s.
 * Parsing is synchronous, so no other code sees the swap.
 */
function withParserEnv<T>(parse: () => T): T {
  const real = process.env
  process.env = PARSER_ENV
  try {
    return parse()
  } finally {
    process.env = real
  }
}

function hasErrors(docs: Document.Parsed[]): boolean {
  return docs.some((d) => d.errors.length > 0)
}

function lineMap(text: string): PositionMap {
  const index = new LineIndex(text)
  return { text, position: (offset) => index.position(offset) }
}

function describeUnreadable(
  text: string,
  docs: Document.Parsed[],
  positions: PositionMap,
  looksLikeKubernetes: boolean
): ReadProblem | undefined {
  const first = docs.flatMap((d) => d.errors)[0]!
  const template = TEMPLATE_DIRECTIVE.exec(text)
  if (template) {
    // An unrendered Helm or Go template: not broken, just not a manifest yet.
    const at = positions.position(template.index)
    return {
      rule: 'unresolved-reference',
      ...pointSpan(at),
      message:
        `This file is an unrendered template ("${text.slice(template.index, template.index + 2)}" at line ${at.line}) ` +
        `and is not valid YAML until rendered (${firstLine(first)}), so its images cannot be checked. ` +
        'Render it (e.g. `helm template … > rendered.yaml`) and point pullgate at the output.'
    }
  }
  if (!looksLikeKubernetes) return undefined
  if (/Maximum call stack size exceeded/.test(first.message)) {
    // block or flow nesting deeper than the parser can recurse: say so, at a position that does not depend on the stack size
    return {
      rule: 'invalid-manifest',
      ...pointSpan({ line: 1, column: 1 }),
      message: 'This file nests collections deeper than the YAML parser can follow (a thousand levels or so), more than any manifest needs, so it was not read and its images were not checked.'
    }
  }
  const at = errorPosition(first, positions)
  const failed = docs.filter((d) => d.errors.length > 0).length
  const scope = docs.length > 1 ? ` (${failed} of ${docs.length} documents could not be read; the others were checked)` : ''
  return {
    rule: 'invalid-manifest',
    ...pointSpan(at),
    message:
      `This file is not valid YAML: ${firstLine(first)}${scope}. ` +
      '`kubectl apply` would reject it and none of the images in the broken document were checked. Fix the syntax at this position.'
  }
}

/** Where a YAML syntax error is, as an editor shows it. */
export function errorPosition(error: YAMLError, positions: PositionMap): { line: number; column: number } {
  // the yaml package points at the indentation token; the reader wants the first character after it
  let offset = error.pos[0]
  while (positions.text[offset] === ' ' || positions.text[offset] === '\t') offset++
  return positions.position(offset)
}

/** A YAML error's sentence, without the position and code excerpt the pretty form appends. */
export function firstLine(error: YAMLError): string {
  // yaml's pretty errors append " at line L, column C:" and a code excerpt: keep the sentence only
  return error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

function pointSpan(at: { line: number; column: number }): Span {
  return { line: at.line, column: at.column, endLine: at.line, endColumn: at.column + 1 }
}

interface Repair {
  readonly line: number
  readonly added: number
}

const FLOW_INDENT_ERROR = /^Flow (sequence|mapping) in block collection must be sufficiently indented/

/**
 * go-yaml, which `kubectl` uses, accepts a flow collection whose closing line (`"]`) is indented no
 * deeper than its parent key; the YAML 1.2 spec and the `yaml` package do not (argo-workflows'
 * examples/ci.yaml is such a file). Indenting that line one column past its parent makes the
 * document mean exactly what go-yaml reads, so do that on a copy, re-parse, and map positions on
 * the shifted lines back to the user's columns.
 */
function repairFlowIndentation(
  text: string,
  firstTry: Document.Parsed[]
): { docs: Document.Parsed[]; positions: PositionMap; repairs: Repair[] } | undefined {
  const lines = text.split('\n')
  const repairs: Repair[] = []
  let docs = firstTry
  for (let attempt = 0; attempt < MAX_REPAIRS; attempt++) {
    const error = docs.flatMap((d) => d.errors).find((e) => e.code === 'BAD_INDENT' && FLOW_INDENT_ERROR.test(e.message))
    if (!error) break
    const lineNo = error.linePos?.[0].line
    if (!lineNo || repairs.some((r) => r.line === lineNo)) return undefined
    const needed = parentIndent(lines, lineNo - 1) + 1
    const current = indentOf(lines[lineNo - 1]!)
    if (needed <= current) return undefined
    lines[lineNo - 1] = ' '.repeat(needed - current) + lines[lineNo - 1]
    repairs.push({ line: lineNo, added: needed - current })
    docs = parseDocuments(lines.join('\n'))
  }
  if (repairs.length === 0 || hasErrors(docs)) return undefined
  const repairedText = lines.join('\n')
  const index = new LineIndex(repairedText)
  const shifts = new Map(repairs.map((r) => [r.line, r.added]))
  return {
    docs,
    repairs,
    positions: {
      text: repairedText,
      position(offset) {
        const at = index.position(offset)
        const shift = shifts.get(at.line) ?? 0
        return { line: at.line, column: Math.max(1, at.column - shift) }
      }
    }
  }
}

/** Indentation of the nearest line above `index` that is no deeper than it: the collection's parent. */
function parentIndent(lines: string[], index: number): number {
  const own = indentOf(lines[index]!)
  for (let i = index - 1; i >= 0; i--) {
    const line = lines[i]!
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const indent = indentOf(line)
    if (indent <= own) return indent
  }
  return own
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length
}

function recoveredProblem(repairs: Repair[], text: string): ReadProblem {
  const first = repairs[0]!
  const at = { line: first.line, column: indentOf(new LineIndex(text).lineText(first.line)) + 1 }
  const where = repairs.map((r) => r.line).join(', ')
  return {
    rule: 'manifest-recovered',
    ...pointSpan(at),
    message:
      `Line${repairs.length > 1 ? 's' : ''} ${where} close${repairs.length > 1 ? '' : 's'} a flow collection ("]" or "}") without indenting it past its parent key. ` +
      '`kubectl` (go-yaml) accepts this, so pullgate read the file as kubectl does and checked every image in it, but strict YAML 1.2 parsers ' +
      '(the `yaml` package, yamllint, many editors) reject the file. Indent that line past its parent key to make it portable.'
  }
}
