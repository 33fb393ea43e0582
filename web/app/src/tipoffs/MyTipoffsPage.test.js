import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { outbox } from '../offline/outbox.js'
import MyTipoffsPage from './MyTipoffsPage.vue'

const TIPS = [
  {
    id: '330825100202-1764417300000-0a1b2c3e', village: '330825100202', category: 'returnee',
    description: '邻居家儿子从外省回来，还没有报备', location: null, anonymous: false, reporter: '星阿伯', status: 'handling',
    disposition: null, note: null, handled_by: '星村管', handled_at: '2026-11-29T12:10:00Z', created_at: '2026-11-29T11:55:00Z',
  },
  {
    id: '330825100202-1764417000000-0a1b2c3d', village: '330825100202', category: 'gathering',
    description: '文化礼堂有二十多人聚餐打牌', location: '村文化礼堂', anonymous: true, reporter: '星阿伯', status: 'closed',
    disposition: 'warned', note: '已上门劝散，并对组织者警示', handled_by: '星村管', handled_at: '2026-11-29T12:30:00Z',
    created_at: '2026-11-29T11:50:00Z',
  },
]

async function open() {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
  const screen = await mountScreen(MyTipoffsPage, { path: '/tipoffs/mine', routes: [{ path: '/tipoffs', name: 'tipoffs' }] })
  for (let i = 0; i < 3; i++) await flushPromises()
  return screen
}

enableAutoUnmount(afterEach)

describe('我的举报', () => {
  beforeEach(() => {
    localStorage.clear()
    outbox.items.splice(0)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('lists my tip-offs with their status and the outcome in words, times in the county', async () => {
    fakeFetch((req) => (req.path.startsWith('/tipoffs/mine') ? { body: { items: TIPS, next_cursor: null } } : { status: 404, body: {} }))
    const { wrapper } = await open()
    const cards = wrapper.findAll('[data-test="tipoff"]')
    expect(cards).toHaveLength(2)
    expect(cards[0].find('h2').text()).toBe('返乡人员')
    expect(cards[0].find('[data-test="status"]').text()).toBe('处理中')
    expect(cards[0].find('[data-test="anonymous-tag"]').exists()).toBe(false)
    expect(cards[0].find('[data-test="outcome"]').exists()).toBe(false)
    expect(cards[1].find('[data-test="status"]').text()).toBe('已办结')
    expect(cards[1].find('[data-test="anonymous-tag"]').text()).toBe('匿名')
    expect(cards[1].text()).toContain('2026/11/29 19:50 提交')
    expect(cards[1].text()).toContain('地点：村文化礼堂')
    expect(cards[1].find('[data-test="outcome"]').text()).toContain('处置结果：已劝导警示')
    expect(cards[1].find('[data-test="note"]').text()).toBe('已上门劝散，并对组织者警示')
    expect(cards[1].find('[data-test="outcome"]').text()).toContain('2026/11/29 20:30 处理')
  })

  it('shows the tip-offs waiting on the phone first, as 待发送, and reads the list again once sent', async () => {
    outbox.items.push({
      key: 'k-waiting-1', method: 'POST', path: '/tipoffs', owner: '330825:v1', queued_at: '2026-11-29T11:00:00Z',
      body: { category: 'returnee', description: '有人返乡', anonymous: false }, meta: { kind: 'tipoff' }, error: null,
    })
    fakeFetch(offline)
    const { wrapper } = await open()
    const queued = wrapper.findAll('[data-test="queued-tipoff"]')
    expect(queued).toHaveLength(1)
    expect(queued[0].find('[data-test="status"]').text()).toBe('待发送')
    expect(wrapper.find('[role="alert"]').text()).toContain('网络不通')

    const fetch = fakeFetch((req) =>
      req.method === 'POST' ? { status: 201, body: { ...TIPS[0], status: 'open' } } : { body: { items: [TIPS[0]], next_cursor: null } },
    )
    const { flush } = await import('../offline/outbox.js')
    await flush()
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(fetch.requests().filter((r) => r.method === 'POST')[0].headers['Idempotency-Key']).toBe('k-waiting-1')
    expect(wrapper.findAll('[data-test="queued-tipoff"]')).toHaveLength(0)
    expect(wrapper.findAll('[data-test="tipoff"]')).toHaveLength(1)
  })

  it('says so when there are none, in English too', async () => {
    const { setLocale } = await import('../i18n/index.js')
    await setLocale('en')
    try {
      fakeFetch(() => ({ body: { items: [TIPS[1]], next_cursor: null } }))
      const { wrapper } = await open()
      expect(wrapper.find('[data-test="status"]').text()).toBe('Closed')
      expect(wrapper.find('[data-test="outcome"]').text()).toContain('A warning was given')
    } finally {
      await setLocale('zh-CN')
    }
    fakeFetch(() => ({ body: { items: [], next_cursor: null } }))
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="no-tipoffs"]').text()).toBe('您还没有举报过')
  })
})
