/**
 * `JSON.stringify(value, null, 2)` in pieces: the outer `depth` levels of objects and arrays are
 * written member by member, anything deeper in one piece. Joined, the pieces are byte for byte
 * what JSON.stringify writes; a 20,000-finding report is never one 20 MB string.
 */
export function* jsonChunks(value: unknown, depth = 2, level = 0): Generator<string> {
  if (depth === 0 || value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const text = JSON.stringify(value, null, 2)
    // what JSON.stringify leaves out of objects and writes as null in arrays
    yield text === undefined ? 'null' : level > 0 ? text.replaceAll('\n', `\n${'  '.repeat(level)}`) : text
    return
  }
  const inner = '  '.repeat(level + 1)
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.map((v) => [undefined, v])
    : Object.entries(value).filter(([, v]) => written(v))
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  if (entries.length === 0) {
    yield `${open}${close}`
    return
  }
  yield open
  let first = true
  for (const [key, member] of entries) {
    yield `${first ? '' : ','}\n${inner}${key === undefined ? '' : `${JSON.stringify(key)}: `}`
    first = false
    yield* jsonChunks(member, depth - 1, level + 1)
  }
  yield `\n${'  '.repeat(level)}${close}`
}

/** Whether JSON.stringify writes an object member with this value (it leaves out undefined, functions and symbols). */
function written(v: unknown): boolean {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return false
  return typeof v !== 'object' || v === null || typeof (v as { toJSON?: unknown }).toJSON !== 'function' || JSON.stringify(v) !== undefined
}

/**
 * A JSON file's content in pieces: the value as JSON.stringify(value, null, 2) writes it, and a
 * newline. `depth` is how deep the document's big lists lie (2 for the report's `findings`).
 */
export function* jsonDocument(value: unknown, depth = 2): Generator<string> {
  yield* jsonChunks(value, depth)
  yield '\n'
}
