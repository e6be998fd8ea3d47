import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { ImageExtractor } from '../../src/manifests/extract.js'
import { parseManifest } from '../../src/manifests/parse.js'

/** Extracts images from YAML text in memory, the way the engine does for a file. */
function imagesOf(text: string) {
  const parsed = parseManifest(text)
  return parsed.documents.flatMap(({ index, document }) =>
    new ImageExtractor('m.yaml', index, document, parsed.positions, { maxAliasExpansions: 10_000 }).extract().images
  )
}

/** The text at a 1-based line and code-point column range, as an editor shows it. */
function textAt(text: string, line: number, column: number, endColumn: number): string {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''))
  return [...lines[line - 1]!].slice(column - 1, endColumn - 1).join('')
}

const imageText = fc.stringMatching(/^[a-z0-9][a-z0-9./:@_-]{0,60}$/).filter((s) => !/[:-]$/.test(s) && !s.includes(': ') && !s.includes(' #'))
const style = fc.constantFrom('plain', 'single', 'double', 'folded', 'flow')
const prefix = fc.array(fc.constantFrom('# comment ✓ 𝄞\n', '\n', '---\n', 'x-note: "é"\n---\n'), { maxLength: 3 })

function manifest(image: string, how: string, indent: number, lead: string[]): string {
  const pad = ' '.repeat(indent)
  const value =
    how === 'single' ? `'${image}'` : how === 'double' ? `"${image}"` : how === 'folded' ? `>-\n${pad}    ${image}` : image
  const container =
    how === 'flow' ? `${pad}- {name: c, image: ${image}}\n` : `${pad}- name: c\n${pad}  image: ${value}\n`
  return `${lead.join('')}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n${container}`
}

describe('image positions', () => {
  test('for any image text, scalar style, indentation, preamble, CRLF and BOM, line:column points at the image as written', () => {
    fc.assert(
      fc.property(imageText, style, fc.integer({ min: 2, max: 8 }), prefix, fc.boolean(), fc.boolean(), (image, how, indent, lead, crlf, bom) => {
        let text = manifest(image, how, indent, lead)
        if (crlf) text = text.replace(/\n/g, '\r\n')
        if (bom) text = `\uFEFF${text}`
        const found = imagesOf(text)
        expect(found).toHaveLength(1)
        const o = found[0]!
        expect(o.image).toBe(image)
        expect(textAt(text, o.line, o.column, o.endColumn)).toBe(image)
      }),
      { numRuns: 400 }
    )
  })

  test('columns count code points: an astral character before the image does not shift it', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: "𝄞", image: nginx:1.25}]}\n'
    const [o] = imagesOf(text)
    expect([o!.line, o!.column, o!.endColumn]).toEqual([4, 40, 50])
  })

  test('an alias bomb is refused with a finding instead of exhausting memory', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`)
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n${levels.join('\n')}\ndata: {containers: *i}\n`
    const parsed = parseManifest(text)
    const result = new ImageExtractor('bomb.yaml', 0, parsed.documents[0]!.document, parsed.positions, { maxAliasExpansions: 10_000 }).extract()
    expect(result.images).toEqual([])
    expect(result.problem?.message).toBe(
      'This document expands more than 10000 aliases, more than any manifest needs (a YAML alias bomb?), so it was not read.'
    )
  })
})

describe('the parser and the environment', () => {
  test('a YAML debugging switch in the environment prints nothing, and process.env is the real one afterwards', () => {
    const env = process.env
    const write = process.stdout.write
    const printed: string[] = []
    process.stdout.write = ((chunk: string) => printed.push(String(chunk)) > 0) as typeof process.stdout.write
    const log = console.log
    console.log = (...args: unknown[]) => void printed.push(args.join(' '))
    process.env.LOG_TOKENS = '1'
    try {
      expect(imagesOf('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx:1.27\n').map((o) => o.image)).toEqual(['nginx:1.27'])
    } finally {
      delete process.env.LOG_TOKENS
      process.stdout.write = write
      console.log = log
    }
    expect(printed).toEqual([])
    expect(process.env).toBe(env)
  })
})
