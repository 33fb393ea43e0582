import { describe, expect, it } from 'vitest'
import {
  POLL_GIVE_UP_MS, cellText, headerText, isFinished, pollVerdict, progressOf, statusType, unfinished, upsertReport,
} from './reports.js'

const report = (id, status, progress = 0) => ({ id, quarter: '2026-Q4', status, progress, status_name: status })

describe('watching a report being made', () => {
  it('polling goes on while queued or running, and stops when done, failed, or watched too long', () => {
    const t0 = 1_000_000
    expect(pollVerdict(report('a', 'queued'), t0, t0 + 1500)).toBe('continue')
    expect(pollVerdict(report('a', 'running', 40), t0, t0 + 3000)).toBe('continue')
    expect(pollVerdict(report('a', 'done', 100), t0, t0 + 4500)).toBe('done')
    expect(pollVerdict(report('a', 'failed', 10), t0, t0 + 4500)).toBe('failed')
    expect(pollVerdict(report('a', 'running', 90), t0, t0 + POLL_GIVE_UP_MS)).toBe('timeout')
    expect(pollVerdict(report('a', 'done', 100), t0, t0 + POLL_GIVE_UP_MS)).toBe('done') // the answer wins
    expect(isFinished(report('a', 'running'))).toBe(false)
    expect(isFinished(report('a', 'failed'))).toBe(true)
    expect(isFinished(null)).toBe(false)
  })
  it('the progress bar: the job\'s percentage, full and green when done, red when failed', () => {
    expect(progressOf(report('a', 'queued'))).toEqual({ percentage: 0, status: '' })
    expect(progressOf(report('a', 'running', 42))).toEqual({ percentage: 42, status: '' })
    expect(progressOf(report('a', 'done', 90))).toEqual({ percentage: 100, status: 'success' })
    expect(progressOf(report('a', 'failed', 30))).toEqual({ percentage: 30, status: 'exception' })
    expect(progressOf({ status: 'running', progress: 130 }).percentage).toBe(100)
    expect(statusType('done')).toBe('success')
    expect(statusType('failed')).toBe('danger')
  })
  it('the list: a new report on top, a polled one in its place; the newest unfinished one is watched', () => {
    const list = [report('b', 'done', 100), report('a', 'failed')]
    const added = upsertReport(list, report('c', 'queued'))
    expect(added.map((r) => r.id)).toEqual(['c', 'b', 'a'])
    const polled = upsertReport(added, report('c', 'running', 50))
    expect(polled.map((r) => [r.id, r.status])).toEqual([['c', 'running'], ['b', 'done'], ['a', 'failed']])
    expect(unfinished(polled).id).toBe('c')
    expect(unfinished(list)).toBeNull()
  })
})

describe('the printable sheets', () => {
  it('rates as percent with one decimal, numbers as they are, nothing as empty; units in the headers', () => {
    expect(cellText(0.5, '%')).toBe('50.0%')
    expect(cellText(0.1234, '%')).toBe('12.3%')
    expect(cellText(0, '%')).toBe('0.0%')
    expect(cellText(172, '户')).toBe('172')
    expect(cellText(5.5, '分')).toBe('5.5')
    expect(cellText(10, '分', '党建指数')).toBe('10.0')
    expect(cellText(95, '分', '党员积分')).toBe('95')
    expect(cellText(null, null)).toBe('')
    expect(cellText('合计', null)).toBe('合计')
    expect(headerText('登记户数', '户')).toBe('登记户数（户）')
    expect(headerText('关联覆盖率', '%')).toBe('关联覆盖率')
    expect(headerText('序号', null)).toBe('序号')
  })
})
