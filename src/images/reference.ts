/**
 * Image reference parsing and Docker-style normalization.
 *
 * This is a port of github.com/distribution/reference (the parser that Docker, containerd's CRI plugin and
 * the kubelet all use) plus the per-algorithm digest checks of github.com/opencontainers/go-digest. The point
 * is to accept and reject exactly what a node will accept and reject, so the grammar below follows the Go
 * regular expressions production by production. It is written as hand-rolled linear scans instead of one big
 * regular expression: references come from untrusted manifests and must never trigger backtracking blow-ups.
 */

/** A parsed, normalized image reference. */
export interface ImageReference {
  /** the string exactly as written */
  readonly original: string
  /**
   * registry host[:port] after normalization ('docker.io' for Docker Hub; 'index.docker.io' becomes 'docker.io';
   * keeps case of an uppercase domain). Empty when Go's grammar could not read the first component as a host
   * and took it as part of the path instead (e.g. 'foo_bar.com/app': '_' is not allowed in host names):
   * there is then no registry a runtime could reliably pull from.
   */
  readonly domain: string
  /** repository path inside the registry, e.g. 'library/nginx' */
  readonly path: string
  /** tag as written, if any */
  readonly tag?: string
  /** digest as written ('sha256:…'), if any */
  readonly digest?: string
}

/** Why a reference was rejected; stable identifiers for callers that branch on the failure. */
export type ReferenceErrorCode =
  | 'invalid-format'
  | 'name-not-lowercase'
  | 'name-too-long'
  | 'name-empty'
  | 'invalid-tag'
  | 'invalid-digest'
  | 'hex-identifier'
  | 'has-scheme'
  | 'empty'

/**
 * Thrown by parseReference; message mirrors distribution/reference's error strings where one exists, with a
 * short human explanation after it.
 */
export class InvalidReferenceError extends Error {
  /** machine-readable reason, stable across message wording changes */
  readonly code: ReferenceErrorCode

  /**
   * @param code machine-readable reason
   * @param message Go error string, then ' — ' and a one-line explanation
   */
  constructor(code: ReferenceErrorCode, message: string) {
    super(message)
    this.name = 'InvalidReferenceError'
    this.code = code
  }
}

const DEFAULT_DOMAIN = 'docker.io'
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io'
const OFFICIAL_REPO_PREFIX = 'library/'
const DEFAULT_TAG = 'latest'
const LOCALHOST = 'localhost'
const REPOSITORY_NAME_TOTAL_LENGTH_MAX = 255
const TAG_LENGTH_MAX = 128
const DIGEST_HEX_MIN = 32

/**
 * Algorithms a stock Docker/containerd binary registers with go-digest, and their hex lengths. A Map, not an
 * object literal, so that names like 'constructor' cannot hit Object.prototype.
 */
const DIGEST_HEX_LENGTH: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128]
])

/** Quoted parts of messages are cut here so a megabyte of junk does not become a megabyte of annotation. */
const SHOWN_MAX = 256

// ---------------------------------------------------------------------------------------------------------
// Character classes. Go's regexp classes are ASCII-only (\w, [[:xdigit:]]), so these are too.

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}
function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a
}
function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a
}
function isAlpha(c: number): boolean {
  return isLower(c) || isUpper(c)
}
function isLowerAlnum(c: number): boolean {
  return isLower(c) || isDigit(c)
}
function isAlnum(c: number): boolean {
  return isLower(c) || isUpper(c) || isDigit(c)
}
function isWord(c: number): boolean {
  return isAlnum(c) || c === 0x5f
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
}
function isLowerHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66)
}
function isPathSeparator(c: number): boolean {
  return c === 0x2e || c === 0x5f || c === 0x2d // . _ -
}

function allChars(s: string, pred: (c: number) => boolean): boolean {
  for (let i = 0; i < s.length; i++) if (!pred(s.charCodeAt(i))) return false
  return true
}

