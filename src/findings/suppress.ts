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

/**
 * Removes the findings a `# pullgate-ignore:` comment or an `ignore` image glob covers. They are
 * kept aside (the report lists them), never silently lost.
 */
export async function applySuppressions(
  findings: readonly Finding[],
  workspace: string,
  ignoreGlobs: readonly string[],
  maxFileBytes = Infinity
): Promise<{ kept: Finding[]; suppressed: SuppressedFinding[] }> {
  const globs = ignoreGlobs.map((g) => ({ glob: g, re: globToRegExp(g) }))
  const files = new Map<string, Promise<string[]>>()
  const linesOf = (file: string) => {
    let found = files.get(file)
    if (!found) {
      // a file over the size limit was not read for its images; it is not read for comments either
      const absolute = path.resolve(workspace, file)
      found = stat(absolute)
        .then((info) => (info.size > maxFileBytes ? '' : readFile(absolute, 'utf8')))
        .then(
          (text) => text.split('\n').map((l) => l.replace(/\r$/, '')),
          () => []
        )
      files.set(file, found)
    }
    return found
  }
  const kept: Finding[] = []
  const suppressed: SuppressedFinding[] = []
  for (const finding of findings) {
    const forms = finding.image !== undefined ? imageForms(finding.image) : []
    const byGlob = globs.find((g) => forms.some((form) => g.re.test(form)))
    if (byGlob) {
      suppressed.push({ ...finding, suppressedBy: `ignore: ${byGlob.glob}` })
      continue
    }
    const lines = await linesOf(finding.file)
    const comment = [lines[finding.line - 1], lines[finding.line - 2]]
      .map((l) => (l === undefined ? undefined : IGNORE_COMMENT.exec(l)))
      .find((m) => m && m[1]!.split(/\s*,\s*/).includes(finding.rule))
    if (comment) suppressed.push({ ...finding, suppressedBy: `pullgate-ignore${comment[2] ? `: ${comment[2].trim()}` : ''}` })
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
