import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DockerConfigError, dockerConfigPath, readDockerConfig } from '../../src/registry/credentials/docker-config.js'

function configFile(content: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-dc-'))
  writeFileSync(path.join(dir, 'config.json'), content)
  return path.join(dir, 'config.json')
}

const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('readDockerConfig', () => {
  test('auths in every spelling Docker writes, keyed by host; helpers and store', () => {
    const file = configFile(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
          'ghcr.io': { username: 'octo', password: 'ghp_x' },
          'https://registry.example.com:5000/v2/': { auth: b64('u:p') },
          'myacr.azurecr.io': { identitytoken: 'refresh-me' },
          'tokenreg.example.com': { registrytoken: 'bearer-me' },
          'empty.example.com': {},
          'nouser.example.com': { auth: b64(':nopass') }
        },
        credsStore: 'desktop',
        credHelpers: { '123.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login', 'https://us-docker.pkg.dev': 'gcloud' }
      })
    )
    const config = readDockerConfig(file)!
    expect(Object.fromEntries([...config.auths].map(([k, v]) => [k, { ...v, source: undefined }]))).toEqual({
      'docker.io': { username: 'hubuser', password: 'hub:pass', source: undefined },
      'ghcr.io': { username: 'octo', password: 'ghp_x', source: undefined },
      'registry.example.com:5000': { username: 'u', password: 'p', source: undefined },
      'myacr.azurecr.io': { username: undefined, identityToken: 'refresh-me', source: undefined },
      'tokenreg.example.com': { registryToken: 'bearer-me', source: undefined }
    })
    expect(config.auths.get('ghcr.io')!.source).toBe(`${file} (auths["ghcr.io"])`)
    expect(config.credsStore).toBe('desktop')
    expect([...config.credHelpers]).toEqual([
      ['123.dkr.ecr.us-east-1.amazonaws.com', 'ecr-login'],
      ['us-docker.pkg.dev', 'gcloud']
    ])
  })

  test('a missing file is no config; a broken one is an error naming the file, without its content', () => {
    expect(readDockerConfig('/nonexistent/config.json')).toBeUndefined()
    const file = configFile('{"auths": {"x": {"auth": "c2VjcmV0OnBhc3M="}')
    expect(() => readDockerConfig(file)).toThrow(DockerConfigError)
    expect(() => readDockerConfig(file)).toThrow(new RegExp(`^the Docker config ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON`))
    try {
      readDockerConfig(file)
    } catch (error) {
      expect((error as Error).message).not.toContain('c2VjcmV0')
    }
  })

  test('dockerConfigPath: explicit file or folder, then DOCKER_CONFIG, then ~/.docker', () => {
    const file = configFile('{}')
    expect(dockerConfigPath(file, {})).toBe(file)
    expect(dockerConfigPath(path.dirname(file), {})).toBe(file)
    expect(dockerConfigPath(undefined, { DOCKER_CONFIG: '/cfg' })).toBe('/cfg/config.json')
    expect(dockerConfigPath(undefined, { HOME: '/home/me' })).toBe('/home/me/.docker/config.json')
  })
})

describe('readDockerConfig on arbitrary input', () => {
  test('any bytes: a config or a DockerConfigError naming the file, never another error, never the content', async () => {
    const fc = (await import('fast-check')).default
    const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-dc-fuzz-'))
    const file = path.join(dir, 'config.json')
    const jsonish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc.record({ auths: fc.dictionary(fc.string({ maxLength: 30 }), fc.oneof(fc.record({ auth: fc.string() }), fc.jsonValue(), fc.constant(null))) }).map((o) => JSON.stringify(o)),
      fc.record({ credHelpers: fc.jsonValue(), credsStore: fc.jsonValue() }).map((o) => JSON.stringify(o))
    )
    fc.assert(
      fc.property(jsonish, (text) => {
        writeFileSync(file, text)
        try {
          const config = readDockerConfig(file)
          for (const credential of config?.auths.values() ?? []) expect(typeof credential.source).toBe('string')
        } catch (error) {
          expect(error).toBeInstanceOf(DockerConfigError)
          expect((error as Error).message.startsWith(`the Docker config ${file} is not`)).toBe(true)
          // the message never quotes the file's text (passwords live there)
          if (text.length > 12) expect((error as Error).message).not.toContain(text.slice(0, 12))
        }
      }),
      { numRuns: 500 }
    )
  })
})
