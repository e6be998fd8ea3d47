// Generates src/rules/help.generated.ts from docs/rules.md: for every rule id of the catalog, its
// section's Markdown and a plain-text version of it (SARIF's help.markdown and help.text).
//
//   node scripts/rules-help.js           write the file
//   node scripts/rules-help.js --check   exit 1 when the file is not what docs/rules.md gives
//
// Imports nothing from src/: the catalog's ids are read from src/rules/catalog.ts's `id: '…'` lines.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DOCS = 'docs/rules.md'
const CATALOG = 'src/rules/catalog.ts'
const TARGET = 'src/rules/help.generated.ts'

function main(args) {
  const unknown = args.filter((a) => a !== '--check')
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (usage: node scripts/rules-help.js [--check])`)
  const ids = catalogIds(read(CATALOG))
  const sections = ruleSections(read(DOCS))
  const missing = ids.filter((id) => !sections.has(id))
  if (missing.length > 0) throw new Error(`${DOCS} has no "## <id>" section for rule ${missing.join(', ')}`)
  const output = render(ids.map((id) => ({ id, markdown: sections.get(id), text: plainText(sections.get(id)) })))

  if (args.includes('--check')) {
    let current = null
    try {
      current = read(TARGET)
    } catch {
      // missing: stale
    }
    if (current !== output) throw new Error(`${TARGET} is stale: run node scripts/rules-help.js after changing ${DOCS} or ${CATALOG}`)
    return
  }
  writeFileSync(path.join(root, TARGET), output)
}

function read(file) {
  return readFileSync(path.join(root, file), 'utf8').replace(/\r\n?/g, '\n')
}

/** The catalog's rule ids, in catalog order. */
function catalogIds(source) {
  const ids = [...source.matchAll(/^\s*id:\s*'([^']+)'/gm)].map((m) => m[1])
  if (ids.length === 0) throw new Error(`no "id: '...'" line found in ${CATALOG}`)
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i)
  if (duplicate) throw new Error(`rule id ${duplicate} appears twice in ${CATALOG}`)
  return ids
}

/** Every level-2 section of the document: heading text → trimmed body (up to the next level-1 or -2 heading). */
function ruleSections(markdown) {
  const sections = new Map()
  let current = null
  let fence = null
  const close = () => {
    if (!current) return
    // a thematic break (---) that only separates this section from the next is not part of it
    const body = current.lines.join('\n').trim().replace(/\n+(?:-{3,}|\*{3,}|_{3,})$/, '').trim()
    if (sections.has(current.heading)) throw new Error(`${DOCS} has two "## ${current.heading}" sections`)
    sections.set(current.heading, body)
    current = null
  }
  for (const line of markdown.split('\n')) {
    const fenceMark = /^ {0,3}(`{3,}|~{3,})/.exec(line)
    if (fence) {
      if (fenceMark && fenceMark[1][0] === fence[0] && fenceMark[1].length >= fence.length && line.trim() === fenceMark[1]) fence = null
    } else if (fenceMark) {
      fence = fenceMark[1]
    } else {
      const heading = /^ {0,3}(#{1,2})\s+(.*?)(?:\s+#+)?\s*$/.exec(line)
      if (heading) {
        close()
        if (heading[1] === '##') current = { heading: heading[2], lines: [] }
        continue
      }
    }
    if (current) current.lines.push(line)
  }
  close()
  return sections
}

/**
 * Markdown to plain text: fences dropped (the code kept as written), paragraphs and list items
 * unwrapped to one line each, and emphasis, code backticks, links and backslash escapes removed.
 */
function plainText(markdown) {
  const blocks = []
  let prose = []
  let code = null
  const flush = () => {
    if (prose.length > 0) blocks.push(...paragraphs(prose))
    prose = []
  }
  for (const line of markdown.split('\n')) {
    const fenceMark = /^ {0,3}(`{3,}|~{3,})/.exec(line)
    if (code) {
      if (fenceMark && fenceMark[1][0] === code.fence[0] && fenceMark[1].length >= code.fence.length && line.trim() === fenceMark[1]) {
        blocks.push(dedent(code.lines).join('\n'))
        code = null
      } else code.lines.push(line)
    } else if (fenceMark) {
      flush()
      code = { fence: fenceMark[1], lines: [] }
    } else prose.push(line)
  }
  if (code) blocks.push(dedent(code.lines).join('\n'))
  flush()
  return blocks.filter((b) => b.trim() !== '').join('\n\n')
}

/**
 * Prose lines to text blocks: blank lines and headings separate them; within a block a paragraph
 * is unwrapped to one line (a soft line break is a space) and so is each list item.
 */
function paragraphs(lines) {
  const blocks = []
  let units = []
  let unit = null
  const endUnit = () => {
    if (unit) units.push(unit.prefix + inline(unit.lines.map((l) => l.trim()).join(' ')))
    unit = null
  }
  const endBlock = () => {
    endUnit()
    if (units.length > 0) blocks.push(units.join('\n'))
    units = []
  }
  for (const line of lines) {
    const list = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(line)
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)
    if (line.trim() === '' || /^ {0,3}(?:-{3,}|\*{3,}|_{3,})\s*$/.test(line)) {
      endBlock()
    } else if (heading) {
      endBlock()
      blocks.push(inline(heading[1]))
    } else if (list) {
      endUnit()
      unit = { prefix: `${list[1]}${list[2]} `, lines: [list[3]] }
    } else if (unit) {
      unit.lines.push(line)
    } else {
      unit = { prefix: '', lines: [line] }
    }
  }
  endBlock()
  return blocks
}

/** Inline Markdown to text: code spans kept verbatim without backticks, links to their text, emphasis dropped. */
function inline(text) {
  const spans = []
  const hold = (s) => `\u0000${spans.push(s) - 1}\u0000`
  let out = text.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_, _ticks, body) => {
    const content = body.replace(/\n/g, ' ')
    return hold(/^ .*[^ ].* $/.test(content) ? content.slice(1, -1) : content)
  })
  out = out
    .replace(/!?\[([^\]]*)\]\([^)\s]*(?:\s+"[^"]*")?\)/g, '$1') // [text](url), ![alt](src)
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1') // [text][ref]
    .replace(/<(https?:\/\/[^>\s]+)>/g, '$1') // <https://…>
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*]*?[^\s*])\*(?![\w*])/g, '$1$2')
    .replace(/(^|[^\w])_(?=[^\s_])([^_]*?[^\s_])_(?!\w)/g, '$1$2')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
  return out.replace(/\u0000(\d+)\u0000/g, (_, i) => spans[Number(i)])
}

function dedent(lines) {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)[0].length)
  const cut = indents.length > 0 ? Math.min(...indents) : 0
  return lines.map((l) => l.slice(cut))
}

function render(entries) {
  const body = entries
    .map((e) => `  '${e.id}': {\n    markdown: ${literal(e.markdown)},\n    text: ${literal(e.text)}\n  }`)
    .join(',\n')
  return (
    `// Generated by scripts/rules-help.js from docs/rules.md: do not edit.\n` +
    `// Change docs/rules.md, then run \`node scripts/rules-help.js\` (a test runs it with --check).\n\n` +
    `/** Each rule's page of docs/rules.md: its Markdown and a plain-text version (SARIF's help). */\n` +
    `export const RULE_HELP: Record<string, { markdown: string; text: string }> = {\n${body}\n}\n`
  )
}

/** A TypeScript string literal (JSON's escaping, with U+2028/U+2029 escaped too). */
function literal(s) {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

try {
  main(process.argv.slice(2))
} catch (error) {
  console.error(`rules-help: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
