import { describe, expect, test } from '@jest/globals'
import { applyRuleSettings, parseRuleSettings, UsageError } from '../../src/engine/options.js'
import type { Finding } from '../../src/findings/finding.js'

describe('the rules input', () => {
  test('pairs on lines or after commas, levels in any case', () => {
    expect([...parseRuleSettings('registry-unreachable: error, mutable-tag: off\n  tag-not-found=Warning\n# a comment')]).toEqual([
      ['registry-unreachable', 'error'],
      ['mutable-tag', 'off'],
      ['tag-not-found', 'warning']
    ])
    expect(parseRuleSettings('').size).toBe(0)
  })

  test.each([
    ['mutable-tags: off', 'rules: unknown rule "mutable-tags"; rules are invalid-manifest, manifest-recovered'],
    ['mutable-tag: loud', 'rules: "loud" for mutable-tag is not one of error, warning, notice, off'],
    ['mutable-tag', 'rules: "mutable-tag" is not "rule-id: level" (e.g. "mutable-tag: off")']
  ])('%j is a usage error', (value, message) => {
    expect(() => parseRuleSettings(value)).toThrow(UsageError)
    expect(() => parseRuleSettings(value)).toThrow(message)
  })

  test('settings change severities and drop rules that are off', () => {
    const f = (rule: string, severity: Finding['severity']): Finding => ({ rule, severity, file: 'a', line: 1, column: 1, endLine: 1, endColumn: 2, message: 'm' })
    const settings = parseRuleSettings('registry-unreachable: error, mutable-tag: off')
    expect(applyRuleSettings([f('registry-unreachable', 'warning'), f('mutable-tag', 'warning'), f('tag-not-found', 'error')], settings)).toEqual([
      f('registry-unreachable', 'error'),
      f('tag-not-found', 'error')
    ])
  })
})
