import type { Finding } from '../findings/finding.js'
import { selectAnnotations } from './annotations.js'

/** The annotation properties @actions/core sends, in its order (title, file, line, endLine, col, endColumn). */
export interface AnnotationProperties {
  title?: string
  file?: string
  startLine?: number
  endLine?: number
  startColumn?: number
  endColumn?: number
}

/**
 * The properties of one finding's annotation. Columns only when the span is on one line: GitHub
 * ignores them otherwise (core.ts: "Cannot be sent when startLine and endLine are different").
 */
export function annotationProperties(f: Finding): AnnotationProperties {
  const single = f.endLine === f.line
  return {
    title: f.rule,
    file: f.file,
    startLine: f.line,
    endLine: single ? f.line : f.endLine,
    ...(single ? { startColumn: f.column, endColumn: Math.max(f.endColumn, f.column) } : {})
  }
}

/** `--format github`: the same `::error …::` lines the action prints through @actions/core. */
export function formatWorkflowCommands(findings: readonly Finding[]): string {
  const { shown, overflow } = selectAnnotations(findings)
  const lines = shown.map((f) => command(f.severity, annotationProperties(f), f.message))
  if (overflow) lines.push(command('notice', {}, overflow))
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

function command(level: string, props: AnnotationProperties, message: string): string {
  const pairs: Array<[string, string | number | undefined]> = [
    ['title', props.title],
    ['file', props.file],
    ['line', props.startLine],
    ['endLine', props.endLine],
    ['col', props.startColumn],
    ['endColumn', props.endColumn]
  ]
  const rendered = pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
  return `::${level}${rendered.length > 0 ? ` ${rendered.join(',')}` : ''}::${escapeData(message)}`
}

// Same escaping as @actions/core's command.ts, so the two outputs are byte-identical.
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}
