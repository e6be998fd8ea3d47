import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { InvalidReferenceError, parseReference } from '../../src/images/reference.js'
import { ImageExtractor } from '../../src/manifests/extract.js'
import { LineIndex } from '../../src/manifests/line-index.js'
import { parseManifest } from '../../src/manifests/parse.js'
import { applyPinEdits, pinnedImage, type PinEdit } from '../../src/pin/rewrite.js'

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`
const OTHER_DIGEST = `sha256:${'fedcba9876543210'.repeat(4)}`

/** Images of YAML or JSON text with their spans, found the way the engine finds them in a file. */
function imagesOf(text: string) {
  const parsed = parseManifest(text)
  return parsed.documents.flatMap(({ index, document }) =>
    new ImageExtractor('m.yaml', index, document, parsed.positions, { maxAliasExpansions: 10_000 }).extract().images
  )
}

/** One pin edit per image occurrence, as the `pin` option builds them: the parsed image is what must be at the span. */
function pinEdits(text: string, digest = DIGEST): PinEdit[] {
  return imagesOf(text).map((o) => ({
    line: o.line,
    column: o.column,
    endColumn: o.endColumn,
    expected: o.image,
    replacement: pinnedImage(o.image, digest)
  }))
}

/** Equal as strings and as the UTF-8 bytes written back to disk. */
function expectSameBytes(actual: string, expected: string): void {
  expect(actual).toBe(expected)
  expect(Buffer.from(actual, 'utf8').equals(Buffer.from(expected, 'utf8'))).toBe(true)
}

/** Pins every image of a file and checks the result byte for byte; also that it reads back as the pinned images. */
function expectPinned(before: string, after: string): void {
  const edits = pinEdits(before)
  expect(edits.length).toBeGreaterThan(0)
  const result = applyPinEdits(before, edits)
  expect(result.skipped).toEqual([])
  expect(result.applied).toEqual(edits)
  expectSameBytes(result.text, after)
  expect(imagesOf(result.text).map((o) => o.image)).toEqual(imagesOf(before).map((o) => pinnedImage(o.image, DIGEST)))
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n'

describe('applyPinEdits on real manifests', () => {
  test('a comment after the image stays, with its spacing', () => {
    expectPinned(`${POD}  - name: web\n    image: nginx:1.25 # web\n`, `${POD}  - name: web\n    image: nginx:1.25@${DIGEST} # web\n`)
  })

  test('tabs in a comment stay tabs', () => {
    expectPinned(
      `${POD}  - name: web\n    image: nginx:1.25\t#\tweb\tserver\t\n`,
      `${POD}  - name: web\n    image: nginx:1.25@${DIGEST}\t#\tweb\tserver\t\n`
    )
  })

  test('single- and double-quoted images keep their quotes', () => {
    expectPinned(
      `${POD}  - name: a\n    image: 'nginx:1.25'\n  - name: b\n    image: "redis:7" # cache\n`,
      `${POD}  - name: a\n    image: 'nginx:1.25@${DIGEST}'\n  - name: b\n    image: "redis:7@${DIGEST}" # cache\n`
    )
  })

  test('a `>-` folded block image is rewritten on its content line', () => {
    expectPinned(
      `${POD}  - name: a\n    image: >-\n      nginx:1.25\n    imagePullPolicy: IfNotPresent\n`,
      `${POD}  - name: a\n    image: >-\n      nginx:1.25@${DIGEST}\n    imagePullPolicy: IfNotPresent\n`
    )
  })

  test('flow style: only the image inside the flow mapping changes', () => {
    const head = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n'
    expectPinned(
      `${head}  containers: [{name: a, image: nginx:1.25}, {name: b, image: redis}]\n`,
      `${head}  containers: [{name: a, image: nginx:1.25@${DIGEST}}, {name: b, image: redis@${DIGEST}}]\n`
    )
  })

  test('JSON, pretty and on one line', () => {
    const pretty = (image: string) =>
      `{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "p"},\n  "spec": {\n    "containers": [\n      {"name": "a", "image": "${image}"}\n    ]\n  }\n}\n`
    expectPinned(pretty('nginx:1.25'), pretty(`nginx:1.25@${DIGEST}`))
    const oneLine = (image: string) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"${image}"}]}}`
    expectPinned(oneLine('ghcr.io/o/app:v2'), oneLine(`ghcr.io/o/app:v2@${DIGEST}`))
  })

  test('an anchored image used by two containers is one span listed twice: written once, both edits applied', () => {
    const before = `${POD}  - name: a\n    image: &img nginx:1.25\n  - name: b\n    image: *img\n`
    const edits = pinEdits(before)
    expect(edits).toHaveLength(2)
    expect(edits[1]).toEqual(edits[0])
    const result = applyPinEdits(before, edits)
    expectSameBytes(result.text, `${POD}  - name: a\n    image: &img nginx:1.25@${DIGEST}\n  - name: b\n    image: *img\n`)
    expect(result.applied).toEqual(edits)
    expect(result.skipped).toEqual([])
  })

  test('CRLF line endings throughout stay CRLF', () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n')
    expectPinned(
      crlf(`${POD}  - name: a\n    image: nginx:1.25 # web\n  - name: b\n    image: "redis:7"\n`),
      crlf(`${POD}  - name: a\n    image: nginx:1.25@${DIGEST} # web\n  - name: b\n    image: "redis:7@${DIGEST}"\n`)
    )
  })

  test('mixed LF and CRLF line endings are each kept', () => {
    const body = (a: string, b: string) => `apiVersion: v1\r\nkind: Pod\nmetadata:\r\n  name: p\nspec:\n  containers:\r\n  - name: a\r\n    image: ${a}\n  - name: b\n    image: ${b}\r\n`
    expectPinned(body('nginx:1.25', "'redis:7'"), body(`nginx:1.25@${DIGEST}`, `'redis:7@${DIGEST}'`))
  })

  test('a BOM stays, and images on later lines are found by the same columns', () => {
    expectPinned(`\uFEFF${POD}  - name: a\n    image: nginx:1.25\n`, `\uFEFF${POD}  - name: a\n    image: nginx:1.25@${DIGEST}\n`)
    expectPinned(`\uFEFF${POD}  - name: a\r\n    image: nginx:1.25\r\n`, `\uFEFF${POD}  - name: a\r\n    image: nginx:1.25@${DIGEST}\r\n`)
  })

  test('a BOM and an image on line 1: its columns do not count the BOM', () => {
    const line = (image: string) => `{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: ${image}}]}}`
    const before = `\uFEFF${line('nginx:1.25')}\n`
    const column = '{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: '.length + 1
    expect(column).toBe(87)
    const edit = { line: 1, column, endColumn: 97, expected: 'nginx:1.25', replacement: `nginx:1.25@${DIGEST}` }
    expect(pinEdits(before)).toEqual([edit])
    expectPinned(before, `\uFEFF${line(`nginx:1.25@${DIGEST}`)}\n`)
    // a column that counted the BOM points one character late, at text that is not the image: skipped
    const late = { ...edit, column: 88, endColumn: 98 }
    const result = applyPinEdits(before, [late])
    expectSameBytes(result.text, before)
    expect(result.skipped[0]!.reason).toContain('"ginx:1.25}", not the expected "nginx:1.25"')
  })

  test('astral and accented characters before the image on the same line', () => {
    const head = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n'
    const line = (image: string) => `  containers: [{name: "é𝄞𝄞", image: ${image}}] # 𝄞 ok\n`
    expectPinned(`${head}${line('nginx:1.25')}`, `${head}${line(`nginx:1.25@${DIGEST}`)}`)
    const [edit] = pinEdits(`${head}${line('nginx:1.25')}`)
    // é, 𝄞, 𝄞 are 3 columns (5 UTF-16 units): a code-unit column would point 2 characters off
    expect(edit!.column).toBe('  containers: [{name: "é𝄞𝄞", image: '.length - 2 + 1)
  })

  test('no trailing newline: none is added', () => {
    expectPinned(`${POD}  - name: a\n    image: nginx:1.25`, `${POD}  - name: a\n    image: nginx:1.25@${DIGEST}`)
    expectPinned(`${POD}  - name: a\r\n    image: nginx:1.25 # x`, `${POD}  - name: a\r\n    image: nginx:1.25@${DIGEST} # x`)
  })

  test('several documents and lists: every image, only images', () => {
    const doc = (a: string, b: string) =>
      `${POD}  - name: a\n    image: ${a}\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      initContainers: [{name: i, image: ${b}}]\n      containers: [{name: c, image: ${a}}]\n`
    expectPinned(doc('nginx:1.25', 'localhost:5000/tools/init'), doc(`nginx:1.25@${DIGEST}`, `localhost:5000/tools/init@${DIGEST}`))
  })
})

