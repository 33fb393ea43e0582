import { describe, expect, it } from 'vitest'
import { freshAlerts, membersText } from './alerts.js'

describe('alerts helpers', () => {
  it('freshAlerts: only the ones not seen before, and remembers them', () => {
    const seen = new Set(['a'])
    expect(freshAlerts([{ id: 'b' }, { id: 'a' }], seen).map((x) => x.id)).toEqual(['b'])
    expect(freshAlerts([{ id: 'b' }, { id: 'a' }], seen)).toEqual([])
  })
  it('membersText lists each person with the colour', () => {
    const a = { members: [{ name: '王建国', colour: 'red' }, { name: '李秀英', colour: 'yellow' }] }
    const zh = { red: '红码', yellow: '黄码' }
    expect(membersText(a, (m) => `${m.name}（${zh[m.colour]}）`)).toBe('王建国（红码）、李秀英（黄码）')
  })
})
