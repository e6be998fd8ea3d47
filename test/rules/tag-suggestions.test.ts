import { describe, expect, test } from '@jest/globals'
import { editDistance, suggestTags } from '../../src/rules/tag-suggestions.js'

describe('suggestTags', () => {
  const tags = ['latest', 'v1.2', 'v1.2.1', 'v1.3', '1.25', '1.25-alpine', 'stable', 'main']
  test.each([
    ['lates', ['latest']],
    ['latets', ['latest']],
    ['v1.2-non-existent', ['v1.2']],
    ['1.25-alpin', ['1.25-alpine', '1.25']],
    ['v1.4', ['v1.2', 'v1.3']],
    ['stabel', ['stable']],
    ['completely-different', []]
  ])('%s → %j', (wanted, expected) => {
    expect(suggestTags(wanted, tags)).toEqual(expected)
  })

  test('never suggests the tag itself, and at most three', () => {
    expect(suggestTags('v1.2', ['v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6'])).toEqual(['v1.3', 'v1.4', 'v1.5'])
  })
})

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['lates', 'latest', 1],
    ['ab', 'ba', 1],
    ['kitten', 'sitting', 3]
  ])('%s ~ %s = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
    expect(editDistance(b, a)).toBe(d)
  })
})
