import { spawn } from 'node:child_process'
import { helperServerUrl, type CredentialLookup } from './credential.js'

const HELPER_TIMEOUT_MS = 15_000

/**
 * Asks `docker-credential-<name> get` for a registry's credentials (the docker-credential-helpers
 * protocol: server URL on stdin, `{ServerURL, Username, Secret}` on stdout; a `<token>` user means
 * the secret is an identity token). Never throws: a failing helper becomes a problem to report.
 */
export function credentialsFromHelper(helper: string, host: string): Promise<CredentialLookup> {
  const program = `docker-credential-${helper}`
  const source = `credential helper ${program}`
  return new Promise((resolve) => {
    let stdout = ''
    let stderr = ''
    let settled = false
    const done = (result: CredentialLookup) => {
      if (!settled) {
        settled = true
        resolve(result)
      }
    }
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: HELPER_TIMEOUT_MS, env: process.env })
    } catch (error) {
      done({ problem: `${program} could not be started: ${(error as Error).message}` })
      return
    }
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    child.on('error', (error: NodeJS.ErrnoException) => {
      done({ problem: error.code === 'ENOENT' ? `${program} is not installed (not found on PATH)` : `${program} failed: ${error.message}` })
    })
    child.on('close', (code, signal) => {
      if (signal) return done({ problem: `${program} did not answer within ${HELPER_TIMEOUT_MS / 1000} s` })
      if (code !== 0) {
        // "credentials not found in native keychain": nothing stored for this registry, not a failure
        if (/not found/i.test(stdout) || /not found/i.test(stderr)) return done({})
        // stdout is where a helper writes secrets, even when it then fails: quote only stderr
        const said = stderr.trim().split('\n')[0] ?? ''
        return done({ problem: `${program} exited with code ${code}${said ? `: ${said.slice(0, 200)}` : ''}` })
      }
      try {
        const answer = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown }
        const username = typeof answer.Username === 'string' ? answer.Username : ''
        const secret = typeof answer.Secret === 'string' ? answer.Secret : ''
        if (!secret) return done({})
        if (username === '<token>') return done({ credential: { source, identityToken: secret } })
        done({ credential: { source, username, password: secret } })
      } catch {
        done({ problem: `${program} printed something that is not the helper protocol's JSON` })
      }
    })
    child.stdin!.on('error', () => {})
    child.stdin!.end(helperServerUrl(host))
  })
}
