import dns from 'node:dns'
import { isIP } from 'node:net'

/**
 * Addresses a manifest in a pull request must never make the runner call: link-local ranges,
 * where clouds serve instance metadata and credentials (169.254.169.254, fd00:ec2::254).
 */
export function isForbiddenAddress(address: string): boolean {
  const v = isIP(address)
  if (v === 4) return address.startsWith('169.254.')
  if (v === 6) {
    const a = address.toLowerCase()
    if (a.startsWith('::ffff:')) return isForbiddenAddress(a.slice(7))
    return /^fe[89ab][0-9a-f]:/.test(a) || a === 'fd00:ec2::254'
  }
  return false
}

/** The error a refused connection fails with (classified as registry-unreachable). */
class ForbiddenAddressError extends Error {
  readonly code = 'EPULLGATE_FORBIDDEN'
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void

/**
 * A `lookup` for sockets that refuses names resolving to a forbidden address, so DNS cannot be
 * used to point the gate at a metadata service.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, [])
    const list = addresses as dns.LookupAddress[]
    const bad = list.find((a) => isForbiddenAddress(a.address))
    if (bad) return callback(new ForbiddenAddressError(`${hostname} resolves to ${bad.address}, a link-local or cloud metadata address pullgate never contacts`) as NodeJS.ErrnoException, [])
    if (options.all) return callback(null, list)
    callback(null, list[0]!.address, list[0]!.family)
  })
}

/** `*.example.com`, `registry.example.com:5000`: a host glob matched label by label (`*` within one label). */
export function hostMatches(glob: string, host: string): boolean {
  const pattern = glob.trim().toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.:]*')
  return new RegExp(`^${pattern}$`).test(host.toLowerCase())
}
