import { describe, expect, test } from '@jest/globals'
import { choosePlatform, compatiblePlatforms, formatPlatform, parsePlatform, PlatformParseError } from '../../src/compat/platforms.js'
import { parseRuntime, RuntimeParseError } from '../../src/compat/runtimes.js'
import { parseCompat, UsageError } from '../../src/engine/options.js'

describe('runtimes as kubectl prints them', () => {
  test.each([
    ['containerd://1.7.27', 'containerd', [1, 7, 27]],
    ['containerd://1.4.11-k3s1', 'containerd', [1, 4, 11]],
    ['docker://20.10.25', 'docker', [20, 10, 25]],
    ['cri-o://1.30.4', 'cri-o', [1, 30, 4]],
    ['containerd-1.7', 'containerd', [1, 7, 0]],
    ['docker-20.10', 'docker', [20, 10, 0]],
    ['cri-o-1.30', 'cri-o', [1, 30, 0]],
    ['CONTAINERD://2.1.4', 'containerd', [2, 1, 4]]
  ])('%s', (text, family, version) => {
    expect(parseRuntime(text)).toEqual({ label: text, family, version })
  })

  test.each(['rkt://1.0', 'containerd', 'containerd://', 'docker://latest', ''])('%j is refused with the forms to write', (text) => {
    expect(() => parseRuntime(text)).toThrow(RuntimeParseError)
    expect(() => parseRuntime(text)).toThrow(/write it as kubectl get nodes -o wide prints it/)
  })
})

describe('platforms as containerd normalizes them', () => {
  test.each([
    ['linux/amd64', 'linux/amd64'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/i386', 'linux/386'],
    ['Linux/AMD64', 'linux/amd64']
  ])('%s → %s', (text, expected) => {
    expect(formatPlatform(parsePlatform(text))).toBe(expected)
  })

  test.each(['linux', 'linux/amd64/v2/x', 'linux//amd64', 'linux/amd 64'])('%j is not a platform', (text) => {
    expect(() => parsePlatform(text)).toThrow(PlatformParseError)
  })

  test('what a node runs, best first: amd64 takes 386; arm/v7 takes v6 and v5; arm64 does not take 32-bit arm', () => {
    expect(compatiblePlatforms(parsePlatform('linux/amd64')).map(formatPlatform)).toEqual(['linux/amd64', 'linux/386'])
    expect(compatiblePlatforms(parsePlatform('linux/amd64/v3')).map(formatPlatform)).toEqual(['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386'])
    expect(compatiblePlatforms(parsePlatform('linux/arm/v7')).map(formatPlatform)).toEqual(['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5'])
    expect(compatiblePlatforms(parsePlatform('linux/arm64')).map(formatPlatform)).toEqual(['linux/arm64'])
  })

  test('choosing in an index: exact first, then fallbacks, entries without platform last', () => {
    const entries = [{ name: 'any' }, { name: '386', platform: parsePlatform('linux/386') }, { name: 'amd64', platform: parsePlatform('linux/amd64') }]
    expect(choosePlatform(parsePlatform('linux/amd64'), entries)!.name).toBe('amd64')
    expect(choosePlatform(parsePlatform('linux/amd64'), entries.slice(0, 2))!.name).toBe('386')
    expect(choosePlatform(parsePlatform('linux/arm64'), entries)!.name).toBe('any')
    expect(choosePlatform(parsePlatform('linux/arm64'), entries.slice(1))).toBeUndefined()
  })
})

describe('parseCompat', () => {
  test('defaults: containerd 2.1 on linux/amd64; accept-media-types alone replaces the table', () => {
    const d = parseCompat([], [], [])
    expect([d.runtimes.map((r) => r.label), d.platforms.map(formatPlatform)]).toEqual([['containerd://2.1'], ['linux/amd64']])
    expect(parseCompat([], [], ['application/vnd.oci.image.manifest.v1+json']).runtimes.map((r) => r.label)).toEqual(['accept-media-types'])
    expect(parseCompat(['docker://24.0'], [], ['x']).runtimes.map((r) => r.label)).toEqual(['docker://24.0', 'accept-media-types'])
  })

  test('a bad runtime or platform is a usage error', () => {
    expect(() => parseCompat(['rkt://1'], [], [])).toThrow(UsageError)
    expect(() => parseCompat([], ['amd64'], [])).toThrow(UsageError)
  })
})
