import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml'

/** Raised when a document expands more aliases than any real manifest needs (an alias bomb). */
export class AliasBudgetExceeded extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} aliases`)
  }
}

/**
 * Reads a parsed YAML document as Kubernetes does (go-yaml: aliases resolved, `<<` merge keys
 * with explicit keys winning), while keeping every node — and so every position — of the text.
 */
export class NodeReader {
  private expansions = 0
  private readonly entryCache = new WeakMap<YAMLMap, Map<string, Node | null>>()

  constructor(
    private readonly document: Document.Parsed,
    private readonly aliasLimit: number
  ) {}

  /** The node an alias points to (the node itself otherwise). */
  deref(node: unknown): Node | null {
    let current = node
    for (let hops = 0; isAlias(current); hops++) {
      if (++this.expansions > this.aliasLimit || hops > 100) throw new AliasBudgetExceeded(this.aliasLimit)
      current = current.resolve(this.document) ?? null
    }
    return (current as Node | null) ?? null
  }

  /** Effective key/value pairs of a mapping, YAML 1.1 merge keys applied (explicit keys win; earlier merge sources win). */
  entries(node: unknown, seen: Set<Node> = new Set()): Map<string, Node | null> {
    const map = this.deref(node)
    if (!isMap(map) || seen.has(map)) return new Map()
    // every lookup on a container or pod spec reads the same mapping again: compute it once
    const cached = this.entryCache.get(map)
    if (cached) return cached
    const result = new Map<string, Node | null>()
    seen.add(map)
    const merged: Array<Map<string, Node | null>> = []
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        const source = this.deref(pair.value)
        const sources = isSeq(source) ? source.items : [source]
        for (const s of sources) merged.push(this.entries(s, seen))
        continue
      }
      if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === 'object') continue
      // go-yaml keeps the last of duplicate keys
      result.set(String(pair.key.value), (pair.value as Node | null) ?? null)
    }
    for (const source of merged) {
      for (const [key, value] of source) if (!result.has(key)) result.set(key, value)
    }
    this.entryCache.set(map, result)
    return result
  }

  /** A mapping's value for `key` (merge keys applied), dereferenced. */
  get(node: unknown, key: string): Node | null {
    return this.deref(this.entries(node).get(key) ?? null)
  }

  /** A mapping's string value for `key`, or undefined when absent or not a string. */
  string(node: unknown, key: string): string | undefined {
    const value = this.get(node, key)
    return isScalar(value) && typeof value.value === 'string' ? value.value : undefined
  }

  map(node: unknown): YAMLMap | undefined {
    const n = this.deref(node)
    return isMap(n) ? n : undefined
  }

  seq(node: unknown): YAMLSeq | undefined {
    const n = this.deref(node)
    return isSeq(n) ? n : undefined
  }
}

function isMergeKey(key: unknown): boolean {
  // with `merge: true`, the yaml package gives the `<<` key a symbol value
  return isScalar(key) && (typeof key.value === 'symbol' || (key.value === '<<' && key.type === 'PLAIN'))
}

/** Offsets of a scalar's text as written: inside quotes, and from the first content line of a block scalar. */
export function scalarTextRange(scalar: Scalar, text: string): { start: number; end: number } {
  const [start, valueEnd] = scalar.range ?? [0, 0, 0]
  switch (scalar.type) {
    case 'QUOTE_DOUBLE':
    case 'QUOTE_SINGLE':
      return { start: start + 1, end: Math.max(start + 1, valueEnd - 1) }
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL': {
      // the header (`>-`, `|2`, an optional comment) ends its line; content starts after indentation
      let s = text.indexOf('\n', start)
      s = s === -1 ? valueEnd : s + 1
      while (s < valueEnd && /[\s]/.test(text[s]!)) s++
      let e = valueEnd
      while (e > s && /\s/.test(text[e - 1]!)) e--
      return { start: s, end: e }
    }
    default:
      return { start, end: valueEnd }
  }
}
