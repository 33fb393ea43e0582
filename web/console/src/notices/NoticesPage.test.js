import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, mountConsole, nativeSelects } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import NoticesPage from './NoticesPage.vue'

const VILLAGE = '330825001201'
const ME = { tenant: '330825', user_id: 'v1', name: '张村管', grants: [{ role: 'village_admin', place: VILLAGE }],
  modules: ['notices'], permissions: { 'notices.publish': [VILLAGE], 'notices.receipts': [VILLAGE] } }
const SENT = [
  { id: 'n2', title: '明日停水通知', urgent: false, publish_at: '2026-12-08T00:00:00Z', status: 'scheduled',
    status_name: '待发布', by_name: '张村管', targets: 1, roles: [] },
  { id: 'n1', title: '寒潮蓝色预警', urgent: true, publish_at: '2026-12-07T01:00:00Z', status: 'published',
    status_name: '已发布', by_name: '张村管', targets: 1, roles: ['party_member'] },
]
const DETAIL = { id: 'n2', title: '明日停水通知', body: '停水。', urgent: false, attachments: [], roles: [],
  targets: [{ place: VILLAGE, name: '张王村' }], publish_at: '2026-12-08T00:00:00Z', from_place: VILLAGE,
  from_name: '张王村', status: 'scheduled', status_name: '待发布', version: 2, can_manage: true }

function server() {
  return fakeFetch([
    ['GET', `/api/places/${VILLAGE}`, { body: { code: VILLAGE, name: '张王村', level: 'village' } }],
    ['GET', '/api/places?parent=', { body: { items: [], next_cursor: null } }],
    ['GET', '/api/notices/sent?', { body: { items: SENT, next_cursor: null } }],
    ['GET', '/api/notices/n2', { body: DETAIL }],
    ['POST', '/api/notices/n1/withdraw', { body: { ...DETAIL, id: 'n1', status: 'withdrawn' } }],
  ])
}
async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}
const rows = () => [...document.querySelectorAll('[data-test=sent-notices] .el-table__body tr')]

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825' }))
  clearPlaceCache()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('通知公告 in the console', () => {
  it("lists the place's notices with their state; 编辑 only before the time; 撤回 after a confirm", async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const pinia = createPinia()
    useAuth(pinia).me = ME
    const w = mountConsole(NoticesPage, { pinia, stubs: nativeSelects })
    await settle()
    expect(f.calls.some((c) => c.url === `/api/notices/sent?place=${VILLAGE}&limit=20`)).toBe(true)
    expect(rows().map((r) => r.querySelector('[data-test=sent-status]').textContent.trim())).toEqual(['待发布', '已发布'])
    expect(rows()[1].textContent).toContain('紧急')
    expect(rows()[1].textContent).toContain('党员')
    expect(rows()[0].querySelector('[data-test=sent-edit]')).not.toBeNull()
    expect(rows()[1].querySelector('[data-test=sent-edit]')).toBeNull()

    rows()[0].querySelector('[data-test=sent-edit]').click()
    await settle()
    expect(document.querySelector('.notice-dialog [aria-label="标题"]').value).toBe('明日停水通知')

    rows()[1].querySelector('[data-test=sent-withdraw]').click()
    await settle()
    const box = document.querySelector('.el-message-box')
    expect(box.textContent).toContain('撤回后村民将看不到“寒潮蓝色预警”')
    expect(f.calls.filter((c) => c.method === 'POST')).toHaveLength(0) // not before the confirm
    ;[...box.querySelectorAll('button')].find((b) => b.textContent.trim() === '撤回').click()
    await settle()
    expect(f.calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual(['/api/notices/n1/withdraw'])
    w.unmount()
  })
})
