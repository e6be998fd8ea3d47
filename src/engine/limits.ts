/** Bounds that keep a hostile or accidental input from exhausting the runner. */
export interface Limits {
  /** files larger than this are reported, not read (bytes) */
  readonly maxFileBytes: number
  /** alias expansions per YAML document before it is treated as an alias bomb */
  readonly maxAliasExpansions: number
  /** flow-collection nesting ([ and {) before a file is refused unparsed: the parser recurses on it */
  readonly maxNestingDepth: number
}

export const DEFAULT_LIMITS: Limits = {
  maxFileBytes: 16 * 1024 * 1024,
  maxAliasExpansions: 10_000,
  // the parser recurses per level and runs out of stack near 800 levels on Node 24
  maxNestingDepth: 256
}