/**
 * Go's strings.ToLower uses simple per-rune case mapping; JavaScript applies SpecialCasing, under which 'İ'
 * becomes two code points. Mapping it first keeps the "does lowercasing make it valid" probe identical.
 */
function goToLower(s: string): string {
  return s.replace(/\u0130/g, 'i').toLowerCase()
}

function hasUpper(s: string): boolean {
  return goToLower(s) !== s
}

// ---------------------------------------------------------------------------------------------------------
// The grammar (regexp.go), as boolean recognizers.

/** `[a-f0-9]{64}`: an image ID, which ParseNormalizedNamed refuses to read as a name. */
function isIdentifier(s: string): boolean {
  return s.length === 64 && allChars(s, isLowerHex)
}

/** `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])` */
function isDomainLabel(label: string): boolean {
  if (label === '') return false
  if (!isAlnum(label.charCodeAt(0)) || !isAlnum(label.charCodeAt(label.length - 1))) return false
  return allChars(label, (c) => isAlnum(c) || c === 0x2d)
}

/** `:[0-9]+` (the part after the host, when present) */
function isPortSuffix(s: string): boolean {
  return s.length >= 2 && s.charCodeAt(0) === 0x3a && allChars(s.slice(1), isDigit)
}

/** domainAndPort: (domain-name | `\[[a-fA-F0-9:]+\]`) (`:[0-9]+`)? */
function isDomainAndPort(d: string): boolean {
  if (d.startsWith('[')) {
    const close = d.indexOf(']')
    if (close < 2) return false
    if (!allChars(d.slice(1, close), (c) => isHex(c) || c === 0x3a)) return false
    const rest = d.slice(close + 1)
    return rest === '' || isPortSuffix(rest)
  }
  // A domain name cannot contain ':', so the host ends at the first one and a port must follow.
  const colon = d.indexOf(':')
  const host = colon < 0 ? d : d.slice(0, colon)
  if (colon >= 0 && !isPortSuffix(d.slice(colon))) return false
  return host.split('.').every(isDomainLabel)
}

/**
 * Dashes may repeat so that punycode-like names ('xn--n3h') stay valid; a dot or underscore may not, except
 * that '__' was allowed later for names that older registries had accepted.
 */
function isValidSeparatorRun(run: string): boolean {
  return run === '.' || run === '_' || run === '__' || allChars(run, (c) => c === 0x2d)
}

/** pathComponent: `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*` */
function isPathComponent(comp: string): boolean {
  const n = comp.length
  if (n === 0 || !isLowerAlnum(comp.charCodeAt(0)) || !isLowerAlnum(comp.charCodeAt(n - 1))) return false
  let i = 0
  while (i < n) {
    while (i < n && isLowerAlnum(comp.charCodeAt(i))) i++
    if (i === n) return true
    const start = i
    while (i < n && isPathSeparator(comp.charCodeAt(i))) i++
    if (i < n && !isLowerAlnum(comp.charCodeAt(i))) return false
    if (!isValidSeparatorRun(comp.slice(start, i))) return false
  }
  return true
}

/** remoteName: pathComponent (`/` pathComponent)* */
function isRemoteName(path: string): boolean {
  return path.split('/').every(isPathComponent)
}

/** tag: `[\w][\w.-]{0,127}` */
function isTag(tag: string): boolean {
  if (tag.length === 0 || tag.length > TAG_LENGTH_MAX || !isWord(tag.charCodeAt(0))) return false
  return allChars(tag, (c) => isWord(c) || c === 0x2e || c === 0x2d)
}

/** digest algorithm: `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*` */
function isDigestAlgorithm(alg: string): boolean {
  for (const part of alg.split(/[-_+.]/)) {
    if (part === '' || !isAlpha(part.charCodeAt(0)) || !allChars(part, isAlnum)) return false
  }
  return true
}

/** digestPat: algorithm `:` `[[:xdigit:]]{32,}` */
function isDigestPattern(d: string): boolean {
  const colon = d.indexOf(':')
  if (colon < 0) return false
  const hex = d.slice(colon + 1)
  return isDigestAlgorithm(d.slice(0, colon)) && hex.length >= DIGEST_HEX_MIN && allChars(hex, isHex)
}

