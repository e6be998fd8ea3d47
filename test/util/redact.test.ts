import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { Redactor } from '../../src/util/redact.js'

describe('Redactor', () => {
  test('masks every occurrence of every secret, and nothing else', () => {
    const r = new Redactor()
    r.add('hunter22')
    r.add('eyJhbGciOi.token.sig')
    expect(r.redact('pass hunter22, token eyJhbGciOi.token.sig; again hunter22')).toBe('pass ***, token ***; again ***')
  })

  test('a secret that contains another is masked whole, not left half visible', () => {
    const r = new Redactor()
    r.add('abcd')
    r.add('xxabcdyy')
    expect(r.redact('[xxabcdyy] [abcd]')).toBe('[***] [***]')
  })

  test('regular-expression characters in a secret are matched literally', () => {
    const r = new Redactor()
    r.add('p@ss.w*rd+(1)$&')
    expect(r.redact('login p@ss.w*rd+(1)$& and pXss.wwrd+(1)')).toBe('login *** and pXss.wwrd+(1)')
  })

  test('secrets shorter than 4 characters are not masked (they would shred the text)', () => {
    const r = new Redactor()
    r.add('abc')
    expect(r.redact('abc abcd')).toBe('abc abcd')
  })

  test('a secret added after a first redaction is masked too', () => {
    const r = new Redactor()
    r.add('first-secret')
    expect(r.redact('first-secret second-secret')).toBe('*** second-secret')
    r.add('second-secret')
    expect(r.redact('first-secret second-secret')).toBe('*** ***')
  })

  test('no registered secret survives redaction, whatever the secrets and the text around them', () => {
    const noStar = (s: string) => !s.includes('*')
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 4, maxLength: 12 }).filter(noStar), { minLength: 1, maxLength: 8 }),
        fc.array(fc.string({ maxLength: 6 }).filter(noStar)),
        (secrets, filler) => {
          const r = new Redactor()
          for (const s of secrets) r.add(s)
          const text = secrets.map((s, i) => `${filler[i] ?? ''}${s}`).join(' ') + (filler.at(-1) ?? '')
          // what is left between the masks holds no secret whole
          for (const piece of r.redact(text).split('***')) for (const s of secrets) expect(piece.includes(s)).toBe(false)
        }
      )
    )
  })
})
