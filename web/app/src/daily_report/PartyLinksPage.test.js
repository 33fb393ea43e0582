import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import PartyLinksPage from './PartyLinksPage.vue'

const ME = { tenant: '330825', user_id: '90fc26c01a7c4197', grants: [{ role: 'party_member', place: '330825101201G01' }],
  permissions: { 'party.duties': ['330825101201G01'] } }
const LINKS = {
  member: ME.user_id,
  member_name: '茶党员',
  items: [
    { id: '1c56d84cd71d4b8d', head_name: '汪立新', address: '茶圩村9号', grid: '330825101201G01', reported_today: true },
    { id: '25a8bd9aaa3a4e92', head_name: '郑立新', address: '茶圩村11号', grid: '330825101201G01', reported_today: false },
    { id: '2bce726636df4a83', head_name: '朱明', address: '茶圩村5号', grid: '330825101201G01', reported_today: false },
  ],
}

function server(remind) {
  return fakeFetch((req) => {
    if (req.path === `/party-links?member=${ME.user_id}`) return { body: structuredClone(LINKS) }
    if (req.method === 'POST' && req.path === '/reports/reminders') return remind(req)
    if (req.path === '/me') return { body: ME }
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

async function open() {
  const screen = await mountScreen(PartyLinksPage, { path: '/party' })
  for (let i = 0; i < 3; i++) await flushPromises()
  return screen
}
const rowOf = (wrapper, name) => wrapper.findAll('[data-test="linked-household"]').find((r) => r.text().includes(name))

enableAutoUnmount(afterEach)

describe('我的联户', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id: ME.user_id }))
    localStorage.setItem('cqt.me', JSON.stringify(ME))
  })
  afterEach(() => vi.unstubAllGlobals())

  it('lists my households, the unreported first, with 已报/未报', async () => {
    server()
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="party-summary"]').text()).toContain('今日已报 1 / 3 户')
    const rows = wrapper.findAll('[data-test="linked-household"]')
    expect(rows.map((r) => r.find('[data-test="status"]').text())).toEqual(['未报', '未报', '已报'])
    expect(rowOf(wrapper, '汪立新').find('[data-test="remind"]').exists()).toBe(false)
    expect(rowOf(wrapper, '郑立新').find('[data-test="remind"]').attributes('aria-label')).toBe('提醒 郑立新（茶圩村11号）上报')
  })

  it('reminds once: 已提醒 after sending, and after reopening the page', async () => {
    const fetch = server((req) => ({
      body: { household: req.body.household, channel: 'sms', reminded_at: '2026-11-29T01:00:00Z', by_name: '茶党员', already: false },
    }))
    const first = await open()
    await rowOf(first.wrapper, '郑立新').find('[data-test="remind"]').trigger('click')
    await flushPromises()
    expect(fetch.requests().filter((r) => r.method === 'POST')).toEqual([
      expect.objectContaining({ path: '/reports/reminders', body: { household: '25a8bd9aaa3a4e92' } }),
    ])
    expect(rowOf(first.wrapper, '郑立新').find('[data-test="reminded"]').text()).toContain('已提醒 09:00')
    expect(rowOf(first.wrapper, '朱明').find('[data-test="remind"]').exists()).toBe(true)
    first.wrapper.unmount()

    const again = await open()
    expect(rowOf(again.wrapper, '郑立新').find('[data-test="reminded"]').exists()).toBe(true)
  })

  it('says 已提醒 when the household was reminded today already (no second text message)', async () => {
    server((req) => ({
      body: { household: req.body.household, channel: 'sms', reminded_at: '2026-11-29T00:30:00Z', by_name: '汪专网', already: true },
    }))
    const { wrapper } = await open()
    await rowOf(wrapper, '朱明').find('[data-test="remind"]').trigger('click')
    await flushPromises()
    expect(rowOf(wrapper, '朱明').find('[data-test="reminded"]').text()).toContain('已提醒 08:30')
  })

  it('marks a household that reported meanwhile, and explains a head without a phone number', async () => {
    server((req) =>
      req.body.household === '25a8bd9aaa3a4e92'
        ? apiError(409, 'already_reported', '该户今日已上报')
        : apiError(422, 'validation_failed', '户主未登记手机号，请电话或上门提醒', [
          { field: 'household', code: 'no_phone', message: '户主未登记手机号' },
        ]),
    )
    const { wrapper } = await open()
    await rowOf(wrapper, '郑立新').find('[data-test="remind"]').trigger('click')
    await flushPromises()
    expect(rowOf(wrapper, '郑立新').find('[data-test="status"]').text()).toBe('已报')
    expect(wrapper.find('[data-test="party-summary"]').text()).toContain('今日已报 2 / 3 户')
    await rowOf(wrapper, '朱明').find('[data-test="remind"]').trigger('click')
    await flushPromises()
    expect(rowOf(wrapper, '朱明').find('[role="alert"]').text()).toBe('户主未登记手机号，请电话或上门提醒')
  })

  it('says so when I look after no households', async () => {
    fakeFetch(() => ({ body: { member: ME.user_id, member_name: '茶党员', items: [] } }))
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="party-empty"]').exists()).toBe(true)
  })
})
