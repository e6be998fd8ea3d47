import { describe, expect, test } from '@jest/globals'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Keychain } from '../../src/registry/credentials/keychain.js'

function setup(config: unknown): { file: string; secrets: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-kc-'))
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config))
  return { file: path.join(dir, 'config.json'), secrets: [] }
}

describe('Keychain', () => {
  test('github-token authenticates ghcr.io only, and only when the Docker config does not', async () => {
    const { file, secrets } = setup({ auths: {} })
    const keychain = new Keychain({ dockerConfigFile: file, githubToken: 'ghs_abc123', githubActor: 'octocat', onSecret: (s) => secrets.push(s) })
    expect((await keychain.lookup('ghcr.io')).credential).toEqual({ source: 'the github-token input', username: 'octocat', password: 'ghs_abc123' })
    expect((await keychain.lookup('docker.io')).credential).toBeUndefined()
    // the token itself and the Basic form built from it are masked
    expect(secrets).toEqual(['ghs_abc123', 'ghs_abc123', Buffer.from('octocat:ghs_abc123').toString('base64')])
    const withLogin = setup({ auths: { 'ghcr.io': { auth: Buffer.from('me:ghp_pat').toString('base64') } } })
    const preferred = new Keychain({ dockerConfigFile: withLogin.file, githubToken: 'ghs_abc123', onSecret: () => {} })
    expect((await preferred.lookup('ghcr.io')).credential?.password).toBe('ghp_pat')
  })

  test('credHelpers win over auths; a helper without an answer falls back to auths; each host is asked once', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'pullgate-kc-bin-'))
    const log = path.join(bin, 'calls')
    writeFileSync(
      path.join(bin, 'docker-credential-kc'),
      `#!/bin/sh\nread s\necho "$s" >> ${log}\nif [ "$s" = helped.example.com ]; then echo '{"Username":"<token>","Secret":"refresh-token-1"}'; else echo "credentials not found in native keychain"; exit 1; fi\n`
    )
    chmodSync(path.join(bin, 'docker-credential-kc'), 0o755)
    const previous = process.env.PATH
    process.env.PATH = `${bin}:${previous}`
    try {
      const { file } = setup({
        credsStore: 'kc',
        auths: { 'fallback.example.com': { auth: Buffer.from('u:p').toString('base64') }, 'helped.example.com': { auth: Buffer.from('x:y').toString('base64') } }
      })
      const keychain = new Keychain({ dockerConfigFile: file, onSecret: () => {} })
      expect((await keychain.lookup('helped.example.com')).credential).toEqual({ source: 'credential helper docker-credential-kc', identityToken: 'refresh-token-1' })
      expect((await keychain.lookup('fallback.example.com')).credential?.username).toBe('u')
      expect(await keychain.lookup('none.example.com')).toEqual({})
      await keychain.lookup('helped.example.com')
      const { readFileSync } = await import('node:fs')
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['helped.example.com', 'fallback.example.com', 'none.example.com'])
    } finally {
      process.env.PATH = previous
    }
  })

  test('Docker Hub is asked for under the server URL docker login uses', async () => {
    const { file } = setup({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') } } })
    expect((await new Keychain({ dockerConfigFile: file, onSecret: () => {} }).lookup('docker.io')).credential?.username).toBe('hub')
  })
})
