import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import ErrandsPage from './ErrandsPage.vue'

export const SUMMARIES = [
  { id: 'a00000000001', code: '330825-SY-001', name: '生育登记', department: '县卫生健康局', initials: 'sydj',
    keywords: ['准生证', '二孩'], delivery: ['pickup', 'courier'], fee: '不收费', time_limit_days: 20, promised_days: 5,
    enabled: true },
  { id: 'a00000000002', code: null, name: '老年优待证办理', department: '县民政局', initials: 'lnydzbl', keywords: ['老年证'],
    delivery: ['pickup'], fee: '', time_limit_days: 10, promised_days: 0, enabled: true },
  { id: 'a00000000003', code: null, name: '独生子女父母光荣证', department: '县卫生健康局', initials: 'dsznfmgrz', keywords: [],
    delivery: ['courier'], fee: '', time_limit_days: 15, promised_days: null, enabled: true },
]

async function open() {
  const screen = await mountScreen(ErrandsPage, { path: '/errands', routes: [{ path: '/errands/:id', name: 'errand' }] })
  for (let i = 0; i < 3; i++) await flushPromises()
  return screen
}
const names = (w) => w.findAll('[data-test="errand"] .errand-row__name').map((n) => n.text())
async function type(w, text) {
  await w.find('[data-test="errand-search"]').setValue(text)
}

enableAutoUnmount(afterEach)

describe('网上代办 (the catalogue on the phone)', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
    // the me the app keeps since the home (a page opened from it asks no /me)
    localStorage.setItem('cqt.me', JSON.stringify({ user_id: 'v1', tenant: '330825', grants: [], permissions: {} }))
  })
  afterEach(() => vi.unstubAllGlobals())

  it('reads the catalogue once and groups it by department, with time limits and 快递到家', async () => {
    const fetch = fakeFetch(() => ({ body: { version: 4, items: SUMMARIES } }))
    const { wrapper } = await open()
    expect(fetch.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /errands/items'])
    const groups = wrapper.findAll('[data-test="errand-group"]')
    expect(groups.map((g) => g.find('.errand-group__name').text())).toEqual(['县卫生健康局', '县民政局'])
    expect(groups[0].find('.errand-group__count').text()).toBe('2项')
    expect(groups[0].element.open).toBe(false) // departments start folded: a short list to scan
    const rows = wrapper.findAll('[data-test="errand"]')
    expect(rows[0].text()).toContain('承诺5个工作日')
    expect(rows[0].find('[data-test="courier-tag"]').text()).toBe('快递到家')
    expect(rows[1].text()).toContain('法定15个工作日') // no promise: the legal limit
    expect(wrapper.findAll('[data-test="errand"]')[2].text()).toContain('即办')
    expect(wrapper.findAll('[data-test="errand"]')[2].find('[data-test="courier-tag"]').exists()).toBe(false)
    expect(rows[0].attributes('href')).toBe('/errands/a00000000001')
  })

  it('filters as one types: initials, keywords, department; opens the groups found; says when nothing matches', async () => {
    fakeFetch(() => ({ body: { version: 4, items: SUMMARIES } }))
    const { wrapper } = await open()
    await type(wrapper, 'sydj')
    expect(names(wrapper)).toEqual(['生育登记'])
    expect(wrapper.find('[data-test="errand-group"]').element.open).toBe(true)
    expect(wrapper.find('[data-test="errands-count"]').text()).toBe('找到1个事项')
    await type(wrapper, '老年证')
    expect(names(wrapper)).toEqual(['老年优待证办理'])
    await type(wrapper, ' 卫生健康 ')
    expect(names(wrapper)).toEqual(['生育登记', '独生子女父母光荣证'])
    await type(wrapper, '护照 ')
    expect(names(wrapper)).toEqual([])
    expect(wrapper.find('[data-test="errands-not-found"]').text()).toBe('没有找到“护照”，可以换个说法，或请网格员帮忙')
    await type(wrapper, '')
    expect(wrapper.findAll('[data-test="errand"]')).toHaveLength(3)
  })

  it('opens without a signal with the copy kept from the last answer, and says so', async () => {
    fakeFetch(() => ({ body: { version: 4, items: SUMMARIES } }))
    const first = await open()
    first.wrapper.unmount()
    fakeFetch(offline)
    const { wrapper } = await open()
    expect(wrapper.findAll('[data-test="errand"]')).toHaveLength(3)
    expect(wrapper.find('[data-test="errands-offline"]').text()).toContain('没有网络')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
  })

  it('does not show another person’s kept copy; without one and without a signal it says so, with a retry', async () => {
    fakeFetch(() => ({ body: { version: 4, items: SUMMARIES } }))
    ;(await open()).wrapper.unmount()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'b', refresh_token: 'r', tenant: '330825', user_id: 'v2' }))
    localStorage.setItem('cqt.me', JSON.stringify({ user_id: 'v2', tenant: '330825', grants: [], permissions: {} }))
    const fetch = fakeFetch(offline)
    const { wrapper } = await open()
    expect(wrapper.findAll('[data-test="errand"]')).toHaveLength(0)
    expect(wrapper.find('[role="alert"]').text()).toContain('网络不通')
    fakeFetch(() => ({ body: { version: 4, items: SUMMARIES.slice(0, 1) } }))
    await wrapper.find('[data-test="retry"]').trigger('click')
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(wrapper.findAll('[data-test="errand"]')).toHaveLength(1)
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('shows the server’s refusal (not the kept copy), and an empty catalogue in words; in English too', async () => {
    fakeFetch(() => ({ body: { version: 4, items: SUMMARIES } }))
    ;(await open()).wrapper.unmount()
    fakeFetch(() => apiError(403, 'module_disabled', '本县未开通网上代办'))
    let { wrapper } = await open()
    expect(wrapper.find('[role="alert"]').text()).toContain('本县未开通网上代办')
    expect(wrapper.findAll('[data-test="errand"]')).toHaveLength(0)
    wrapper.unmount()
    const { setLocale } = await import('../i18n/index.js')
    await setLocale('en')
    try {
      fakeFetch(() => ({ body: { version: 1, items: [] } }))
      ;({ wrapper } = await open())
      expect(wrapper.find('[data-test="errands-none"]').text()).toBe('The county has no items to apply for online yet')
    } finally {
      await setLocale('zh-CN')
    }
  })
})