describe('applyPinEdits refuses what it cannot do safely', () => {
  const file = `${POD}  - name: a\n    image: nginx:1.25 # web\n  - name: b\n    image: redis:7\n`
  const at = (line: number, column: number, endColumn: number, expected: string, replacement = `${expected}@${DIGEST}`): PinEdit => ({
    line,
    column,
    endColumn,
    expected,
    replacement
  })

  test('the span does not hold the expected text: skipped with a reason, file unchanged', () => {
    const edit = at(8, 12, 22, 'nginx:1.24')
    const result = applyPinEdits(file, [edit])
    expectSameBytes(result.text, file)
    expect(result.applied).toEqual([])
    expect(result.skipped).toEqual([{ edit, reason: expect.stringContaining('"nginx:1.25", not the expected "nginx:1.24"') }])
  })

  test('a span one column off is skipped, not applied to the neighbouring text', () => {
    for (const edit of [at(8, 11, 21, 'nginx:1.25'), at(8, 13, 23, 'nginx:1.25'), at(8, 12, 21, 'nginx:1.25'), at(7, 12, 22, 'nginx:1.25')]) {
      const result = applyPinEdits(file, [edit])
      expectSameBytes(result.text, file)
      expect(result.skipped).toHaveLength(1)
    }
  })

  test('an escaped double-quoted image: the parsed value is not the text at the span, so it is skipped', () => {
    const before = `${POD}  - name: a\n    image: "nginx\\x3a1.25"\n`
    const result = applyPinEdits(before, pinEdits(before))
    expectSameBytes(result.text, before)
    expect(result.skipped[0]!.reason).toContain('"nginx\\\\x3a1.25", not the expected "nginx:1.25"')
  })

  test('spans out of range are skipped with a reason', () => {
    const crlf = file.replace(/\n/g, '\r\n')
    const edits = [
      at(99, 1, 5, 'x'), // no such line
      at(8, 27, 30, 'x'), // past the line's end
      at(8, 12, 29, 'nginx:1.25 # web'), // one column past the end of `    image: nginx:1.25 # web` (27 columns)
      at(0, 1, 2, 'a'), // lines are 1-based
      at(8, 0, 2, 'a'), // columns are 1-based
      at(8, 12, 12, ''), // empty span
      at(8, 22, 12, 'x'), // reversed
      at(8, 1.5, 3, 'x') // not an integer
    ]
    for (const text of [file, crlf]) {
      const result = applyPinEdits(text, edits)
      expectSameBytes(result.text, text)
      expect(result.applied).toEqual([])
      expect(result.skipped.map((s) => s.edit)).toEqual(edits)
      for (const s of result.skipped) expect(s.reason).toMatch(/out of range|not a span/)
    }
  })

  test("a span reaching into a CRLF's CR is out of range", () => {
    const text = 'a: x\r\nimage: nginx\r\n'
    const result = applyPinEdits(text, [at(2, 8, 14, 'nginx\r')])
    expectSameBytes(result.text, text)
    expect(result.skipped[0]!.reason).toContain('out of range')
    // the span up to the end of the line's text is fine
    expectSameBytes(applyPinEdits(text, [at(2, 8, 13, 'nginx')]).text, `a: x\r\nimage: nginx@${DIGEST}\r\n`)
  })

  test('two overlapping different edits: the first applies, the second is skipped', () => {
    const first = at(8, 12, 22, 'nginx:1.25')
    const sameSpanOtherDigest = at(8, 12, 22, 'nginx:1.25', `nginx:1.25@${OTHER_DIGEST}`)
    const straddling = at(8, 18, 22, '1.25', '1.26')
    const result = applyPinEdits(file, [first, sameSpanOtherDigest, straddling])
    expectSameBytes(result.text, file.replace('nginx:1.25', `nginx:1.25@${DIGEST}`))
    expect(result.applied).toEqual([first])
    expect(result.skipped.map((s) => s.edit)).toEqual([sameSpanOtherDigest, straddling])
    for (const s of result.skipped) expect(s.reason).toContain('overlaps the edit at line 8, columns 12-22')
  })

  test('a skipped edit does not block a later one at the same span', () => {
    const wrong = at(8, 12, 22, 'nginx:1.24')
    const right = at(8, 12, 22, 'nginx:1.25')
    const result = applyPinEdits(file, [wrong, right])
    expect(result.applied).toEqual([right])
    expect(result.skipped.map((s) => s.edit)).toEqual([wrong])
  })

  test('adjacent spans do not overlap', () => {
    const result = applyPinEdits('image: nginx:1.25\n', [at(1, 14, 18, '1.25', '1.26'), at(1, 8, 13, 'nginx', 'redis')])
    expectSameBytes(result.text, 'image: redis:1.26\n')
    expect(result.skipped).toEqual([])
  })

  test('edits in any order give the same text, listed in input order', () => {
    const a = at(8, 12, 22, 'nginx:1.25')
    const b = at(10, 12, 19, 'redis:7')
    const want = file.replace('nginx:1.25', `nginx:1.25@${DIGEST}`).replace('redis:7', `redis:7@${DIGEST}`)
    expectSameBytes(applyPinEdits(file, [a, b]).text, want)
    const reversed = applyPinEdits(file, [b, a])
    expectSameBytes(reversed.text, want)
    expect(reversed.applied).toEqual([b, a])
  })

  test('a replacement that could change how the YAML parses is skipped', () => {
    const bad = [
      'nginx:1.25\n  command: [sh]', // a line break adds a key
      'nginx:1.25 # pinned', // a comment in a plain scalar, a space in any
      'nginx:1.25"', // ends a double-quoted scalar
      "nginx:1.25'", // ends a single-quoted scalar
      'nginx:1.25\\', // escapes in a double-quoted scalar
      'nginx:1.25}', // ends a flow mapping
      'nginx:1.25,x', // ends a flow entry
      '-nginx', // an indicator at the start of a plain scalar
      '*img', // an alias
      'nginx:', // a mapping key
      'nginx\t1', // a tab
      'nginx\u0000', // a control character
      'nginx\ud800', // a lone surrogate (not encodable in UTF-8)
      '' // nothing
    ]
    for (const replacement of bad) {
      const edit = at(8, 12, 22, 'nginx:1.25', replacement)
      const result = applyPinEdits(file, [edit])
      expectSameBytes(result.text, file)
      expect(result.skipped).toEqual([{ edit, reason: expect.stringContaining('the replacement') }])
    }
  })

  test('no edits: the text comes back as is', () => {
    for (const text of ['', '\uFEFF', '\r\n', file]) {
      const result = applyPinEdits(text, [])
      expectSameBytes(result.text, text)
      expect(result).toEqual({ text, applied: [], skipped: [] })
    }
  })
})

