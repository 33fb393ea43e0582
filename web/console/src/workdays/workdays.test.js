import { describe, expect, it } from 'vitest'
import { checkDay, countyEntry, dayBody, defaultKind, formatDay, parseDay, shanghaiYear, summary, weekdayOf }
  from './workdays.js'

// GET /workdays/2026 days as the server lists them (a national holiday, a 调休 working Saturday, county entries).
const DAYS = [
  { date: '2026-10-01', kind: 'off', name: '国庆节', source: 'national', note: null, default_kind: 'off' },
  { date: '2026-10-10', kind: 'off', name: '本县调整为休息', source: 'county', note: '本县防汛调休',
    default_kind: 'work' },
  { date: '2026-09-22', kind: 'off', name: '本县调整为休息', source: 'county', note: null, default_kind: 'work' },
  { date: '2026-09-27', kind: 'work', name: '国庆节调休上班', source: 'national', note: null, default_kind: 'work' },
]

describe('plain dates of the county calendar', () => {
  it('the year is Beijing’s: 31 December 16:00 UTC is already the next year there', () => {
    expect(shanghaiYear(new Date('2026-12-31T15:59:00Z'))).toBe(2026)
    expect(shanghaiYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027)
  })
  it('weekdays and formats of dates, whatever the browser’s time zone (no instant involved)', () => {
    expect(['2026-10-01', '2026-10-10', '2026-10-11', '2026-10-12'].map(weekdayOf)).toEqual([4, 6, 0, 1])
    expect(formatDay('2026-10-01')).toBe('2026/10/01')
    expect(formatDay('2026-10-01', 'en')).toBe('10/01/2026')
    expect(parseDay('2026-02-30')).toBe(null)
    expect(parseDay('20261001')).toBe(null)
    expect(weekdayOf('')).toBe(null)
  })
  it('what a day is without the county: the national list, else Monday to Friday', () => {
    expect(defaultKind('2026-10-01', DAYS)).toBe('off')
    expect(defaultKind('2026-10-10', DAYS)).toBe('work') // a 调休 Saturday the county made a day off
    expect(defaultKind('2026-09-21', DAYS)).toBe('work') // an ordinary Monday
    expect(defaultKind('2026-09-20', DAYS)).toBe('off') // an ordinary Sunday
    expect(countyEntry('2026-10-10', DAYS).note).toBe('本县防汛调休')
    expect(countyEntry('2026-10-01', DAYS)).toBe(null)
  })
  it('the summary counts', () => {
    expect(summary(DAYS)).toEqual({ off: 3, work: 1, county: 2 })
  })
})

describe('a day to set: checks and body', () => {
  it('a real date in the year shown, a kind, a note of at most 100', () => {
    expect(checkDay({ date: '2026-09-22', kind: 'off', note: '' }, 2026)).toEqual({})
    expect(checkDay({ date: '', kind: '', note: '长'.repeat(101) }, 2026)).toEqual({ date: 'workdays.check.date',
      kind: 'workdays.check.kind', note: 'workdays.check.note' })
    expect(checkDay({ date: '2027-01-04', kind: 'work' }, 2026)).toEqual({ date: 'workdays.check.year' })
    expect(checkDay({ date: '2026-02-30', kind: 'work' }, 2026)).toEqual({ date: 'workdays.check.date' })
  })
  it('the body: kind, and the note or null', () => {
    expect(dayBody({ kind: 'off', note: ' 本县防汛调休 ' })).toEqual({ kind: 'off', note: '本县防汛调休' })
    expect(dayBody({ kind: 'work', note: '  ' })).toEqual({ kind: 'work', note: null })
  })
})
