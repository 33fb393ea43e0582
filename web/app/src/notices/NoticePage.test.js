import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import NoticePage from './NoticePage.vue'
import ReceiptsPage from './ReceiptsPage.vue'
import { reloadUrgent } from './urgent.js'

const GRID = '330825001201G01'
const NOTICE = { id: 'n1', title: '村道施工公告', body: '施工期间请绕行。', urgent: false,
  attachments: [
    { key: 'a/1.jpg', name: '线路图', content_type: 'image/jpeg', url: 'https://s3.example/1.jpg?sig' },
    { key: 'a/2.pdf', name: '施工方案.pdf', content_type: 'application/pdf', url: 'https://s3.example/2.pdf?sig' }],
  targets: [{ place: '330825001201', name: '张王村' }], roles: [], publish_at: '2026-12-07T02:05:00Z',
  from_place: '330825001201', from_name: '张王村', by_name: null, status: 'published', status_name: '已发布',
  withdrawn_at: null, created_at: '2026-12-07T02:05:00Z', updated_at: '2026-12-07T02:05:00Z', version: 1,
  read: true, can_manage: false }
const WORKER = { tenant: '330825', user_id: 'w1', name: '汪专网', modules: ['notices'],
  grants: [{ role: 'grid_worker', place: GRID, place_name: '张王村第一网格' }],
  permissions: { 'notices.receipts': [GRID], 'households.read': [GRID] } }
const ROUTES = [{ path: '/notices/:id/receipts', name: 'notice-receipts' }, { path: '/notices/:id', name: 'notice' }]
const settle = async () => {
  for (let i = 0; i < 4; i++) await flushPromises()
}

enableAutoUnmount(afterEach)

describe('a notice', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id: 'w1' }))
    localStorage.setItem('cqt.me', JSON.stringify(WORKER))
    reloadUrgent()
  })
  afterEach(() => vi.unstubAllGlobals())

  it('shows its time in Shanghai, photos to preview and PDFs as links; read already, it is not read again', async () => {
    const f = fakeFetch((req) => (req.path === '/notices/n1' ? { body: NOTICE } : req.path === '/me'
      ? { body: WORKER } : { status: 404, body: {} }))
    const { wrapper } = await mountScreen(NoticePage, { path: '/notices/n1', routes: ROUTES })
    await settle()
    expect(wrapper.find('[data-test="notice-time"]').text()).toBe('2026/12/07 10:05')
    expect(wrapper.find('[data-test="notice-photos"] img').attributes('src')).toBe('https://s3.example/1.jpg?sig')
    const pdf = wrapper.find('[data-test="notice-file"]')
    expect(pdf.attributes('href')).toBe('https://s3.example/2.pdf?sig')
    expect(pdf.text()).toContain('施工方案.pdf')
    expect(f.requests().filter((r) => r.method === 'POST')).toEqual([])
    // a grid worker: 阅读情况 of their grid
    const to = wrapper.find('[data-test="to-receipts"]')
    expect(to.text()).toBe('阅读情况')
    await to.trigger('click')
    await settle()
    expect(wrapper.vm.$router.currentRoute.value.fullPath).toBe(`/notices/n1/receipts?place=${GRID}`)
  })

  it("the grid's receipts: read/total and the unread households, each leading to its page", async () => {
    fakeFetch((req) => (req.path === `/notices/n1/receipts?place=${GRID}` ? { body: { notice: 'n1',
      place: { place: GRID, name: '张王村第一网格', read: 1, total: 3 }, children: [],
      unread: [{ id: 'h2', ref: '330825001201-0002', head_name: '王*斌', address: '张王村2号' },
        { id: 'h3', ref: null, head_name: '李*', address: '张王村3号' }] } } : { status: 404, body: {} }))
    const { wrapper } = await mountScreen(ReceiptsPage, { path: `/notices/n1/receipts?place=${GRID}`, routes: ROUTES })
    await settle()
    expect(wrapper.find('[data-test="read-count"]').text()).toBe('1/3')
    const rows = wrapper.findAll('[data-test="unread-household"]')
    expect(rows.map((r) => r.attributes('href'))).toEqual(['/field/h/h2', '/field/h/h3'])
    expect(rows[0].text()).toContain('王*斌')
    expect(wrapper.text()).toContain('未读住户（2户）')
  })
})