describe('pinnedImage', () => {
  test('keeps a written tag: the runtime pulls by digest, the tag stays for humans', () => {
    expect(pinnedImage('nginx:1.25', DIGEST)).toBe(`nginx:1.25@${DIGEST}`)
    expect(pinnedImage('nginx:latest', DIGEST)).toBe(`nginx:latest@${DIGEST}`)
    expect(pinnedImage('registry.example.com:5000/team/app:v1.2.3-rc.1', DIGEST)).toBe(`registry.example.com:5000/team/app:v1.2.3-rc.1@${DIGEST}`)
  })

  test('no tag: the name as written and the digest, no `:latest` added', () => {
    expect(pinnedImage('nginx', DIGEST)).toBe(`nginx@${DIGEST}`)
    // a port is not a tag
    expect(pinnedImage('localhost:5000/app', DIGEST)).toBe(`localhost:5000/app@${DIGEST}`)
    expect(pinnedImage('docker.io/library/nginx', DIGEST)).toBe(`docker.io/library/nginx@${DIGEST}`)
    // the kubelet defaults imagePullPolicy to Always only when the tag is `latest`: with a digest and no tag there is none
    expect(parseReference(pinnedImage('nginx', DIGEST)).tag).toBeUndefined()
  })

  test('an image that already has a digest is returned unchanged', () => {
    expect(pinnedImage(`nginx@${OTHER_DIGEST}`, DIGEST)).toBe(`nginx@${OTHER_DIGEST}`)
    expect(pinnedImage(`nginx:1.25@${OTHER_DIGEST}`, DIGEST)).toBe(`nginx:1.25@${OTHER_DIGEST}`)
    expect(pinnedImage(`nginx@${OTHER_DIGEST}`, 'not a digest')).toBe(`nginx@${OTHER_DIGEST}`)
  })

  test('sha384 and sha512 digests are accepted', () => {
    expect(pinnedImage('nginx:1', `sha512:${'ab'.repeat(64)}`)).toBe(`nginx:1@sha512:${'ab'.repeat(64)}`)
    expect(pinnedImage('nginx:1', `sha384:${'ab'.repeat(48)}`)).toBe(`nginx:1@sha384:${'ab'.repeat(48)}`)
  })

  test('a digest a runtime would refuse is not written', () => {
    for (const digest of [
      '',
      'sha256:abc',
      DIGEST.toUpperCase(),
      `sha256:${'A'.repeat(64)}`,
      `md5:${'a'.repeat(32)}`,
      `${DIGEST}\n`,
      `sha256:${'a'.repeat(63)}g`,
      `sha256:${'a'.repeat(65)}`,
      'a'.repeat(64)
    ]) {
      expect(() => pinnedImage('nginx:1.25', digest)).toThrow(TypeError)
    }
  })

  test('an image that is not a valid reference is not pinned', () => {
    for (const image of ['', 'Nginx:1.25', 'nginx:', 'nginx:1.25 ', 'https://nginx']) {
      expect(() => pinnedImage(image, DIGEST)).toThrow(InvalidReferenceError)
    }
  })

  test('property: the pinned reference parses to the same name and tag, with the digest', () => {
    const reference = fc
      .tuple(
        fc.constantFrom('', 'ghcr.io/', 'localhost:5000/', 'docker.io/', '127.0.0.1:8443/'),
        fc.array(fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)?$/), { minLength: 1, maxLength: 3 }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined })
      )
      .map(([host, path, tag]) => `${host}${path.join('/')}${tag === undefined ? '' : `:${tag}`}`)
      .filter((s) => {
        try {
          parseReference(s)
          return true
        } catch {
          return false
        }
      })
    fc.assert(
      fc.property(reference, (image) => {
        const before = parseReference(image)
        const pinned = pinnedImage(image, DIGEST)
        expect(pinned).toBe(`${image}@${DIGEST}`)
        const after = parseReference(pinned)
        expect([after.domain, after.path, after.tag, after.digest]).toEqual([before.domain, before.path, before.tag, DIGEST])
        expect(pinnedImage(pinned, OTHER_DIGEST)).toBe(pinned)
      }),
      { numRuns: 300 }
    )
  })
})

