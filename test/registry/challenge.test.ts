import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { ChallengeParseError, parseChallenges } from '../../src/registry/challenge.js'

describe('parseChallenges (WWW-Authenticate)', () => {
  test.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } }]
    ],
    ['Basic realm="oci-lab-basic"', [{ scheme: 'basic', params: { realm: 'oci-lab-basic' } }]],
    // distribution adds the error after a refused token; a scope may list several actions with commas
    [
      'Bearer realm="http://127.0.0.1:1/token",service="svc",scope="repository:a/b:pull,push",error="insufficient_scope"',
      [{ scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/token', service: 'svc', scope: 'repository:a/b:pull,push', error: 'insufficient_scope' } }]
    ],
    ['BEARER Realm=https://x/token, Service=""', [{ scheme: 'bearer', params: { realm: 'https://x/token', service: '' } }]],
    ['Bearer realm="a \\"quoted\\" realm"', [{ scheme: 'bearer', params: { realm: 'a "quoted" realm' } }]],
    ['Basic realm="r", Bearer realm="https://t/token"', [{ scheme: 'basic', params: { realm: 'r' } }, { scheme: 'bearer', params: { realm: 'https://t/token' } }]],
    ['Negotiate', [{ scheme: 'negotiate', params: {} }]],
    ['', []]
  ])('%s', (header, expected) => {
    expect(parseChallenges([header])).toEqual(expected)
  })

  test('several header values are read in order', () => {
    expect(parseChallenges(['Basic realm="a"', 'Bearer realm="b"']).map((c) => c.scheme)).toEqual(['basic', 'bearer'])
  })

  test.each(['Bearer realm="unterminated', '=realm', 'Bearer realm="x" @@'])('malformed %j throws ChallengeParseError', (header) => {
    expect(() => parseChallenges([header])).toThrow(ChallengeParseError)
  })

  test('any string: parses or throws ChallengeParseError, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        try {
          parseChallenges([header])
        } catch (error) {
          expect(error).toBeInstanceOf(ChallengeParseError)
        }
      }),
      { numRuns: 2000 }
    )
  })

  test('what is printed is read back: realm, service and scope survive quoting', () => {
    const value = fc.string({ maxLength: 40 })
    fc.assert(
      fc.property(value, value, value, (realm, service, scope) => {
        const q = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`
        const [c] = parseChallenges([`Bearer realm=${q(realm)},service=${q(service)},scope=${q(scope)}`])
        expect(c).toEqual({ scheme: 'bearer', params: { realm, service, scope } })
      })
    )
  })
})
