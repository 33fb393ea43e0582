// 我的事项, 待办事项 and the village board.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import { outbox } from '../offline/outbox.js'
import { GRID, VILLAGER_ME, WORKER_ME, letterCase, snapCase } from './test-data.js'
import MyCasesPage from './MyCasesPage.vue'
import TodoPage from './TodoPage.vue'
import BoardPage from '../snaps/BoardPage.vue'

const TIPOFF = {
  ...snapCase({ status: 'accepted' }), ref: 'JB-330825-000002', type: 'tipoff', type_name: '疫情举报', category: 'gathering',
  category_name: '聚集活动', text: '祠堂有人聚餐', photos: [], updated_at: '2026-11-28T03:00:00Z',
}
const ROUTES = [
  { path: '/cases/:ref', name: 'case' }, { path: '/snaps', name: 'snaps' }, { path: '/letters/new', name: 'letters-new' },
  { path: '/field', name: 'field' }, { path: '/errands/applications/:ref', name: 'errand-application' },
]

async function settle() {
  for (let i = 0; i < 4; i++) await flushPromises()
}

async function open(component, path, me) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const screen = await mountScreen(component, { path, routes: ROUTES })
  await settle()
  return screen
}

enableAutoUnmount(afterEach)

describe('我的事项', () => {
  beforeEach(() => {
    localStorage.clear()
    outbox.items.splice(0)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('lists every type of my cases with its status and last change; one waiting on the phone comes first as 待发送', async () => {
    outbox.items.push({
      key: 'k-snap-1', method: 'POST', path: '/snaps', owner: '330825:v1', queued_at: '2026-11-29T11:00:00Z',
      body: { category: 'safety', text: '水塘边护栏倒了' }, meta: { kind: 'snap', category: '安全隐患', photos: 2 },
      files: [{ id: 'k-snap-1.0', key: null }, { id: 'k-snap-1.1', key: null }], filesField: 'photos', error: null,
    })
    const fetch = fakeFetch((req) => (req.path.startsWith('/cases/mine?')
      ? { body: { items: [snapCase({ status: 'resolved' }), TIPOFF], next_cursor: null } }
      : { status: 404, body: {} }))
    const { wrapper } = await open(MyCasesPage, '/cases', VILLAGER_ME)
    expect(fetch.requests()[0].path).toBe('/cases/mine?limit=20')
    const queued = wrapper.find('[data-test="queued-case"]')
    expect(queued.find('h2').text()).toContain('安全隐患')
    expect(queued.find('[data-test="status"]').text()).toBe('待发送')
    expect(queued.text()).toContain('2张照片')
    const cards = wrapper.findAll('[data-test="case"]')
    expect(cards).toHaveLength(2)
    expect(cards[0].find('h2').text()).toBe('随手拍 环境卫生')
    expect(cards[0].find('[data-test="status"]').text()).toBe('已办结')
    expect(cards[0].text()).toContain('2026/11/29 14:30 更新')
    expect(cards[0].find('a').attributes('href')).toBe('/cases/SP-330825-000007')
    expect(cards[1].find('h2').text()).toBe('疫情举报 聚集活动')
    expect(cards[1].find('[data-test="status"]').text()).toBe('处理中')
    expect(wrapper.find('[data-test="sla"]').exists()).toBe(false)
  })

  it('shows a letter waiting on the phone as 待发送, one the server refused with 修改后重新提交, and a sent one as 待答复', async () => {
    outbox.items.push({
      key: 'k-letter-1', method: 'POST', path: '/letters', owner: '330825:v1', queued_at: '2026-11-29T11:00:00Z',
      body: { to: 'village', category: 'help', text: '家里老人腿脚不便，想请村里帮忙', anonymous: true },
      meta: { kind: 'letter', category: '咨询求助', to: 'village', photos: 0 }, files: [], filesField: 'photos', error: null,
    }, {
      key: 'k-letter-2', method: 'POST', path: '/letters', owner: '330825:v1', queued_at: '2026-11-29T12:00:00Z',
      body: { to: 'village', category: 'gone', text: '路灯坏了好几天了', anonymous: false },
      meta: { kind: 'letter', category: '旧类别', to: 'village', photos: 0 }, files: [], filesField: 'photos',
      error: { status: 422, code: 'validation_failed', message: '提交的内容不符合要求', details: [{ field: 'category', message: '该类别已停用' }] },
    })
    fakeFetch((req) => (req.path.startsWith('/cases/mine?')
      ? { body: { items: [letterCase({ actions: [] })], next_cursor: null } }
      : { status: 404, body: {} }))
    const { wrapper, router } = await open(MyCasesPage, '/cases', VILLAGER_ME)
    const queued = wrapper.findAll('[data-test="queued-case"]')
    expect(queued.map((q) => q.find('h2').text())).toEqual(['村民信箱 咨询求助', '村民信箱 旧类别'])
    expect(queued.map((q) => q.find('[data-test="status"]').text())).toEqual(['待发送', '未能提交'])
    expect(queued[1].text()).toContain('该类别已停用')
    await queued[1].find('[data-test="fix-letter"]').trigger('click')
    await settle()
    expect(router.currentRoute.value.fullPath).toBe('/letters/new?draft=k-letter-2')
    const card = wrapper.find('[data-test="case"]')
    expect(card.find('h2').text()).toBe('村民信箱 意见建议')
    expect(card.find('[data-test="status"]').text()).toBe('待答复')
  })

  it('says so when there is nothing', async () => {
    fakeFetch(() => ({ body: { items: [], next_cursor: null } }))
    const { wrapper } = await open(MyCasesPage, '/cases', VILLAGER_ME)
    expect(wrapper.find('[data-test="no-cases"]').text()).toBe('您还没有提交过事项')
  })

  it('opens my 网上代办 application on its own page, other cases on the case page', async () => {
    const errand = {
      ...snapCase({ status: 'assigned', photos: [] }), ref: 'DB-330825-000001', type: 'errand', type_name: '网上代办',
      category: 'apply', category_name: '在线申请', text: '申请办理：生育登记（县卫生健康局）', status_name: '待受理',
    }
    fakeFetch((req) => (req.path.startsWith('/cases/mine?')
      ? { body: { items: [errand, snapCase()], next_cursor: null } }
      : { status: 404, body: {} }))
    const { wrapper } = await open(MyCasesPage, '/cases', VILLAGER_ME)
    const cards = wrapper.findAll('[data-test="case"]')
    expect(cards[0].find('h2').text()).toBe('网上代办 在线申请')
    expect(cards[0].find('[data-test="status"]').text()).toBe('待受理')
    expect(cards[0].text()).toContain('申请办理：生育登记（县卫生健康局）')
    expect(cards[0].find('a').attributes('href')).toBe('/errands/applications/DB-330825-000001')
    expect(cards[1].find('a').attributes('href')).toBe('/cases/SP-330825-000007')
  })
})

describe('待办事项', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it("lists my grid's open cases with the SLA in colour and in words", async () => {
    const late = { ...snapCase({ mine: false }), ref: 'SP-330825-000005', sla: 'red', category_name: '安全隐患' }
    const soon = { ...snapCase({ mine: false }), ref: 'SP-330825-000006', sla: 'amber' }
    const fine = snapCase({ mine: false })
    const fetch = fakeFetch((req) => (req.path.startsWith('/cases?')
      ? { body: { items: [fine, soon, late], next_cursor: null } }
      : { status: 404, body: {} }))
    const { wrapper } = await open(TodoPage, '/field/cases', WORKER_ME)
    expect(fetch.requests()[0].path).toBe(`/cases?place=${GRID}&status=open&limit=20`)
    const slas = wrapper.findAll('[data-test="sla"]')
    expect(slas.map((s) => s.classes().find((c) => c.startsWith('sla--')))).toEqual(['sla--green', 'sla--amber', 'sla--red'])
    expect(slas.map((s) => s.text().split(' · ')[0].trim())).toEqual(['正常', '即将超时', '已超时'])
    expect(wrapper.findAll('[data-test="todo-case"]')[0].text()).toContain('提交人：溪阿婆')
  })
})

describe('村里的随手拍', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('shows resolved ones with the photo before and after, the outcome and the date', async () => {
    const item = {
      ref: 'SP-330825-000007', category_name: '环境卫生', text: '村口垃圾堆了三天没人清', place_name: '溪前村第一网格',
      outcome_name: '已整改', note: '已清运', rating: 5, created_at: '2026-11-29T01:00:00Z', resolved_at: '2026-11-29T06:30:00Z',
      photos: [{ id: 'a', url: 'http://s3.local/media/a.jpg' }], after_photos: [{ id: 'b', url: 'http://s3.local/media/b.jpg' }],
    }
    fakeFetch((req) => (req.path === '/snaps/board'
      ? { body: { village: '330825100260', village_name: '溪前村', items: [item], next_cursor: null } }
      : { status: 404, body: {} }))
    const { wrapper } = await open(BoardPage, '/snaps/board', VILLAGER_ME)
    const card = wrapper.find('[data-test="board-item"]')
    expect(card.find('[data-test="outcome"]').text()).toBe('已整改')
    expect(card.findAll('figcaption').map((f) => f.text())).toEqual(['处理前', '处理后'])
    expect(card.findAll('img').map((i) => i.attributes('src'))).toEqual(['http://s3.local/media/a.jpg', 'http://s3.local/media/b.jpg'])
    expect(card.text()).toContain('2026/11/29 办结')
    expect(card.text()).not.toContain('溪阿婆')
  })
})
