/**
 * A copy of a string read from a file that does not keep the file's text alive. V8 holds a
 * substring of 13 characters or more as a slice of its parent, so an image string kept to the
 * end of a run (in its occurrence, its findings, the report) keeps its whole file in memory:
 * ~6 MB for bench/full.js's 5,000 files. Slicing a concatenation copies it first (V8 flattens
 * it), and the slice then refers to that short copy only.
 */
export function detached(text: string): string {
  return ` ${text}`.slice(1)
}

/** Strings {@link shared} keeps; emptied when full, which only costs sharing. */
const SHARED_MAX = 50_000
const sharedStrings = new Map<string, string>()

/**
 * One detached copy per distinct value for what repeats across a repository's manifests (kinds,
 * namespaces, container names, field paths, secret names): 20,000 occurrences then hold a few
 * hundred strings, not 20,000 slices of their files and concatenations of their paths.
 */
export function shared(text: string): string
export function shared(text: string | undefined): string | undefined
export function shared(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  let kept = sharedStrings.get(text)
  if (kept === undefined) {
    if (sharedStrings.size >= SHARED_MAX) sharedStrings.clear()
    kept = detached(text)
    sharedStrings.set(kept, kept)
  }
  return kept
}
