/**
 * Rewrites image references in a manifest's text in place, for the `pin` option (`name:tag` → `name:tag@sha256:…`).
 *
 * The file is edited as text, never re-serialized from a YAML tree: comments, quoting, anchors, key order, indentation,
 * line endings and a BOM are the user's, and a diff of a pin run must show nothing but the digests it added. Positions
 * use the convention of the reader ({@link LineIndex}): 1-based lines broken at LF (a CR before the LF is not part of
 * the line), 1-based columns counted in code points, a BOM at the start of the file not counted.
 */
import { parseReference } from '../images/reference.js'
import { codePointCount, LineIndex } from '../manifests/line-index.js'

/** One replacement: the image text at a span, and what to write instead. */
export interface PinEdit {
  /** 1-based line of the image */
  line: number
  /** 1-based code-point column of the image's first character */
  column: number
  /** code-point column just after the image's last character, on the same line (exclusive) */
  endColumn: number
  /** the text at the span as written in the file (inside the quotes of a quoted scalar, so escapes included) */
  expected: string
  /** what to write instead; must read as itself in any scalar style: no whitespace, quotes, backslash, `#` or `,[]{}` */
  replacement: string
}

/** Why an edit was not applied (the text at the span is not what was expected, overlapping edits, span out of range). */
export interface SkippedEdit {
  edit: PinEdit
  /** one sentence for a human, naming the position */
  reason: string
}

/**
 * Applies edits to a file's exact text (as read from disk, BOM and CRLF included) and returns the new text, changing
 * nothing but the bytes inside each applied span. Identical edits at the same span (an image written once and used by
 * several containers through a YAML anchor) are applied once. An edit whose span does not hold `expected` exactly is
 * skipped with a reason, never applied.
 *
 * Every input edit ends up in exactly one of `applied` and `skipped`, in input order, so a caller can report per
 * container; duplicates of an applied edit are listed in `applied` although their text is written once. Edits are
 * judged in input order: an edit whose span overlaps one already accepted (a different replacement for the same image,
 * or a span that straddles it) is skipped, because no order of applying both can honour both. A replacement that
 * could change the YAML's structure (a line break, a quote, a comment or flow indicator …) is skipped too: the span
 * may be a plain, quoted, flow or block scalar and this function cannot tell which, so it only writes text that
 * reads as itself in all of them. All positions refer to the text as given; edits do not shift each other.
 */
export function applyPinEdits(
  text: string,
  edits: readonly PinEdit[]
): { text: string; applied: PinEdit[]; skipped: SkippedEdit[] } {
  // Columns of line 1 do not count a BOM (see parseManifest), so positions are resolved without it and it is put back.
  const bom = text.charCodeAt(0) === 0xfeff ? '\uFEFF' : ''
  const body = bom === '' ? text : text.slice(1)
  const index = new LineIndex(body)

  const accepted: Array<{ edit: PinEdit; start: number; end: number }> = []
  const applied: PinEdit[] = []
  const skipped: SkippedEdit[] = []

  for (const edit of edits) {
    const located = locate(index, edit)
    if (typeof located === 'string') {
      skipped.push({ edit, reason: located })
      continue
    }
    const { start, end } = located
    const actual = body.slice(start, end)
    if (actual !== edit.expected) {
      skipped.push({ edit, reason: `${where(edit)} holds ${shown(actual)}, not the expected ${shown(edit.expected)} (the file changed since it was read, or the image is written with escapes)` })
      continue
    }
    const unsafe = unsafeReplacement(edit.replacement)
    if (unsafe !== undefined) {
      skipped.push({ edit, reason: `the replacement ${shown(edit.replacement)} for ${where(edit)} ${unsafe}` })
      continue
    }
    // The same image reached through several aliases arrives once per container: write it once, report each.
    if (accepted.some((a) => a.start === start && a.end === end && a.edit.replacement === edit.replacement)) {
      applied.push(edit)
      continue
    }
    const clash = accepted.find((a) => start < a.end && a.start < end)
    if (clash !== undefined) {
      skipped.push({
        edit,
        reason: `${where(edit)} overlaps the edit at ${where(clash.edit)}, which writes ${shown(clash.edit.replacement)}; only the first is applied`
      })
      continue
    }
    accepted.push({ edit, start, end })
    applied.push(edit)
  }

  accepted.sort((a, b) => a.start - b.start)
  const parts: string[] = [bom]
  let cursor = 0
  for (const { edit, start, end } of accepted) {
    parts.push(body.slice(cursor, start), edit.replacement)
    cursor = end
  }
  parts.push(body.slice(cursor))
  return { text: parts.join(''), applied, skipped }
}

/**
 * String offsets (in the BOM-less text) of an edit's span, or why it has none. The span must lie inside one line's
 * text: a column past the line's end, or into its CR, would reach into the line break.
 */
