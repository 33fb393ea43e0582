import { describe, expect, it } from 'vitest'
import { auditQuery, bytesText, countsOf, expiresAt, mergeExport, retentionErrors, thisMonth, underWay } from './dataRights.js'

describe('an export', () => {
  it('is polled while queued or running, and not once done, failed or expired', () => {
    expect(underWay({ status: 'queued' })).toBe(true)
    expect(underWay({ status: 'running' })).toBe(true)
    for (const status of ['done', 'failed', 'expired']) expect(underWay({ status })).toBe(false)
    expect(underWay(null)).toBe(false)
  })
  it('a fresher copy replaces its row; a new one goes on top', () => {
    const list = [{ id: 'b', status: 'running', progress: 45 }, { id: 'a', status: 'done' }]
    expect(mergeExport(list, { id: 'b', status: 'done', progress: 100 })).toEqual([
      { id: 'b', status: 'done', progress: 100 }, { id: 'a', status: 'done' }])
    expect(mergeExport(list, { id: 'c', status: 'queued' }).map((x) => x.id)).toEqual(['c', 'b', 'a'])
    expect(list[0].status).toBe('running')
  })
  it('a done zip is kept 7 days from when it was finished', () => {
    expect(expiresAt({ status: 'done', finished_at: '2026-03-01T02:00:00+00:00' })).toBe('2026-03-08T02:00:00.000Z')
    expect(expiresAt({ status: 'running', finished_at: null })).toBeNull()
    expect(expiresAt({ status: 'expired', finished_at: '2026-03-01T02:00:00+00:00' })).toBeNull()
  })
  it('sizes and counts as a person reads them', () => {
    expect(bytesText(null)).toBe('—')
    expect(bytesText(512)).toBe('512 B')
    expect(bytesText(1536)).toBe('1.5 KB')
    expect(bytesText(5 * 1024 * 1024)).toBe('5 MB')
    expect(countsOf({ households: { household: 40, member: 120 }, submissions: { snap: 3, report: 10 }, media: 4 }))
      .toEqual({ households: 160, submissions: 13, media: 4 })
    expect(countsOf(null)).toBeNull()
  })
})

describe('the retention form', () => {
  const bounds = { health_days: [30, 1095], photo_days: [90, 3650] }
  const msg = (lo, hi) => `${lo}-${hi}`
  it('says which value is out of its bounds', () => {
    expect(retentionErrors({ health_days: 90, photo_days: 730 }, bounds, msg)).toEqual({})
    expect(retentionErrors({ health_days: 29, photo_days: 3651 }, bounds, msg))
      .toEqual({ health_days: '30-1095', photo_days: '90-3650' })
    expect(retentionErrors({ health_days: null, photo_days: 90 }, bounds, msg)).toEqual({ health_days: '30-1095' })
  })
})

describe('the audit log', () => {
  it('leaves empty filters out and trims the others', () => {
    expect(auditQuery('2026-03', { uid: ' u1 ', what: '', subject: '  ' })).toEqual({ month: '2026-03', uid: 'u1' })
  })
  it('this month is Shanghai’s', () => {
    expect(thisMonth(new Date('2026-02-28T16:30:00Z'))).toBe('2026-03')
  })
})
