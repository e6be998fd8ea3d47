import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { jsonChunks, jsonDocument } from '../../src/report/json-chunks.js'
import { Redactor } from '../../src/util/redact.js'

describe('jsonChunks', () => {
  test('joined, the pieces are what JSON.stringify(value, null, 2) writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), (value, depth) => {
        expect([...jsonChunks(value, depth)].join('')).toBe(JSON.stringify(value, null, 2))
      }),
      { numRuns: 500 }
    )
  })

  test('members JSON.stringify leaves out or writes as null are treated the same way', () => {
    const value = { a: undefined, b: () => 1, c: [undefined, () => 1, Symbol('s')], d: new Date(0), e: {}, f: [], g: { toJSON: () => undefined } }
    expect([...jsonChunks(value)].join('')).toBe(JSON.stringify(value, null, 2))
  })

  test('a report is written member by member, not as one string', () => {
    const report = { version: 1, findings: Array.from({ length: 3 }, (_, i) => ({ rule: 'tag-not-found', line: i, message: 'm' })) }
    const chunks = [...jsonDocument(report)]
    expect(chunks.length).toBeGreaterThan(6)
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(80)
    expect(chunks.join('')).toBe(`${JSON.stringify(report, null, 2)}\n`)
  })
})

describe('Redactor.redactChunks', () => {
  test('masks a secret that straddles two pieces, and gives the same text as redacting it whole', () => {
    const r = new Redactor()
    r.add('s3cr3t-token-value')
    const pieces = ['aaaa s3cr3t-', 'token-value bbbb ', 's3cr3t-token-value']
    const out = [...r.redactChunks(pieces, 8)].join('')
    expect(out).toBe('aaaa *** bbbb ***')
  })

  test('for any pieces and slice size, the result equals redacting the joined text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-d]{4,7}$/), { minLength: 1, maxLength: 4 }),
        fc.array(fc.stringMatching(/^[a-e ]{0,9}$/), { maxLength: 12 }),
        fc.integer({ min: 1, max: 20 }),
        (secrets, pieces, slice) => {
          const r = new Redactor()
          for (const s of secrets) r.add(s)
          expect([...r.redactChunks(pieces, slice)].join('')).toBe(r.redact(pieces.join('')))
        }
      ),
      { numRuns: 1000 }
    )
  })

  test('without secrets the pieces pass through unchanged', () => {
    expect([...new Redactor().redactChunks(['a', 'b', 'c'], 2)].join('')).toBe('abc')
  })
})
