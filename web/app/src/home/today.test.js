import { describe, expect, it } from 'vitest'
import { dayState, colourSummary } from './today.js'

const today = (report) => ({ date: '2024-06-01', cutoff: '10:00', report })

describe('where a household’s day stands', () => {
  it('queued wins over what the server said; a refused one is failed', () => {
    const q = { key: 'k', error: null }
    expect(dayState(today({ id: 'r' }), q).state).toBe('queued')
    expect(dayState(null, { ...q, error: { status: 422 } }).state).toBe('failed')
  })
  it('done, todo, or unknown without an answer', () => {
    expect(dayState(today({ id: 'r' })).state).toBe('done')
    expect(dayState(today(null))).toEqual({ state: 'todo', report: null, queued: null, cutoff: '10:00' })
    expect(dayState(null).state).toBe('unknown')
  })
})

describe('what the checkpoint will say', () => {
  it('green passes; yellow and red are stopped, by name', () => {
    expect(colourSummary({ members: [{ name: '甲', colour: 'green' }] })).toEqual({ ok: true, stopped: [] })
    expect(colourSummary({ members: [{ name: '甲', colour: 'green' }, { name: '乙', colour: 'yellow' }] }))
      .toEqual({ ok: false, stopped: [{ name: '乙', colour: 'yellow' }] })
  })
})
