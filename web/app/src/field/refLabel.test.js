import { describe, expect, it } from 'vitest'
import { rememberWarnings, shortRef, takeWarnings } from './refLabel.js'

describe('shortRef', () => {
  it("drops the village's code from the numbers the system gives", () => {
    expect(shortRef('330825001201-0173', '330825001201')).toBe('0173')
  })
  it("keeps a county's own numbers, and numbers of another village, as they are", () => {
    expect(shortRef('H-001', '330825001201')).toBe('H-001')
    expect(shortRef('330825001202-0001', '330825001201')).toBe('330825001202-0001')
    expect(shortRef(null, '330825001201')).toBe('')
  })
})

describe('warnings for the next page', () => {
  it('are read once', () => {
    rememberWarnings('h1', [{ code: 'duplicate_address', message: 'x' }])
    rememberWarnings('h2', [])
    expect(takeWarnings('h1')).toEqual([{ code: 'duplicate_address', message: 'x' }])
    expect(takeWarnings('h1')).toEqual([])
    expect(takeWarnings('h2')).toEqual([])
  })
})