interface Match {
  domain: string
  path: string
  tag?: string
  digest?: string
}

/** remote-name [":" tag] ["@" digest], with no domain in front. */
function matchRemote(t: string): Match | undefined {
  // Neither path nor tag may contain '@', and a path may not contain ':', so the first of each is the separator.
  const at = t.indexOf('@')
  const nameTag = at < 0 ? t : t.slice(0, at)
  const digest = at < 0 ? undefined : t.slice(at + 1)
  const colon = nameTag.indexOf(':')
  const path = colon < 0 ? nameTag : nameTag.slice(0, colon)
  const tag = colon < 0 ? undefined : nameTag.slice(colon + 1)
  if (!isRemoteName(path)) return undefined
  if (tag !== undefined && !isTag(tag)) return undefined
  if (digest !== undefined && !isDigestPattern(digest)) return undefined
  const m: Match = { domain: '', path }
  if (tag !== undefined) m.tag = tag
  if (digest !== undefined) m.digest = digest
  return m
}

/**
 * The anchored ReferenceRegexp with Go's leftmost-first submatch choice: the optional `domain/` group is tried
 * first, and since a domain cannot contain '/', it can only be the text before the first '/'. When that fails
 * the whole name is read as a path, which is how 'foo_bar.com/app' ends up with an empty domain.
 */
function matchReference(s: string): Match | undefined {
  const slash = s.indexOf('/')
  if (slash >= 0) {
    const domain = s.slice(0, slash)
    if (isDomainAndPort(domain)) {
      const m = matchRemote(s.slice(slash + 1))
      if (m) return { ...m, domain }
    }
  }
  return matchRemote(s)
}

// ---------------------------------------------------------------------------------------------------------
// Normalization (normalize.go).

interface Split {
  domain: string
  /** what Parse sees after the domain, 'library/' included */
  remainder: string
  /** what the user wrote after the host, or the whole text when no host was written */
  written: string
  /** true when the first component was taken as the host */
  hostWritten: boolean
  /** true when there was no '/' at all (a Docker Hub "familiar" name) */
  familiar: boolean
}

/** Docker-style domain guess (splitDockerDomain); also reports what the user wrote, for error messages. */
function splitDockerDomain(name: string): Split {
  const slash = name.indexOf('/')
  if (slash < 0) {
    // Go has a FIXME here: bare 'localhost' or 'example.com' are Hub names, never hosts.
    return {
      domain: DEFAULT_DOMAIN,
      remainder: OFFICIAL_REPO_PREFIX + name,
      written: name,
      hostWritten: false,
      familiar: true
    }
  }
  const first = name.slice(0, slash)
  const rest = name.slice(slash + 1)
  let split: Split
  if (first === LEGACY_DEFAULT_DOMAIN) {
    split = { domain: DEFAULT_DOMAIN, remainder: rest, written: rest, hostWritten: true, familiar: false }
  } else if (looksLikeDomain(first)) {
    split = { domain: first, remainder: rest, written: rest, hostWritten: true, familiar: false }
  } else {
    split = { domain: DEFAULT_DOMAIN, remainder: name, written: name, hostWritten: false, familiar: false }
  }
  if (split.domain === DEFAULT_DOMAIN && !split.remainder.includes('/')) {
    split.remainder = OFFICIAL_REPO_PREFIX + split.remainder
  }
  return split
}

/** A first path component is a host iff it is localhost, has '.' or ':' (name or port), or has uppercase. */
function looksLikeDomain(first: string): boolean {
  return first === LOCALHOST || first.includes('.') || first.includes(':') || hasUpper(first)
}

/** `scheme://` at the very start: someone pasted a URL or a skopeo-style transport. */
function schemeOf(text: string): string | undefined {
  const sep = text.indexOf('://')
  if (sep < 1 || text.indexOf('/') !== sep + 1) return undefined
  if (!isAlpha(text.charCodeAt(0))) return undefined
  const scheme = text.slice(0, sep)
  const ok = allChars(scheme, (c) => isAlnum(c) || c === 0x2b || c === 0x2e || c === 0x2d)
  return ok ? scheme : undefined
}

