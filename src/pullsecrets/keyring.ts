/**
 * The kubelet's rules for which docker-config entry serves which image
 * (pkg/credentialprovider/keyring.go, URLsMatch; Kubernetes docs "Interpretation of config.json"):
 * the scheme and a `/v1/` or `/v2/` path are ignored; hosts must have the same number of labels,
 * each matched as a glob (`*.example.com` ≠ `example.com`); ports must be equal; and the entry's
 * path must be a prefix of the image's path.
 */

interface SchemelessUrl {
  readonly labels: string[]
  readonly port: string
  readonly path: string
}

function parseSchemeless(text: string): SchemelessUrl {
  const noScheme = text.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const slash = noScheme.indexOf('/')
  const hostPort = slash === -1 ? noScheme : noScheme.slice(0, slash)
  let path = slash === -1 ? '' : noScheme.slice(slash)
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) path = path.slice(3)
  if (path === '/') path = ''
  const colon = hostPort.lastIndexOf(':')
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon)
  const port = colon === -1 ? '' : hostPort.slice(colon + 1)
  return { labels: host.toLowerCase().split('.'), port, path }
}

/** Compiled label globs: the same few keys are matched against every private image of a run. */
const labelPatterns = new Map<string, RegExp | null>()

/** Go's filepath.Match for one host label: `*`, `?` and character classes. */
function labelMatches(glob: string, label: string): boolean {
  let pattern = labelPatterns.get(glob)
  if (pattern === undefined) {
    const source = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^.]*').replace(/\?/g, '[^.]')
    try {
      pattern = new RegExp(`^${source}$`)
    } catch {
      pattern = null // not a valid class: only the glob itself matches
    }
    labelPatterns.set(glob, pattern)
  }
  return pattern ? pattern.test(label) : glob === label
}

/** Does the docker-config key `key` (a host, glob, maybe with port and path) serve `image` (`host[:port]/path`)? */
export function keyMatchesImage(key: string, image: string): boolean {
  const glob = parseSchemeless(key)
  const target = parseSchemeless(image)
  if (glob.port !== target.port || glob.labels.length !== target.labels.length) return false
  if (!glob.labels.every((g, i) => labelMatches(g, target.labels[i]!))) return false
  return target.path.startsWith(glob.path)
}

/** Docker Hub's entries (`https://index.docker.io/v1/` and its aliases) serve docker.io images. */
function isDockerHubKey(key: string): boolean {
  const { labels, port, path } = parseSchemeless(key)
  const host = labels.join('.')
  return port === '' && path === '' && ['index.docker.io', 'docker.io', 'registry-1.docker.io'].includes(host)
}

/**
 * Does an entry of `keys` serve the image `registry/repository`? For Docker Hub the kubelet also
 * falls back to the default registry's entry (keyring.go isDefaultRegistryMatch).
 */
export function keysCoverImage(keys: readonly string[], registry: string, repository: string): boolean {
  const image = `${registry}/${repository}`
  if (keys.some((k) => keyMatchesImage(k, image))) return true
  return registry === 'docker.io' && keys.some(isDockerHubKey)
}
