// 我家的卫生评分 (/boards/mine): the household's scores with their breakdown and photos, and 申诉 — once, only where
// the server says `can_appeal` — with the answer replacing the record (its appeal pending, no second button).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import { GRID, VILLAGER_ME } from '../cases/test-data.js'
import HistoryPage from './HistoryPage.vue'

const ME = { ...VILLAGER_ME, modules: ['boards'] }
const rec = (id, over = {}) => ({
  id, household: 'h1', village: GRID.slice(0, 12), grid: GRID, month: '2026-12', source: 'inspection', amends: null,
  total: 48.0, criteria_version: 1, note: '门前有杂物堆放', by: '溪网格', by_role: 'grid_worker', by_role_name: '专职网格员',
  at: '2026-12-05T02:00:00Z', appeal: null, can_appeal: true, photos: ['http://s3.local/media/p1.jpg'],
  breakdown: [{ key: 'courtyard', name: '庭院卫生', weight: 50, max_score: 10, score: 4 },
    { key: 'sorting', name: '垃圾分类', weight: 50, max_score: 10, score: 6 }],
  ...over,
})
const PENDING = { status: 'pending', status_name: '申诉处理中', reason: '那天在办酒席', appealed_at: '2026-12-06T01:00:00Z',
  decision_note: null, decided_at: null, decided_by: null, amendment: null }

async function open(appeal) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: ME.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(ME))
  const items = [rec('i2'), rec('i1', { month: '2026-11', total: 90, can_appeal: false,
    appeal: { ...PENDING, status: 'upheld', status_name: '维持原评分', decision_note: '照片清楚，维持', decided_by: '祝村管' } })]
  const fetch = fakeFetch((req) => {
    if (req.path === '/me') return { body: ME }
    if (req.path === '/boards/households/h1/history?limit=20') {
      return { body: { household: { id: 'h1', ref: '330825100260-0003', head_name: '溪大伯', village: GRID.slice(0, 12), grid: GRID },
        items, next_cursor: null } }
    }
    if (req.method === 'POST' && req.path === '/boards/inspections/i2/appeal') return appeal(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
  const screen = await mountScreen(HistoryPage, { path: '/boards/mine', routes: [{ path: '/boards/mine', name: 'boards-mine' }] })
  for (let i = 0; i < 6; i++) await flushPromises()
  return { ...screen, fetch }
}

enableAutoUnmount(afterEach)

describe('我家的卫生评分', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('lists the scores with breakdown, photos and decisions; appeals one once', async () => {
    const { wrapper, fetch } = await open((req) => ({ status: 201, body: rec('i2', { can_appeal: false,
      appeal: { ...PENDING, reason: req.body.reason } }) }))
    expect(wrapper.find('[data-test="history-household"]').text()).toContain('溪大伯家')
    const newest = wrapper.find('[data-test="record-i2"]')
    expect(newest.find('[data-test="record-total"]').text()).toBe('48.0')
    expect(newest.find('[data-test="breakdown"]').text()).toContain('庭院卫生4 / 10')
    expect(newest.findAll('[data-test="record-photo"]')).toHaveLength(1)
    expect(newest.text()).toContain('2026/12/05 10:00')
    const older = wrapper.find('[data-test="record-i1"]')
    expect(older.find('[data-test="appeal-status"]').text()).toBe('维持原评分')
    expect(older.find('[data-test="decision"]').text()).toBe('祝村管答复：照片清楚，维持')
    expect(older.find('[data-test="appeal-open"]').exists()).toBe(false) // decided: no button

    await newest.find('[data-test="appeal-open"]').trigger('click')
    await newest.find('[data-test="appeal-reason"] textarea').setValue('办')
    await newest.find('form').trigger('submit')
    await flushPromises()
    expect(newest.find('.van-field__error-message').text()).toBe('请写明申诉理由（至少2个字）')
    expect(fetch.requests().filter((r) => r.method === 'POST')).toHaveLength(0)
    await newest.find('[data-test="appeal-reason"] textarea').setValue(' 那天在办酒席 ')
    await newest.find('form').trigger('submit')
    for (let i = 0; i < 4; i++) await flushPromises()
    const [post] = fetch.requests().filter((r) => r.method === 'POST')
    expect(post.body).toEqual({ reason: '那天在办酒席' })
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    const after = wrapper.find('[data-test="record-i2"]')
    expect(after.find('[data-test="appeal-status"]').text()).toBe('申诉处理中')
    expect(after.find('[data-test="appeal-open"]').exists()).toBe(false)
    expect(after.find('form').exists()).toBe(false)
  })

  it('says the server’s refusal (already appealed) under the form', async () => {
    const { wrapper } = await open(() => apiError(409, 'already_appealed', '这条评分已经申诉过了'))
    const card = wrapper.find('[data-test="record-i2"]')
    await card.find('[data-test="appeal-open"]').trigger('click')
    await card.find('[data-test="appeal-reason"] textarea').setValue('那天在办酒席')
    await card.find('form').trigger('submit')
    for (let i = 0; i < 4; i++) await flushPromises()
    expect(card.find('.error-block').text()).toContain('这条评分已经申诉过了')
  })
})
