import { describe, expect, it } from 'vitest'
import { todayStatus } from './householdsApi.js'

describe('todayStatus', () => {
  it('reported: when, by whom, proxy, and every member’s colour', () => {
    const today = { date: '2024-06-01', cutoff: '10:00', report: { submitted_at: '2024-06-01T00:30:00Z',
      by_name: '汪专网', proxy: true, level: 'yellow',
      members: [{ member: 'm1', name: '甲', colour: 'green' }, { member: 'm2', name: '乙', colour: 'yellow' }] } }
    expect(todayStatus(today)).toEqual({ state: 'reported', at: '2024-06-01T00:30:00Z', by: '汪专网', proxy: true,
      level: 'yellow', colours: { m1: 'green', m2: 'yellow' } })
  })
  it('not reported yet, with the cut-off', () => {
    expect(todayStatus({ date: '2024-06-01', cutoff: '10:00', report: null }))
      .toEqual({ state: 'missing', cutoff: '10:00', colours: {} })
  })
  it('unknown when it could not be read (e.g. the daily report is switched off)', () => {
    expect(todayStatus(null)).toEqual({ state: 'unknown', colours: {} })
  })
})
