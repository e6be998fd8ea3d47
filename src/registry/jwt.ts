/** The pull scope of a repository, as token servers and challenges spell it. */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`
}

/**
 * The pull scopes a registry token grants, read from its `access` claim when it is a JWT (as
 * distribution's token spec, Docker Hub, Harbor and GitLab issue them); undefined for an opaque
 * token. Not verified: the registry verifies the token, this only reads what it says it grants.
 */
export function grantedPullScopes(token: string): Set<string> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  let claims: { access?: unknown }
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { access?: unknown }
  } catch {
    return undefined
  }
  if (typeof claims !== 'object' || claims === null || !Array.isArray(claims.access)) return undefined
  const granted = new Set<string>()
  for (const a of claims.access as Array<Record<string, unknown> | null>) {
    if (a?.type !== 'repository' || typeof a.name !== 'string' || !Array.isArray(a.actions)) continue
    if (a.actions.includes('pull') || a.actions.includes('*')) granted.add(pullScope(a.name))
  }
  return granted
}
