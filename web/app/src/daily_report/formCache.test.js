import { beforeEach, describe, expect, it } from 'vitest'
import { keepForms, keptAddress, takeForm, withSent } from './formCache.js'

const form = (hid, address = '一号') => ({
  today: { date: '2026-12-07', cutoff: '10:00', report: null },
  history: { items: [], next_cursor: null },
  household: { id: hid, grid: 'g', address, head_name: '户主', members: [] },
})

describe('the forms GET /home brought', () => {
  beforeEach(() => keepForms({}))

  it('are taken once, while fresh', () => {
    keepForms({ h1: form('h1') }, 1000)
    expect(takeForm('h1', 1000 + 60_000)).toEqual(form('h1'))
    expect(takeForm('h1', 1000 + 60_000)).toBeNull()
  })

  it('are not used after five minutes, nor from a clock that went back', () => {
    keepForms({ h1: form('h1'), h2: form('h2') }, 1000)
    expect(takeForm('h1', 1000 + 5 * 60_000)).toBeNull()
    expect(takeForm('h2', 999)).toBeNull()
  })

  it('skip what is not a form and are replaced by the next home', () => {
    keepForms({ h1: form('h1'), bad: { today: null } }, 1000)
    expect(keptAddress('h1')).toBe('一号')
    expect(takeForm('bad', 1000)).toBeNull()
    keepForms({ h2: form('h2', '二号') }, 2000)
    expect(keptAddress('h1')).toBeNull()
    expect(keptAddress('h2')).toBe('二号')
  })
})

describe('withSent', () => {
  const r = (id, date, current) => ({ id, date, current })

  it('puts the sent report first and marks the one it replaced', () => {
    const history = { items: [r('b', '2026-12-07', true), r('a', '2026-12-06', true)], next_cursor: 'c' }
    expect(withSent(history, r('n', '2026-12-07', true))).toEqual({
      next_cursor: 'c',
      items: [r('n', '2026-12-07', true), r('b', '2026-12-07', false), r('a', '2026-12-06', true)],
    })
  })

  it('starts a history and does not list a replayed report twice', () => {
    expect(withSent(null, r('n', '2026-12-07', true)).items).toEqual([r('n', '2026-12-07', true)])
    const history = { items: [r('n', '2026-12-07', true)], next_cursor: null }
    expect(withSent(history, r('n', '2026-12-07', true)).items).toEqual([r('n', '2026-12-07', true)])
  })
})
