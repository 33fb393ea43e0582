import { describe, expect, it } from 'vitest'
import zhCN from '../i18n/zh-CN.js'
import { REASONS, dayCounts, daysBefore, reasonText, timeOfDay } from './scans.js'

describe('scan log helpers', () => {
  it('counts a day page by page', async () => {
    const pages = { null: { items: [{ result: 'pass' }, { result: 'stop' }], next_cursor: 'c2' },
      c2: { items: [{ result: 'invalid' }, { result: 'pass' }], next_cursor: null } }
    const seen = []
    const out = await dayCounts(async (cursor) => {
      seen.push(cursor)
      return pages[cursor]
    })
    expect(seen).toEqual([null, 'c2'])
    expect(out).toEqual({ pass: 2, stop: 1, invalid: 1, total: 4, complete: true })
  })
  it('stops after maxPages and says the count is partial', async () => {
    const out = await dayCounts(async () => ({ items: [{ result: 'pass' }], next_cursor: 'more' }), 3)
    expect(out).toMatchObject({ pass: 3, total: 3, complete: false })
  })
  it('every refusal code the server sends has a Chinese label', () => {
    expect(REASONS.map((r) => zhCN.scans.reasons[r])).toEqual(
      ['未上报', '红码', '黄码', '上报中无此人', '伪造', '过期', '已作废', '外县', '短码不存在', '无效'])
    expect(reasonText(['red_code', 'new_code'], (c) => zhCN.scans.reasons[c] || c)).toBe('红码、new_code')
  })
  it('times of day in Asia/Shanghai; days counted back on the calendar', () => {
    expect(timeOfDay('2020-06-14T16:30:05Z')).toBe('00:30:05')
    expect(daysBefore('2020-03-01', 1)).toBe('2020-02-29')
    expect(daysBefore('2020-06-15', 29)).toBe('2020-05-17')
  })
})
