import type { HttpResponse } from './transport.js'

/** One entry of a registry's `{"errors": [...]}` body (OCI distribution spec §Error Codes). */
export interface RegistryErrorEntry {
  readonly code: string
  readonly message: string
}

/** The error entries of a response body, if it is the spec's JSON (4xx bodies MAY be anything). */
function registryErrors(response: HttpResponse): RegistryErrorEntry[] {
  if (response.body.length === 0) return []
  try {
    const json = JSON.parse(response.body.toString('utf8')) as { errors?: unknown }
    if (!Array.isArray(json.errors)) return []
    return json.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' }))
  } catch {
    return []
  }
}

/** `MANIFEST_UNKNOWN: manifest unknown` (or a short excerpt of a non-JSON body), for evidence in messages. */
export function describeRegistryErrors(response: HttpResponse): string {
  const entries = registryErrors(response)
  if (entries.length > 0) return entries.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ')
  const text = response.body.toString('utf8').replace(/\s+/g, ' ').trim()
  return text ? JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text) : ''
}