// ---------------------------------------------------------------------------------------------------------
// Messages.

function hex4(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
}

/** Keeps text on one line and bounded, for parts that Go prints raw inside its own error strings. */
function display(s: string): string {
  const cut = s.length > SHOWN_MAX ? s.slice(0, SHOWN_MAX) + '…' : s
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, hex4)
}

/** A quoted, escaped, bounded rendering of user input for the explanation part of a message. */
function q(s: string): string {
  const cut = s.length > SHOWN_MAX ? s.slice(0, SHOWN_MAX) + '…' : s
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029]/g, hex4)
}

function fail(code: ReferenceErrorCode, goMessage: string, reason: string): InvalidReferenceError {
  return new InvalidReferenceError(code, `${goMessage} — ${reason}`)
}

const INVALID_FORMAT = 'invalid reference format'

/** First offending character of a string, as a whole code point so emoji are not split in messages. */
function firstChar(s: string, ok: (c: number) => boolean): string | undefined {
  for (const ch of s) if (ch.length !== 1 || !ok(ch.charCodeAt(0))) return ch
  return undefined
}

function portProblem(suffix: string): string {
  if (!suffix.startsWith(':')) return `unexpected ${q(suffix)} after the host`
  const port = suffix.slice(1)
  if (port === '') return 'the port after ":" is empty'
  return `port ${q(port)} must be a number`
}

function domainProblem(d: string): string {
  if (d.startsWith('[')) {
    const close = d.indexOf(']')
    if (close < 0) return 'the IPv6 address has no closing "]"'
    const inner = d.slice(1, close)
    if (inner === '') return 'the brackets hold no IPv6 address'
    if (inner.includes('%')) return 'IPv6 zone identifiers ("%…") are not allowed'
    if (inner.includes('.')) return 'IPv6 addresses with an embedded IPv4 part are not allowed'
    const bad = firstChar(inner, (c) => isHex(c) || c === 0x3a)
    if (bad !== undefined) return `${q(bad)} is not allowed in an IPv6 address`
    return portProblem(d.slice(close + 1))
  }
  const colon = d.indexOf(':')
  if (colon >= 0 && d.indexOf(':', colon + 1) >= 0) {
    return 'an IPv6 address must be written in brackets, e.g. "[fc00::1]:5000"'
  }
  const host = colon < 0 ? d : d.slice(0, colon)
  if (host === '') return 'the host name is empty'
  for (const label of host.split('.')) {
    if (label === '') return 'host names may not have empty labels (doubled, leading or trailing ".")'
    const bad = firstChar(label, (c) => isAlnum(c) || c === 0x2d)
    if (bad !== undefined) return `${q(bad)} is not allowed in a host name`
    if (!isDomainLabel(label)) return `host label ${q(label)} may not start or end with "-"`
  }
  if (colon >= 0) return portProblem(d.slice(colon))
  return 'it does not match host[:port]'
}

function pathComponentProblem(comp: string): string {
  const bad = firstChar(comp, (c) => isLowerAlnum(c) || isPathSeparator(c))
  if (bad !== undefined) {
    return `${q(bad)} is not allowed (use lowercase letters, digits, ".", "_" or "-")`
  }
  if (!isLowerAlnum(comp.charCodeAt(0))) return 'it must start with a lowercase letter or digit'
  if (!isLowerAlnum(comp.charCodeAt(comp.length - 1))) return 'it must end with a lowercase letter or digit'
  const runs = comp.match(/[._-]+/g) ?? []
  for (const run of runs) {
    if (isValidSeparatorRun(run)) continue
    if (run[0] === '_' && allChars(run, (c) => c === 0x5f)) {
      return 'separators may not repeat (at most two "_" in a row)'
    }
    if (allChars(run, (c) => c === run.charCodeAt(0))) return 'separators may not repeat'
    return `separators may not be combined (${q(run)})`
  }
  return 'it does not match the path grammar'
}

