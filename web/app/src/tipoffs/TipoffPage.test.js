import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { outbox } from '../offline/outbox.js'
import TipoffPage from './TipoffPage.vue'

const GRID = '330825100202G01'
const ME = { tenant: '330825', user_id: 'v1', grants: [{ role: 'villager', place: GRID, household: 'h1' }], modules: ['tipoffs'], permissions: {} }
const ROUTES = [{ path: '/tipoffs/mine', name: 'tipoffs-mine' }, { path: '/tipoffs', name: 'tipoffs' }]

function created(body) {
  return {
    id: '330825100202-1764417000000-0a1b2c3d', village: '330825100202', location: null, ...body, reporter: '星阿伯',
    status: 'open', disposition: null, note: null, handled_by: null, handled_at: null, created_at: '2026-11-29T11:50:00Z',
  }
}

function server(post = (req) => ({ status: 201, body: created(req.body) })) {
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: ME }
    if (req.method === 'POST' && req.path === '/tipoffs') return post(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

async function open(path = '/tipoffs') {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
  localStorage.setItem('cqt.me', JSON.stringify(ME))
  const screen = await mountScreen(TipoffPage, { path, routes: ROUTES })
  await flushPromises()
  return screen
}

async function fill(wrapper, { category = 'gathering', description = '文化礼堂有二十多人聚餐打牌', location = '' } = {}) {
  if (category) await wrapper.find(`[data-test="category-${category}"] input`).setValue(true)
  await wrapper.find('[data-test="description"] textarea').setValue(description)
  if (location) await wrapper.find('[data-test="location"] input').setValue(location)
}

async function submit(wrapper) {
  await wrapper.find('form').trigger('submit')
  for (let i = 0; i < 3; i++) await flushPromises()
}

const posts = (fetch) => fetch.requests().filter((r) => r.method === 'POST')

enableAutoUnmount(afterEach)

describe('疫情举报', () => {
  beforeEach(() => {
    localStorage.clear()
    outbox.items.splice(0)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('offers three large labelled categories and explains 匿名举报', async () => {
    server()
    const { wrapper } = await open()
    const fieldset = wrapper.find('fieldset')
    expect(fieldset.find('legend').text()).toBe('举报类型')
    const radios = fieldset.findAll('input[type="radio"]')
    expect(radios.map((r) => r.element.closest('label').querySelector('strong').textContent)).toEqual(['返乡人员', '聚集活动', '其他风险'])
    expect(new Set(radios.map((r) => r.attributes('name'))).size).toBe(1)
    const hint = document.getElementById(radios[1].attributes('aria-describedby'))
    expect(hint.textContent).toBe('聚餐、打牌、集会等')
    const sw = wrapper.find('[data-test="anonymous"]')
    expect(sw.attributes('role')).toBe('switch')
    expect(document.getElementById(sw.attributes('aria-labelledby')).textContent).toBe('匿名举报')
    expect(document.getElementById(sw.attributes('aria-describedby')).textContent).toBe('工作人员看不到您的姓名，平台仍会记录以防滥用')
  })

  it('asks for a category and a description before sending; the hints go once fixed', async () => {
    const fetch = server()
    const { wrapper } = await open()
    await submit(wrapper)
    expect(wrapper.find('.tipoff-error').text()).toBe('请选择举报类型')
    expect(wrapper.find('[data-test="description"]').text()).toContain('请填写此项')
    expect(posts(fetch)).toEqual([])
    await fill(wrapper)
    expect(wrapper.find('.tipoff-error').exists()).toBe(false)
    expect(wrapper.find('[data-test="description"]').text()).not.toContain('请填写此项')
  })

  it('files an anonymous tip-off with an Idempotency-Key, then opens 我的举报', async () => {
    const fetch = server()
    const { wrapper, router } = await open()
    await fill(wrapper, { location: '村文化礼堂' })
    await wrapper.find('[data-test="anonymous"]').trigger('click')
    await submit(wrapper)
    const [post] = posts(fetch)
    expect(post.body).toEqual({ category: 'gathering', description: '文化礼堂有二十多人聚餐打牌', location: '村文化礼堂', anonymous: true })
    expect(post.headers['Idempotency-Key']).toMatch(/^[\w-]{8,}$/)
    expect(router.currentRoute.value.name).toBe('tipoffs-mine')
  })

  it('keeps it on the phone as 待发送 without a signal', async () => {
    server()
    const { wrapper, router } = await open()
    fakeFetch(offline)
    await fill(wrapper, { category: 'returnee', description: '邻居家儿子从外省回来' })
    await submit(wrapper)
    expect(outbox.items).toMatchObject([
      { method: 'POST', path: '/tipoffs', body: { category: 'returnee', anonymous: false }, meta: { kind: 'tipoff' } },
    ])
    expect(router.currentRoute.value.name).toBe('tipoffs-mine')
  })

  it('says until when once today\'s ten tip-offs are used up', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-29T12:00:00Z'))
    try {
      server(() => apiError(429, 'too_many_requests', '操作过于频繁，请稍后再试', { retry_after: 43200 }, { 'Retry-After': '43200' }))
      const { wrapper, router } = await open()
      await fill(wrapper)
      await submit(wrapper)
      expect(wrapper.find('[role="alert"]').text()).toContain('今天的举报已达上限（每天10条），请于 2026/11/30 08:00 后再试。')
      expect(router.currentRoute.value.name).toBe('tipoffs')
    } finally {
      vi.useRealTimers()
    }
  })

  it('shows the server\'s word on a field under it', async () => {
    server(() => apiError(422, 'validation_failed', '提交的内容不符合要求', [{ field: 'description', code: 'string_too_long', message: '内容过长' }]))
    const { wrapper } = await open()
    await fill(wrapper)
    await submit(wrapper)
    expect(wrapper.find('[data-test="description"]').text()).toContain('内容过长')
  })

  it('fixes a tip-off the server refused after it waited, and sends it in its place', async () => {
    outbox.items.push({
      key: 'k-refused-1', method: 'POST', path: '/tipoffs', owner: '330825:v1', queued_at: '2026-11-29T11:00:00Z',
      body: { category: 'other', description: '有', anonymous: true }, meta: { kind: 'tipoff' },
      error: { status: 422, code: 'validation_failed', message: '提交的内容不符合要求', details: [{ field: 'description', message: '内容过短' }] },
    })
    const fetch = server()
    const { wrapper } = await open('/tipoffs?draft=k-refused-1')
    expect(wrapper.find('[data-test="category-other"] input').element.checked).toBe(true)
    expect(wrapper.find('[data-test="anonymous"]').attributes('aria-checked')).toBe('true')
    expect(wrapper.find('[data-test="description"]').text()).toContain('内容过短')
    await wrapper.find('[data-test="description"] textarea').setValue('有人在村口聚集')
    await submit(wrapper)
    expect(posts(fetch)[0].body).toEqual({ category: 'other', description: '有人在村口聚集', anonymous: true })
    expect(outbox.items).toEqual([])
  })
})
