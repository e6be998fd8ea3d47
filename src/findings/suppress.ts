import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { canonicalReference, parseReference } from '../images/reference.js'
import type { Finding } from './finding.js'

/** A finding the user chose not to see, and why (the comment's reason, or the ignore glob). */
export interface SuppressedFinding extends Finding {
  readonly suppressedBy: string
}

/** `# pullgate-ignore: rule-id[, rule-id] reason`, on the image's line or the line above. */
const IGNORE_COMMENT = /#\s*pullgate-ignore:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(.*)$/

/** The `# pullgate-ignore:` comments of one file, by 1-based line: the rules each names and its reason. */
export type IgnoreComments = ReadonlyMap<number, { readonly rules: readonly string[]; readonly reason: string }>

const NO_COMMENTS: IgnoreComments = new Map()

/** The ignore comments in a file's text (read while the file is scanned, so it is not read twice). */
export function ignoreCommentsIn(text: string): IgnoreComments {
  if (!text.includes('pullgate-ignore')) return NO_COMMENTS
  const comments = new Map<number, { rules: string[]; reason: string }>()
  text.split('\n').forEach((line, i) => {
    const m = IGNORE_COMMENT.exec(line.replace(/\r$/, ''))
    if (m) comments.set(i + 1, { rules: m[1]!.split(/\s*,\s*/), reason: m[2]!.trim() })
  })
  return comments
}

/**
 * Removes the findings a `# pullgate-ignore:` comment or an `ignore` image glob covers. They are
 * kept aside (the report lists them), never silently lost. `known` holds the comments of files
 * the scan read; any other file with a finding is read here.
 */
export async function applySuppressions(
  findings: readonly Finding[],
  workspace: string,
  ignoreGlobs: readonly string[],
  maxFileBytes = Infinity,
  known: ReadonlyMap<string, IgnoreComments> = new Map()
): Promise<{ kept: Finding[]; suppressed: SuppressedFinding[] }> {
  const globs = ignoreGlobs.map((g) => ({ glob: g, re: globToRegExp(g) }))
  const files = new Map<string, Promise<IgnoreComments>>()
  const commentsOf = (file: string) => {
    const scanned = known.get(file)
    if (scanned) return scanned
    let found = files.get(file)
    if (!found) {
      // a file over the size limit was not read for its images; it is not read for comments either
      const absolute = path.resolve(workspace, file)
      found = stat(absolute)
        .then((info) => (info.size > maxFileBytes ? '' : readFile(absolute, 'utf8')))
        .then(ignoreCommentsIn, () => NO_COMMENTS)
      files.set(file, found)
    }
    return found
  }
  const kept: Finding[] = []
  const suppressed: SuppressedFinding[] = []
  for (const finding of findings) {
    const forms = globs.length > 0 && finding.image !== undefined ? imageForms(finding.image) : []
    const byGlob = globs.find((g) => forms.some((form) => g.re.test(form)))
    if (byGlob) {
      suppressed.push({ ...finding, suppressedBy: `ignore: ${byGlob.glob}` })
      continue
    }
    const comments = await commentsOf(finding.file)
    const comment = [comments.get(finding.line), comments.get(finding.line - 1)].find((c) => c?.rules.includes(finding.rule))
    if (comment) suppressed.push({ ...finding, suppressedBy: `pullgate-ignore${comment.reason ? `: ${comment.reason}` : ''}` })
    else kept.push(finding)
  }
  return { kept, suppressed }
}

/** The image as written and, when it parses, fully qualified: `nginx` matches both `nginx*` and `docker.io/library/*`. */
function imageForms(image: string): string[] {
  try {
    return [image, canonicalReference(parseReference(image))]
  } catch {
    return [image]
  }
}

/** `*` matches any run of characters (slashes too), `?` one character; the whole image must match. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${body}$`)
}