function tagProblem(tag: string): string {
  if (tag === '') return 'the tag after ":" is empty'
  if (!isWord(tag.charCodeAt(0))) return `tag ${q(tag)} must start with a letter, digit or "_"`
  const bad = firstChar(tag, (c) => isWord(c) || c === 0x2e || c === 0x2d)
  if (bad !== undefined) {
    return `${q(bad)} is not allowed in tag ${q(tag)} (use letters, digits, "_", "." or "-")`
  }
  return `tag is ${tag.length} characters long; at most ${TAG_LENGTH_MAX} are allowed`
}

function digestPatternProblem(d: string): string {
  const colon = d.indexOf(':')
  if (d === '') return 'the digest after "@" is empty'
  if (colon < 0) return `${q(d)} is not a digest: expected "<algorithm>:<hex>", e.g. "sha256:" and 64 hex digits`
  const alg = d.slice(0, colon)
  const hex = d.slice(colon + 1)
  if (!isDigestAlgorithm(alg)) return `digest algorithm ${q(alg)} is malformed`
  const bad = firstChar(hex, isHex)
  if (bad !== undefined) return `${q(bad)} is not a hex digit`
  const want = DIGEST_HEX_LENGTH.get(alg)
  const wanted = want === undefined ? `at least ${DIGEST_HEX_MIN}` : `${alg} digests have ${want}`
  return `the digest has ${hex.length} hex digits; ${wanted}`
}

/**
 * Explains why Go's reference regexp rejected the input. Go itself only says "invalid reference format"; we
 * look at the part the user meant (host, path, tag, digest in that order) and name the first bad one.
 */
function diagnose(text: string, split: Split): InvalidReferenceError {
  if (text.trim() !== text) {
    return fail('invalid-format', INVALID_FORMAT, 'the reference has leading or trailing whitespace')
  }
  if (split.hostWritten && !isDomainAndPort(split.domain)) {
    const first = split.domain
    // Go's last attempt reads a bad host as the first path component ('dock..er/x'); when it is made of path
    // characters that reading is the likelier intent, so explain it as a path component.
    if (!allChars(first, (c) => isLowerAlnum(c) || isPathSeparator(c))) {
      return fail('invalid-format', INVALID_FORMAT, `${q(first)} is not a valid registry host: ${domainProblem(first)}`)
    }
    if (!isPathComponent(first)) {
      return fail('invalid-format', INVALID_FORMAT, `${q(first)} is not a valid path component: ${pathComponentProblem(first)}`)
    }
  }
  if (split.familiar && text.startsWith('[')) {
    return fail(
      'invalid-format',
      INVALID_FORMAT,
      `${q(text)} looks like a registry address but has no repository after it; add "/<repository>"`
    )
  }
  const written = split.written
  const at = written.indexOf('@')
  const nameTag = at < 0 ? written : written.slice(0, at)
  const digest = at < 0 ? undefined : written.slice(at + 1)
  const colon = nameTag.indexOf(':')
  const path = colon < 0 ? nameTag : nameTag.slice(0, colon)
  const tag = colon < 0 ? undefined : nameTag.slice(colon + 1)

  if (path === '') {
    const reason = split.hostWritten
      ? `nothing follows ${q(split.domain + '/')}; a repository path is required`
      : `there is no repository name before ${q(written)}`
    return fail('name-empty', INVALID_FORMAT, reason)
  }
  for (const comp of path.split('/')) {
    if (comp === '') {
      return fail(
        'invalid-format',
        INVALID_FORMAT,
        `repository path ${q(path)} has an empty component (leading, trailing or doubled "/")`
      )
    }
    if (!isPathComponent(comp)) {
      return fail('invalid-format', INVALID_FORMAT, `${q(comp)} is not a valid path component: ${pathComponentProblem(comp)}`)
    }
  }
  if (tag !== undefined && !isTag(tag)) return fail('invalid-tag', 'invalid tag format', tagProblem(tag))
  if (digest !== undefined && !isDigestPattern(digest)) {
    return fail('invalid-digest', 'invalid digest format', digestPatternProblem(digest))
  }
  return fail('invalid-format', INVALID_FORMAT, `${q(text)} does not match [registry/]repository[:tag][@digest]`)
}

