import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import { outbox } from '../offline/outbox.js'
import { markReported } from './reports.js'
import UnreportedPage from './UnreportedPage.vue'

const GRID = '330825102201G01'
const WORKER = { tenant: '330825', user_id: 'w1', grants: [{ role: 'grid_worker', place: GRID }], modules: ['daily_report'],
  permissions: { 'households.read': [GRID], 'reports.read': [GRID], 'reports.proxy': [GRID] } }
const ROUTES = [
  { path: '/field/unreported', name: 'field-unreported', meta: { field: true } },
  { path: '/field/report/:hid', name: 'field-report', meta: { field: true, proxy: true } },
]
const row = (n, extra = {}) => ({
  id: `00000000000000${String(n).padStart(2, '0')}`,
  address: `灵山村${n}号`,
  head_name: `户主${n}`,
  member_count: 2,
  last_report_date: null,
  ...extra,
})

function server({ remind } = {}) {
  return fakeFetch((req) => {
    if (req.path === `/places/${GRID}`) return { body: { code: GRID, name: '灵山村第1网格' } }
    if (req.path.startsWith('/reports/completion')) {
      return { body: { place: { place: GRID, expected: 10, reported: 7, rate: 0.7 }, children: [] } }
    }
    if (req.path.startsWith('/reports/unreported')) {
      const cursor = new URLSearchParams(req.path.split('?')[1]).get('cursor')
      return cursor
        ? { body: { date: '2026-11-29', items: [row(3)], next_cursor: null } }
        : { body: { date: '2026-11-29', items: [row(1), row(2, { last_report_date: '2026-11-27' })], next_cursor: 'c2' } }
    }
    if (req.method === 'POST' && req.path === '/reports/reminders') return remind(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

async function open() {
  const screen = await mountScreen(UnreportedPage, { path: `/field/unreported?grid=${GRID}`, routes: ROUTES })
  for (let i = 0; i < 4; i++) await flushPromises()
  return screen
}

enableAutoUnmount(afterEach)

describe('今日未报', () => {
  beforeEach(() => {
    localStorage.clear()
    outbox.items.splice(0)
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id: 'w1' }))
    localStorage.setItem('cqt.me', JSON.stringify(WORKER))
  })
  afterEach(() => vi.unstubAllGlobals())

  it("shows the grid's completion and its unreported households, each with 代报", async () => {
    const fetch = server()
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="completion"]').text()).toContain('已报 7 / 10 户')
    expect(wrapper.find('[data-test="completion"]').text()).toContain('未报 3 户')
    const rows = wrapper.findAll('[data-test="unreported-row"]')
    expect(rows.length).toBeGreaterThanOrEqual(2)
    expect(rows[0].text()).toContain('从未上报')
    expect(rows[1].text()).toContain('上次上报 11月27日')
    const proxy = rows[0].find('[data-test="proxy-report"]')
    expect(proxy.attributes('aria-label')).toBe('为 户主1（灵山村1号）代报')
    expect(fetch.requests().find((r) => r.path.startsWith('/reports/unreported')).path).toContain(`grid=${GRID}`)
  })

  it('lists a report waiting in the outbox apart, as 待发送, not among the unreported', async () => {
    server()
    outbox.items.push({
      key: 'k1', method: 'POST', path: '/reports', owner: '330825:w1', queued_at: new Date().toISOString(), error: null,
      body: { household: row(1).id, members: [], outside: [] },
      meta: { kind: 'report', address: '灵山村1号', head_name: '户主1', grid: GRID, proxy: true },
    })
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="queued-report"]').text()).toContain('待发送')
    expect(wrapper.findAll('[data-test="unreported-row"]').map((r) => r.text()).join()).not.toContain('灵山村1号')
  })

  it("leaves out a household reported from this phone while the server's list catches up", async () => {
    server() // the server still lists 灵山村1号: its day status follows the report's stream record by a moment
    markReported(row(1).id)
    const { wrapper } = await open()
    const listed = wrapper.findAll('[data-test="unreported-row"]').map((r) => r.text()).join()
    expect(listed).not.toContain('灵山村1号')
    expect(listed).toContain('灵山村2号')
  })

  it('hides 代报 from the grid instructor, who only oversees', async () => {
    localStorage.setItem('cqt.me', JSON.stringify({ ...WORKER, grants: [{ role: 'grid_instructor', place: GRID }],
      permissions: { 'households.read': [GRID], 'reports.read': [GRID] } }))
    server()
    const { wrapper } = await open()
    expect(wrapper.findAll('[data-test="unreported-row"]').length).toBeGreaterThan(0)
    expect(wrapper.find('[data-test="proxy-report"]').exists()).toBe(false)
  })

  it('drops a household that reported meanwhile when reminding it', async () => {
    server({ remind: () => apiError(409, 'already_reported', '该户今日已上报') })
    const { wrapper } = await open()
    await wrapper.findAll('[data-test="unreported-row"]')[0].find('[data-test="remind"]').trigger('click')
    await flushPromises()
    await flushPromises()
    expect(wrapper.findAll('[data-test="unreported-row"]').map((r) => r.text()).join()).not.toContain('灵山村1号')
  })
})