describe('applyPinEdits properties', () => {
  /** Any code point but a line feed and U+FEFF (which at the very start would be a BOM, tested on its own). */
  const lineChar = fc
    .oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom('\t', ' ', '#', '"', "'", '\r', 'é', '𝄞', '😀', '\u2028', '\u0085', ':')
    )
    .filter((c) => c !== '\n' && c !== '\uFEFF')
  const lineText = fc.array(lineChar, { maxLength: 20 }).map((cs) => cs.join(''))
  const image = fc.stringMatching(/^[a-z0-9][a-z0-9./:_-]{0,40}$/)
  const ending = fc.constantFrom('\n', '\r\n')

  test('prefix + image + suffix on any line of any file: exactly prefix + replacement + suffix there, every other byte unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(lineText, ending), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        lineText,
        image,
        lineText,
        fc.boolean(),
        fc.boolean(),
        (lines, at, prefix, img, suffix, bom, trailingBreak) => {
          const target = at % lines.length
          const file = (middle: string) =>
            (bom ? '\uFEFF' : '') +
            lines.map(([text, eol], i) => (i === target ? middle : text) + (i < lines.length - 1 || trailingBreak ? eol : '')).join('')
          const before = file(prefix + img + suffix)
          const replacement = `${img}@${DIGEST}`

          // the span as the reader reports it: code points from the start of the line, BOM not counted
          const column = [...prefix].length + 1
          const edit: PinEdit = { line: target + 1, column, endColumn: column + [...img].length, expected: img, replacement }
          const body = bom ? before.slice(1) : before
          const offset = lines.slice(0, target).reduce((n, [text, eol]) => n + text.length + eol.length, 0) + prefix.length
          expect(new LineIndex(body).position(offset)).toEqual({ line: edit.line, column: edit.column })

          const result = applyPinEdits(before, [edit])
          expect(result.skipped).toEqual([])
          const after = file(prefix + replacement + suffix)
          expectSameBytes(result.text, after)
          // and byte-wise: the bytes before and after the image's bytes are the original ones
          const [b, a] = [Buffer.from(before, 'utf8'), Buffer.from(result.text, 'utf8')]
          const head = Buffer.byteLength((bom ? '\uFEFF' : '') + body.slice(0, offset), 'utf8')
          const tail = b.length - head - Buffer.byteLength(img, 'utf8')
          expect(a.subarray(0, head).equals(b.subarray(0, head))).toBe(true)
          expect(a.subarray(a.length - tail).equals(b.subarray(b.length - tail))).toBe(true)
          expect(a.subarray(head, a.length - tail).toString('utf8')).toBe(replacement)
        }
      ),
      { numRuns: 500 }
    )
  })

  test('an edit whose expected text is not at its span never changes the file', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(lineText, ending), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.nat(), fc.nat(), fc.nat(), image, (lines, bom, l, c, n, expected) => {
        const text = (bom ? '\uFEFF' : '') + lines.map(([t, e]) => t + e).join('')
        const line = (l % (lines.length + 2)) + 1
        const column = (c % 25) + 1
        const edit: PinEdit = { line, column, endColumn: column + (n % 12) + 1, expected, replacement: `${expected}@${DIGEST}` }
        const result = applyPinEdits(text, [edit])
        if (result.applied.length === 1) {
          // applied only where the span holds exactly `expected`
          const [lineText] = lines[line - 1]!
          expect([...lineText].slice(column - 1, edit.endColumn - 1).join('')).toBe(expected)
        } else {
          expectSameBytes(result.text, text)
          expect(result.skipped).toHaveLength(1)
        }
      }),
      { numRuns: 500 }
    )
  })

  test('many edits in any order, with duplicates: each span rewritten once, the rest unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(lineText, image, lineText, image, lineText, ending), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        (rows, bom, order) => {
          const edits: PinEdit[] = []
          rows.forEach(([p, img1, mid, img2], i) => {
            const c1 = [...p].length + 1
            const c2 = c1 + [...img1].length + [...mid].length
            edits.push({ line: i + 1, column: c1, endColumn: c1 + [...img1].length, expected: img1, replacement: `r${i}a@${DIGEST}` })
            edits.push({ line: i + 1, column: c2, endColumn: c2 + [...img2].length, expected: img2, replacement: `r${i}b@${DIGEST}` })
          })
          // shuffle and repeat edits as aliases do
          const list = [...edits, ...order.map((k) => edits[k % edits.length]!)]
          for (let i = list.length - 1; i > 0; i--) {
            const j = (order[i % Math.max(order.length, 1)] ?? 0) % (i + 1)
            ;[list[i], list[j]] = [list[j]!, list[i]!]
          }
          const render = (pick: (i: number, img1: string, img2: string) => [string, string]) =>
            (bom ? '\uFEFF' : '') +
            rows.map(([p, img1, mid, img2, s, eol], i) => {
              const [x, y] = pick(i, img1, img2)
              return p + x + mid + y + s + eol
            }).join('')
          const before = render((_, a, b) => [a, b])
          const result = applyPinEdits(before, list)
          expect(result.skipped).toEqual([])
          expect(result.applied).toEqual(list)
          expectSameBytes(result.text, render((i) => [`r${i}a@${DIGEST}`, `r${i}b@${DIGEST}`]))
        }
      ),
      { numRuns: 300 }
    )
  })

  test('any image in any scalar style of a real manifest: pinning then reading back gives the pinned image at the same place', () => {
    const img = fc.stringMatching(/^[a-z0-9]{1,10}(?:\/[a-z0-9]{1,8}){0,2}(?::[a-z0-9][a-z0-9._-]{0,10})?$/)
    const style = fc.constantFrom('plain', 'single', 'double', 'folded', 'flow', 'comment', 'anchor')
    const lead = fc.array(fc.constantFrom('# 𝄞 é\t·\n', '\n', '---\n', 'x-note: "é𝄞"\n---\n'), { maxLength: 3 })
    fc.assert(
      fc.property(img, style, fc.integer({ min: 2, max: 6 }), lead, fc.boolean(), fc.boolean(), (image, how, indent, pre, crlf, bom) => {
        const write = (value: string) => {
          const pad = ' '.repeat(indent)
          const scalar =
            how === 'single' ? `'${value}'` : how === 'double' ? `"${value}"` : how === 'folded' ? `>-\n${pad}    ${value}` : how === 'comment' ? `${value}\t# 𝄞 web` : value
          const containers =
            how === 'flow'
              ? `${pad}- {name: "𝄞", image: ${scalar}}\n`
              : how === 'anchor'
                ? `${pad}- name: a\n${pad}  image: &i ${scalar}\n${pad}- name: b\n${pad}  image: *i\n`
                : `${pad}- name: c\n${pad}  image: ${scalar}\n`
          let text = `${pre.join('')}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n${containers}`
          if (crlf) text = text.replace(/\n/g, '\r\n')
          return bom ? `\uFEFF${text}` : text
        }
        const before = write(image)
        const result = applyPinEdits(before, pinEdits(before))
        expect(result.skipped).toEqual([])
        expectSameBytes(result.text, write(pinnedImage(image, DIGEST)))
        const was = imagesOf(before)
        const now = imagesOf(result.text)
        expect(now.map((o) => [o.image, o.line, o.column, o.endColumn])).toEqual(
          was.map((o) => [pinnedImage(o.image, DIGEST), o.line, o.column, o.endColumn + 1 + DIGEST.length])
        )
      }),
      { numRuns: 400 }
    )
  })
})
