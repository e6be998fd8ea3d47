/** One authentication challenge of a `WWW-Authenticate` header (RFC 7235). */
export interface Challenge {
  /** lowercase: `bearer`, `basic`, … */
  readonly scheme: string
  /** parameter names lowercase; values unquoted */
  readonly params: Readonly<Record<string, string>>
}

/** Thrown for a header that is not a list of challenges; registries are not trusted to be well-formed. */
export class ChallengeParseError extends Error {}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/

/**
 * Parses every challenge of one or more `WWW-Authenticate` values, e.g.
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"`.
 * Tolerates what real registries send: any case, empty values, extra parameters (`error="insufficient_scope"`),
 * commas inside quoted strings, backslash escapes. Throws ChallengeParseError for anything else.
 */
export function parseChallenges(headers: readonly string[]): Challenge[] {
  const challenges: Challenge[] = []
  for (const header of headers) {
    let rest = header.trim()
    let current: { scheme: string; params: Record<string, string> } | undefined
    while (rest.length > 0) {
      rest = rest.replace(/^[\s,]+/, '')
      if (rest.length === 0) break
      const name = TOKEN.exec(rest)?.[0]
      if (!name) throw new ChallengeParseError(`unexpected ${JSON.stringify(rest.slice(0, 20))} in WWW-Authenticate`)
      const after = rest.slice(name.length).replace(/^\s*/, '')
      if (after.startsWith('=') && current) {
        const parsed = parseValue(after.slice(1).replace(/^\s*/, ''))
        current.params[name.toLowerCase()] = parsed.value
        rest = parsed.rest
      } else if (after.startsWith('=') && !current) {
        throw new ChallengeParseError('WWW-Authenticate parameter before any scheme')
      } else {
        current = { scheme: name.toLowerCase(), params: {} }
        challenges.push(current)
        rest = after
        // token68 form (`Basic abc==`): keep it as a parameter-less challenge
        const token68 = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/.exec(rest)
        if (token68 && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*=[^=]/.test(rest)) rest = rest.slice(token68[0].length)
      }
    }
  }
  return challenges
}

function parseValue(text: string): { value: string; rest: string } {
  if (!text.startsWith('"')) {
    const token = /^[^,\s]*/.exec(text)![0]
    return { value: token, rest: text.slice(token.length) }
  }
  let value = ''
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!
    if (c === '\\' && i + 1 < text.length) {
      value += text[++i]
    } else if (c === '"') {
      return { value, rest: text.slice(i + 1) }
    } else {
      value += c
    }
  }
  throw new ChallengeParseError('unterminated quoted string in WWW-Authenticate')
}

/** The schemes (lowercase) a registry's challenges offer; none when they cannot be parsed. */
export function challengeSchemes(headers: readonly string[]): Set<string> {
  try {
    return new Set(parseChallenges(headers).map((c) => c.scheme))
  } catch {
    return new Set()
  }
}
