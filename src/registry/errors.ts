/** Why a request got no HTTP answer at all. */
export type TransportFailure = 'dns' | 'connect' | 'tls' | 'timeout' | 'reset' | 'too-large' | 'redirect' | 'refused-address'

/**
 * A request that did not produce a usable HTTP response. The message names the cause in words a
 * user can act on; it never contains credentials (URLs here carry none).
 */
export class TransportError extends Error {
  constructor(
    readonly failure: TransportFailure,
    message: string,
    /** the system or undici error code, e.g. ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE */
    readonly code?: string
  ) {
    super(message)
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'EPROTO'
])

/** True for a TLS failure caused by the certificate (as opposed to a server that does not speak TLS). */
export function isCertificateProblem(error: TransportError): boolean {
  return error.failure === 'tls' && error.code !== undefined && !/WRONG_VERSION|PACKET_LENGTH|EPROTO/.test(error.code)
}

/** Maps a Node/undici error to a TransportError with a readable cause. */
export function classifyNetworkError(error: unknown, host: string): TransportError {
  if (error instanceof TransportError) return error
  const chain: Array<{ code?: string; message?: string }> = []
  for (let e = error as { code?: string; message?: string; cause?: unknown } | undefined; e && chain.length < 5; e = e.cause as typeof e) chain.push(e)
  const code = chain.map((e) => e.code).find((c) => typeof c === 'string' && c !== 'UND_ERR_SOCKET') ?? chain[0]?.code
  const found = chain.map((e) => e.message).find((m) => m && !/^(fetch failed|other side closed)$/.test(m)) ?? 'unknown error'
  // Node appends advice about --use-system-ca; pullgate already trusts the system store, so it would mislead
  const detail = found.replace(/; if the root CA is installed locally.*$/, '')
  if (code === 'EPULLGATE_FORBIDDEN') return new TransportError('refused-address', detail, code)
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError('dns', `the host name ${host.replace(/:\d+$/, '')} does not resolve (${code})`, code)
  if (code === 'ECONNREFUSED') return new TransportError('connect', `connection refused by ${host} (nothing listens there)`, code)
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new TransportError('connect', `${host} is not reachable from this machine (${code})`, code)
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new TransportError('timeout', `connecting to ${host} timed out`, code)
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new TransportError('timeout', `${host} stopped answering (${code === 'UND_ERR_HEADERS_TIMEOUT' ? 'no response headers' : 'the response body stalled'} within the timeout)`, code)
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) {
    return new TransportError('tls', `TLS with ${host} failed: ${detail} (${code})`, code)
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    return new TransportError('reset', `${host} closed the connection (${code})`, code)
  }
  return new TransportError('connect', `request to ${host} failed: ${detail}${code ? ` (${code})` : ''}`, code)
}
