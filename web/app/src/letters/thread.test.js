import { describe, expect, it } from 'vitest'
import { threadOf } from './thread.js'

const ev = (event, by_role, note = null, detail = {}) => ({ event, event_name: event, at: '2026-11-30T02:00:00Z', by: 'x', by_role, note, detail })

describe('a letter as a conversation', () => {
  it('puts words on their side, and names the office answering at that moment', () => {
    const thread = threadOf({
      level: 'township',
      timeline: [
        ev('filed', 'filer'),
        ev('accepted', 'staff'), // no words: a notice
        ev('note', 'staff', '已收到'),
        ev('escalated', 'system', null, { to: 'township', top: false }),
        ev('resolved', 'staff', '镇里已协调'),
        ev('reopened', 'filer', '还没装'),
        ev('note', 'staff', '村里再看看'),
        ev('rated', 'filer', null, { rating: 3 }),
        ev('hidden', 'staff', '含有辱骂'),
      ],
    })
    expect(thread.map((m) => [m.kind, m.side ?? null, m.level])).toEqual([
      ['notice', null, 'village'],
      ['notice', null, 'village'],
      ['message', 'theirs', 'village'],
      ['notice', null, 'township'],
      ['message', 'theirs', 'township'],
      ['message', 'mine', 'village'], // reopened: back where it began
      ['message', 'theirs', 'village'],
      ['message', 'mine', 'village'],
      ['notice', null, 'village'], // hiding is said as a notice, with its reason
    ])
    expect(thread[3].to).toBe('township')
    expect(thread[7].rating).toBe(3)
    expect(thread[8].note).toBe('含有辱骂')
  })

  it('a letter written to the township starts there', () => {
    const [filed] = threadOf({ level: 'township', timeline: [ev('filed', 'filer')] })
    expect(filed.level).toBe('township')
    const up = threadOf({ level: 'county', timeline: [ev('filed', 'filer'), ev('escalated', 'system', null, { to: 'county' })] })
    expect(up.map((m) => m.level)).toEqual(['township', 'county'])
  })
})
