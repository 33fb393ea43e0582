import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, offline } from '../test-support.js'
import { outbox } from '../offline/outbox.js'
import {
  alertMembers,
  isPartyMember,
  mayProxy,
  newForm,
  queuedReports,
  reportBody,
  reportProblems,
  sendReport,
} from './reports.js'
import { formatDay, formatTime, shanghaiToday } from './time.js'

const MEMBERS = [
  { id: 'aaaaaaaaaaa1', name: '汪军' },
  { id: 'aaaaaaaaaaa2', name: '赵欣怡' },
]
const HID = '29abbb048a974451'

describe('the report form', () => {
  it('starts with no colour chosen and no outside persons', () => {
    const form = newForm(MEMBERS)
    expect(form.colours).toEqual({ aaaaaaaaaaa1: null, aaaaaaaaaaa2: null })
    expect(form.hasOutside).toBe(false)
    const body = reportBody(HID, MEMBERS, form)
    expect(body).toEqual({
      household: HID,
      members: [
        { member: 'aaaaaaaaaaa1', colour: null },
        { member: 'aaaaaaaaaaa2', colour: null },
      ],
      outside: [],
    })
    expect(reportProblems(body)).toEqual({ 'members.0.colour': 'report.pickColour', 'members.1.colour': 'report.pickColour' })
  })

  it('is filled from today\'s report to report again, ignoring members no longer in the household', () => {
    const previous = {
      members: [
        { member: 'aaaaaaaaaaa1', colour: 'yellow' },
        { member: 'gone00000000', colour: 'red' },
      ],
      outside: [{ from_place: '江西省上饶市', count: 2 }],
    }
    const form = newForm(MEMBERS, previous)
    expect(form.colours).toEqual({ aaaaaaaaaaa1: 'yellow', aaaaaaaaaaa2: null })
    expect(form.hasOutside).toBe(true)
    form.outside[0].count = 3 // editing the form does not touch today's report
    expect(previous.outside[0].count).toBe(2)
  })

  it('sends outside groups only when switched on, trimmed, and checks them', () => {
    const form = newForm(MEMBERS)
    form.colours.aaaaaaaaaaa1 = 'green'
    form.colours.aaaaaaaaaaa2 = 'green'
    form.outside[0] = { from_place: '  安徽省合肥市 ', count: '2' }
    expect(reportBody(HID, MEMBERS, form).outside).toEqual([])
    form.hasOutside = true
    expect(reportBody(HID, MEMBERS, form).outside).toEqual([{ from_place: '安徽省合肥市', count: 2 }])
    form.outside.push({ from_place: ' ', count: 51 }, { from_place: 'x', count: 1.5 })
    expect(reportProblems(reportBody(HID, MEMBERS, form))).toEqual({
      'outside.1.from_place': 'validate.required',
      'outside.1.count': 'report.countRange',
      'outside.2.count': 'report.countRange',
    })
  })

  it('names the yellow and red codes, red first', () => {
    const body = {
      members: [
        { member: 'aaaaaaaaaaa1', colour: 'yellow' },
        { member: 'aaaaaaaaaaa2', colour: 'red' },
      ],
    }
    expect(alertMembers(body, MEMBERS)).toEqual([
      { name: '赵欣怡', colour: 'red' },
      { name: '汪军', colour: 'yellow' },
    ])
    expect(alertMembers({ members: [{ member: 'aaaaaaaaaaa1', colour: 'green' }] }, MEMBERS)).toEqual([])
  })

  it('knows who may report for a household and who is a party member (from /api/me permissions)', () => {
    const me = {
      grants: [
        { role: 'grid_instructor', place: '330825102201G02' },
        { role: 'grid_worker', place: '330825102201G01' },
        { role: 'villager', place: '330825102201G01', household: HID },
      ],
      permissions: { 'households.read': ['330825102201G01', '330825102201G02'], 'reports.proxy': ['330825102201G01'] },
    }
    expect(mayProxy(me, '330825102201G01')).toBe(true)
    expect(mayProxy(me, '330825102201G02')).toBe(false) // the instructor only oversees
    expect(mayProxy({ grants: me.grants }, '330825102201G01')).toBe(false) // a kept me from before permissions
    expect(isPartyMember(me)).toBe(false)
    expect(isPartyMember({ permissions: { 'party.duties': ['330825102201G01'] } })).toBe(true)
  })
})

describe('sending a report', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id: 'u1' }))
    outbox.items.splice(0)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('queues without a signal; a newer report of the household replaces the one still waiting', async () => {
    const fetch = fakeFetch(offline)
    const body = { household: HID, members: [{ member: 'aaaaaaaaaaa1', colour: 'green' }], outside: [] }
    const first = await sendReport(body, { address: '灵山村1号', grid: 'G' })
    expect(first.sent).toBe(false)
    await sendReport({ household: 'other00000000000', members: [], outside: [] }, { address: '灵山村2号' })
    const second = await sendReport({ ...body, members: [{ member: 'aaaaaaaaaaa1', colour: 'yellow' }] }, {})
    expect(queuedReports(HID)).toHaveLength(1)
    expect(queuedReports(HID)[0].key).toBe(second.item.key)
    expect(queuedReports()).toHaveLength(2)
    expect(fetch.requests().map((r) => r.headers['Idempotency-Key'])).toEqual([
      first.item.key,
      expect.any(String),
      second.item.key,
    ])

    // Back online, the replaced report is not sent: the newer one is, once.
    const up = fakeFetch(() => ({ status: 201, body: { id: 'r1' } }))
    const { flush } = await import('../offline/outbox.js')
    await flush()
    expect(up.requests().filter((r) => r.body.household === HID)).toEqual([
      expect.objectContaining({ path: '/reports', body: expect.objectContaining({ members: [{ member: 'aaaaaaaaaaa1', colour: 'yellow' }] }) }),
    ])
    expect(queuedReports()).toEqual([])
  })
})

describe('times of the county', () => {
  it('are shown in Asia/Shanghai', () => {
    expect(formatTime('2026-11-29T01:05:00Z')).toBe('09:05')
    expect(formatTime('2026-11-29T16:30:00Z', 'en')).toBe('00:30')
    expect(shanghaiToday(new Date('2026-11-29T16:30:00Z'))).toBe('2026-11-30')
    expect(formatDay('2026-11-29')).toBe('11月29日')
  })
})