/** The part of `s` (between '/') that holds its first uppercase character, for the lowercase message. */
function upperExplanation(s: string): string {
  let i = 0
  for (const ch of s) {
    if (hasUpper(ch)) {
      const start = s.lastIndexOf('/', i) + 1
      const end = s.indexOf('/', i)
      const part = s.slice(start, end < 0 ? s.length : end)
      return `${q(part)} contains uppercase ${q(ch)}; only the registry host may use uppercase letters`
    }
    i += ch.length
  }
  return 'only the registry host may use uppercase letters'
}

/** go-digest's Digest.Validate for the algorithms a stock runtime links in. */
function validateDigest(d: string): void {
  const colon = d.indexOf(':')
  const alg = d.slice(0, colon)
  const hex = d.slice(colon + 1)
  const want = DIGEST_HEX_LENGTH.get(alg)
  if (want === undefined) {
    // The reference grammar already pinned the shape; go-digest's own DigestRegexp then differs only in
    // refusing uppercase algorithm names, and reports those as a format error rather than as unsupported.
    if (hasUpper(alg)) {
      throw fail('invalid-digest', 'invalid checksum digest format', `digest algorithm ${q(alg)} must be lowercase`)
    }
    throw fail(
      'invalid-digest',
      'unsupported digest algorithm',
      `${q(alg)} is not a digest algorithm the runtime knows (sha256, sha384 or sha512)`
    )
  }
  if (hex.length !== want) {
    throw fail(
      'invalid-digest',
      'invalid checksum digest length',
      `${alg} digests have exactly ${want} hex digits, this one has ${hex.length}`
    )
  }
  if (!allChars(hex, isLowerHex)) {
    throw fail('invalid-digest', 'invalid checksum digest format', `${alg} digests must be lowercase hex (0-9, a-f)`)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Public API.

/**
 * Parses and normalizes like ParseNormalizedNamed (familiar names → docker.io/library/…).
 * Throws InvalidReferenceError.
 */
export function parseReference(text: string): ImageReference {
  if (typeof text !== 'string') {
    // Manifests come from YAML, where `image: 1.0` is a number; callers should not need their own guard.
    throw fail('invalid-format', INVALID_FORMAT, `an image reference must be a string, got ${describeType(text)}`)
  }
  if (text === '') throw fail('empty', INVALID_FORMAT, 'the image reference is empty')
  if (isIdentifier(text)) {
    throw fail(
      'hex-identifier',
      `invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`,
      'a bare 64-digit hex string is an image ID, not a repository name'
    )
  }

  const split = splitDockerDomain(text)
  const tagSep = split.remainder.indexOf(':')
  // Go checks everything up to the first ':' of the remainder, which for a digest-only reference includes
  // the '@algorithm' part; kept as is so the same inputs fail.
  const remote = tagSep < 0 ? split.remainder : split.remainder.slice(0, tagSep)
  const lowercaseMessage = `${INVALID_FORMAT}: repository name (${display(remote)}) must be lowercase`
  const scheme = schemeOf(text)
  if (scheme !== undefined) {
    throw fail(
      'has-scheme',
      hasUpper(remote) ? lowercaseMessage : INVALID_FORMAT,
      `drop the ${q(scheme + '://')} prefix: an image reference is "registry/repository[:tag]", not a URL`
    )
  }
  if (hasUpper(remote)) throw fail('name-not-lowercase', lowercaseMessage, upperExplanation(remote))

  const full = `${split.domain}/${split.remainder}`
  const m = matchReference(full)
  if (!m) {
    // Parse retries in lowercase so that it can say "must be lowercase" instead of the generic error; after
    // the check above only a malformed uppercase host (re-read as a path) can get here.
    const lowered = goToLower(full)
    if (lowered !== full && matchReference(lowered)) {
      const reason =
        split.hostWritten && !isDomainAndPort(split.domain)
          ? `${q(split.domain)} is not a valid registry host (${domainProblem(split.domain)}), so it is read as part of the repository path, which must be lowercase`
          : 'the repository path must be lowercase'
      throw fail('name-not-lowercase', 'repository name must be lowercase', reason)
    }
    throw diagnose(text, split)
  }
  if (m.path.length > REPOSITORY_NAME_TOTAL_LENGTH_MAX) {
    throw fail(
      'name-too-long',
      `repository name must not be more than ${REPOSITORY_NAME_TOTAL_LENGTH_MAX} characters`,
      `the repository path ${q(m.path)} is ${m.path.length} characters long`
    )
  }
  if (m.digest !== undefined) validateDigest(m.digest)

  const ref: { -readonly [K in keyof ImageReference]: ImageReference[K] } = {
    original: text,
    domain: m.domain,
    path: m.path
  }
  if (m.tag !== undefined) ref.tag = m.tag
  if (m.digest !== undefined) ref.digest = m.digest
  return Object.freeze(ref)
}

function describeType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v
}

/** `domain/path` */
export function repositoryName(ref: ImageReference): string {
  // Go's Name() leaves out an empty domain rather than printing a leading '/'.
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`
}

function withSuffixes(name: string, tag: string | undefined, digest: string | undefined): string {
  return name + (tag !== undefined ? `:${tag}` : '') + (digest !== undefined ? `@${digest}` : '')
}

/**
 * Fully qualified form with the tag defaulted like TagNameOnly: 'docker.io/library/nginx:latest'; keeps tag
 * AND digest when both were written: 'docker.io/library/busybox:1.36@sha256:…'
 */
export function canonicalReference(ref: ImageReference): string {
  const tag = ref.tag === undefined && ref.digest === undefined ? DEFAULT_TAG : ref.tag
  return withSuffixes(repositoryName(ref), tag, ref.digest)
}

/**
 * The reference a CRI runtime pulls (ParseDockerRef): digest wins over tag:
 * 'docker.io/library/busybox@sha256:…'; else name:tag with 'latest' defaulted.
 */
export function pullReference(ref: ImageReference): string {
  if (ref.digest !== undefined) return `${repositoryName(ref)}@${ref.digest}`
  return `${repositoryName(ref)}:${ref.tag ?? DEFAULT_TAG}`
}

/**
 * The tag the runtime resolves when no digest is given: the written tag or 'latest'; undefined when a digest
 * is present.
 */
export function effectiveTag(ref: ImageReference): string | undefined {
  if (ref.digest !== undefined) return undefined
  return ref.tag ?? DEFAULT_TAG
}

/**
 * Short familiar form as `docker` prints it (FamiliarString): 'nginx:latest' for docker.io/library/nginx:latest,
 * 'user/app:1' for docker.io/user/app:1, unchanged for other registries. No tag is added when none was written.
 *
 * Two deliberate departures from Go keep the short form pointing at the same image when read back: a Hub
 * path whose first component would be taken for a host ('docker.io/foo.com/app', 'docker.io/localhost/app')
 * keeps its 'docker.io/' prefix, and 'library/<64 hex>' keeps 'library/' when nothing follows it, because a
 * bare 64-digit hex string is refused as a name.
 */
export function familiarReference(ref: ImageReference): string {
  return withSuffixes(familiarName(ref), ref.tag, ref.digest)
}

function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref)
  const path = ref.path
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length)
    if (!rest.includes('/')) {
      const bareId = isIdentifier(rest) && ref.tag === undefined && ref.digest === undefined
      return bareId ? path : rest
    }
    return path
  }
  const slash = path.indexOf('/')
  if (slash >= 0 && looksLikeDomain(path.slice(0, slash))) return `${DEFAULT_DOMAIN}/${path}`
  return path
}