function locate(index: LineIndex, edit: PinEdit): { start: number; end: number } | string {
  const { line, column, endColumn } = edit
  if (![line, column, endColumn].every(Number.isSafeInteger) || line < 1 || column < 1 || endColumn <= column) {
    return `${where(edit)} is not a span (1-based integer line and columns, endColumn after column)`
  }
  if (line > index.lineCount) return `${where(edit)} is out of range: the file has ${index.lineCount} lines`
  const lineStart = index.lineStart(line)
  const lineText = index.lineText(line)
  const start = advance(lineText, 0, column - 1)
  const end = start === undefined ? undefined : advance(lineText, start, endColumn - column)
  if (start === undefined || end === undefined) {
    return `${where(edit)} is out of range: line ${line} has ${codePointCount(lineText, 0, lineText.length)} columns`
  }
  // lineText is the line as it is in the text minus its line break, so offsets into it carry over.
  return { start: lineStart + start, end: lineStart + end }
}

/**
 * The offset `count` code points after `from` in `s`, or undefined past its end. A surrogate pair is one code point
 * and a lone surrogate is one, as {@link LineIndex} counts them.
 */
function advance(s: string, from: number, count: number): number | undefined {
  let i = from
  for (let n = 0; n < count; n++) {
    if (i >= s.length) return undefined
    i += isPairAt(s, i) ? 2 : 1
  }
  return i
}

function isPairAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i)
  if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) return false
  const d = s.charCodeAt(i + 1)
  return d >= 0xdc00 && d <= 0xdfff
}

/**
 * Characters that do not read as themselves in every scalar style an image can be written in: whitespace and line
 * breaks (fold, trim or end a plain scalar, and a line break would move every later line), quotes and backslash (end
 * or escape a quoted scalar, JSON included), `#` (starts a comment after a space), `,[]{}` (end a plain scalar in a
 * flow collection), control characters and lone surrogates (not printable in YAML, not encodable as UTF-8), and the
 * BOM. An image reference, with or without a digest, never contains any of them.
 */
const UNSAFE_CHARACTER = /[\s"'\\#,[\]{}\p{Cc}\p{Cs}\uFEFF]/u

/** Why a replacement could change how the file parses, or undefined when it is safe to write into any scalar. */
function unsafeReplacement(replacement: string): string | undefined {
  if (replacement === '') return 'is empty'
  const bad = UNSAFE_CHARACTER.exec(replacement)
  if (bad !== null) return `contains ${JSON.stringify(bad[0])}, which could change how the file parses`
  // A plain scalar cannot start with an indicator (`-`, `&`, `*`, `!`, `@` …); every reference starts with a letter or digit.
  if (!/^[A-Za-z0-9]/.test(replacement)) return 'does not start with a letter or digit, as every image reference does'
  // `name:` at the end of a plain scalar makes it a mapping key.
  if (replacement.endsWith(':')) return 'ends with ":", which would make a plain scalar a mapping key'
  return undefined
}

function where(edit: PinEdit): string {
  return `line ${edit.line}, columns ${edit.column}-${edit.endColumn}`
}

/** A string for a message: quoted, and cut so a long line does not become a long message. */
function shown(s: string): string {
  const max = 120
  return JSON.stringify([...s].length > max ? `${[...s].slice(0, max).join('')}…` : s)
}

/**
 * Digest algorithms and hex lengths that a stock Docker or containerd accepts (go-digest's registered ones). A digest
 * outside these would make the pinned reference unpullable, so it is refused rather than written.
 */
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/

/**
 * The pinned form of an image string: the image exactly as written, then `@` and the digest.
 *
 * - `nginx:1.25` → `nginx:1.25@sha256:…`: the tag stays for humans and tools that read it; the runtime pulls by
 *   digest and ignores it.
 * - `nginx` (no tag) → `nginx@sha256:…`, not `nginx:latest@sha256:…`. Nothing the author did not write is added, and
 *   the kubelet's defaulting (SetDefaults_Container) sets `imagePullPolicy: Always` when the reference's tag is
 *   `latest`, where a missing tag only counts as `latest` when there is no digest either: `nginx@sha256:…` gets
 *   `IfNotPresent`, while an added `:latest` would keep every pod start asking the registry, the dependency pinning
 *   is meant to remove. It is also the form the `mutable-tag` rule already suggests. An explicitly written `:latest`
 *   is kept, like any written tag.
 * - An image that already has a digest (`@` appears only before a digest in the reference grammar) is returned
 *   unchanged, whatever `digest` is: it is pinned already, and a second digest would make it invalid.
 *
 * @param image the image as written (the scalar's value, no quotes)
 * @param digest `sha256:<64 lowercase hex>` (sha384 and sha512 are accepted too)
 * @throws InvalidReferenceError when the image is not a valid reference (pinning it would write another invalid one)
 * @throws TypeError when the digest is not one a runtime accepts
 */
export function pinnedImage(image: string, digest: string): string {
  if (image.includes('@')) return image
  parseReference(image)
  if (!DIGEST.test(digest)) throw new TypeError(`not a digest a runtime accepts: ${shown(digest)} (expected sha256:<64 lowercase hex>)`)
  return `${image}@${digest}`
}
