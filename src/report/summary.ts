import type { Finding } from '../findings/finding.js'
import type { JsonReport } from './json.js'
import { countLine, plural } from './text.js'

/** GitHub refuses a step summary over 1 MiB; stay well inside it (docs, "Adding a job summary"). */
export const SUMMARY_BYTE_BUDGET = 900 * 1024

/** Links a file and line to where a reader can open it (the action points at the commit on GitHub). */
export type FileLinker = (file: string, line: number) => string | undefined

const ICON: Record<Finding['severity'], string> = { error: '❌ error', warning: '⚠️ warning', notice: 'ℹ️ notice' }

/**
 * The job summary in GitHub-flavoured Markdown: a verdict, counts, a table of findings and a
 * table of images, trimmed to a byte budget with a line that says what was left out.
 */
export function formatSummary(report: JsonReport, options: { failed: boolean; link?: FileLinker; budget?: number; preface?: readonly string[] }): string {
  const budget = options.budget ?? SUMMARY_BYTE_BUDGET
  const s = report.summary
  const verdict = options.failed ? '❌ failed' : s.errors + s.warnings === 0 ? '✅ passed' : '✅ passed with warnings'
  const head = [`## pullgate ${verdict}`, '', countLine(s, report.mode), '', ...(options.preface ?? []).flatMap((line) => [line, ''])]
  if (s.suppressed > 0) head.push(`${plural(s.suppressed, 'finding')} suppressed by \`# pullgate-ignore\` comments or \`ignore\` globs (listed in the JSON report).`, '')
  // rows are made as they are added: a 13,000-finding run's table would be ~12 MB, of which 900 KiB is shown
  const findingRow = (f: JsonReport['findings'][number]) =>
    row([ICON[f.severity], code(f.rule), f.image === undefined ? '' : code(f.image), location(f.file, f.line, options.link), cell(f.message)])
  const imageRow = (i: JsonReport['images'][number]) =>
    row([
      code(i.image),
      i.reference === null ? '—' : code(i.reference),
      i.digest ? code(i.digest) : '—',
      i.mediaType ? code(shortMediaType(i.mediaType)) : '—',
      i.platforms && i.platforms.length > 0 ? i.platforms.join('<br>') : '—',
      i.size !== undefined ? humanBytes(i.size) : '—',
      String(i.locations.length),
      i.locations
        .slice(0, 5)
        .map((l) => location(l.file, l.line, options.link))
        .join('<br>') + (i.locations.length > 5 ? `<br>… ${i.locations.length - 5} more` : '')
    ])
  const parts: string[] = [...head]
  let used = byteLength(head.join('\n'))
  const addTable = <T>(title: string, header: string[], items: readonly T[], toRow: (item: T) => string, noun: string, collapsed = false) => {
    // a collapsed table still renders as Markdown: GitHub needs the blank line after <summary>
    const top = [collapsed ? `<details><summary><b>${title}</b> (${items.length})</summary>\n` : `### ${title}`, '', row(header), row(header.map(() => '---'))]
    parts.push(...top)
    used += byteLength(top.join('\n'))
    let shown = 0
    for (const item of items) {
      const r = toRow(item)
      // leave room for the second table's header and the "more" lines
      if (used + byteLength(r) + 2048 > budget) break
      parts.push(r)
      used += byteLength(r) + 1
      shown++
    }
    if (shown < items.length) parts.push('', `… and ${plural(items.length - shown, noun)} more, in the JSON report.`)
    parts.push('')
    if (collapsed) parts.push('</details>', '')
  }
  if (report.findings.length > 0) addTable('Findings', ['Severity', 'Rule', 'Image', 'Location', 'Message'], report.findings, findingRow, 'finding')
  if (report.images.length > 0) addTable('Images', ['Image', 'Reference', 'Digest', 'Media type', 'Platforms', 'Size', 'Uses', 'Where'], report.images, imageRow, 'image', true)
  return `${parts.join('\n')}\n`
}

/** `application/vnd.oci.image.index.v1+json` → `OCI index`: the table stays readable. */
function shortMediaType(mediaType: string): string {
  const known: Record<string, string> = {
    'application/vnd.oci.image.index.v1+json': 'OCI index',
    'application/vnd.oci.image.manifest.v1+json': 'OCI manifest',
    'application/vnd.docker.distribution.manifest.list.v2+json': 'Docker manifest list',
    'application/vnd.docker.distribution.manifest.v2+json': 'Docker v2 schema 2',
    'application/vnd.docker.distribution.manifest.v1+prettyjws': 'Docker v2 schema 1 (signed)',
    'application/vnd.docker.distribution.manifest.v1+json': 'Docker v2 schema 1'
  }
  return known[mediaType] ?? mediaType
}

function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')
}

function code(text: string): string {
  // a backtick inside would end the code span early; GitHub renders `` ` `` spans poorly, so drop to plain text
  return text.includes('`') ? cell(text) : `\`${cell(text)}\``
}

function location(file: string, line: number, link?: FileLinker): string {
  const label = `${cell(file)}:${line}`
  const url = link?.(file, line)
  return url ? `[${label}](${url})` : label
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
