import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import { TYPES, VILLAGER_ME, WORKER_ME, snapCase, uploadForm } from './test-data.js'
import CasePage from './CasePage.vue'

vi.mock('@shared/image.js', () => ({ shrinkPhoto: vi.fn(async () => new Blob([new Uint8Array(4096)], { type: 'image/jpeg' })) }))

const REF = 'SP-330825-000007'
const ROUTES = [{ path: '/cases', name: 'cases-mine' }, { path: '/field/cases', name: 'field-cases' }, { path: '/cases/:ref', name: 'case' }]

/** The server: GET the case, then each POST of an action answers `act(req)` (the case after it). */
function server(first, act = () => ({ status: 200, body: first })) {
  let forms = 0
  return fakeFetch((req) => {
    if (req.path === `/cases/${REF}`) return { body: first }
    if (req.path === '/cases/types') return { body: TYPES }
    if (req.method === 'POST' && req.path === `/cases/${REF}/actions`) return act(req)
    if (req.method === 'POST' && req.path === '/cases/uploads') return { status: 201, body: uploadForm(++forms) }
    if (req.method === 'POST' && req.path === 'http://s3.local/media') return { status: 204 }
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

async function settle() {
  for (let i = 0; i < 6; i++) await flushPromises()
}

async function open(me = VILLAGER_ME) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const screen = await mountScreen(CasePage, { path: `/cases/${REF}`, routes: ROUTES })
  await settle()
  return screen
}

const actions = (fetch) => fetch.requests().filter((r) => r.method === 'POST' && r.path === `/cases/${REF}/actions`)

enableAutoUnmount(afterEach)

describe('a case, for its filer', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('shows the photos, the answer with the photo after, and the timeline in the county\'s time', async () => {
    server(snapCase({ status: 'resolved', actions: ['rate', 'reopen'] }))
    const { wrapper } = await open()
    expect(wrapper.find('#case-title').text()).toContain('环境卫生')
    expect(wrapper.find('[data-test="status"]').text()).toBe('已办结')
    expect(wrapper.find('[data-test="ref"]').text()).toBe(REF)
    expect(wrapper.findAll('[data-test="photos"] img')).toHaveLength(2)
    expect(wrapper.find('[data-test="outcome"]').text()).toBe('已整改')
    expect(wrapper.find('[data-test="answer-note"]').text()).toBe('已清运，并提醒村民定点投放')
    expect(wrapper.find('[data-test="after-photos"] img').attributes('src')).toContain('after.jpg')
    const events = wrapper.findAll('[data-test="event"]')
    expect(events.map((e) => e.find('[data-test="event-name"]').text())).toEqual(['已提交', '已派单', '已受理', '已办结'])
    expect(events[3].text()).toContain('溪网格')
    expect(events[3].text()).toContain('2026/11/29 14:30') // 06:30 UTC
    expect(events[3].find('[data-test="event-note"]').text()).toBe('已清运，并提醒村民定点投放')
    expect(wrapper.find('[data-test="sla"]').exists()).toBe(false) // not for the filer
    expect(wrapper.find('[data-test="accept"]').exists()).toBe(false)
  })

  it('rates it with stars and words, once, with an Idempotency-Key; the page shows it closed', async () => {
    const closed = snapCase({ status: 'closed', rating: 5, rating_note: '很快', actions: ['reopen'] })
    const fetch = server(snapCase({ status: 'resolved', actions: ['rate', 'reopen'] }), () => ({ body: closed }))
    const { wrapper } = await open()
    const form = wrapper.find('[data-test="rate-form"]')
    await form.trigger('submit')
    expect(form.find('.case-error').text()).toBe('请选择星级')
    expect(actions(fetch)).toEqual([])
    const stars = form.findAll('[data-test="rate-stars"] input')
    expect(stars.map((s) => s.attributes('aria-label'))).toEqual(['1星', '2星', '3星', '4星', '5星'])
    await stars[4].setValue(true)
    expect(form.find('[data-test="rate-words"]').text()).toBe('5星 · 非常满意')
    await form.find('[data-test="rate-note"] textarea').setValue('很快')
    await form.trigger('submit')
    await settle()
    const [rated] = actions(fetch)
    expect(rated.body).toEqual({ action: 'rate', rating: 5, note: '很快' })
    expect(rated.headers['Idempotency-Key']).toMatch(/^[\w-]{8,}$/)
    expect(wrapper.find('[data-test="status"]').text()).toBe('已关闭')
    expect(wrapper.find('[data-test="rating"]').text()).toContain('评价5星：很快')
    expect(wrapper.find('[data-test="rate-form"]').exists()).toBe(false)
  })

  it('reopens it with a reason', async () => {
    const fetch = server(snapCase({ status: 'resolved', actions: ['rate', 'reopen'] }),
      () => ({ body: snapCase({ status: 'filed', actions: [] }) }))
    const { wrapper } = await open()
    await wrapper.find('[data-test="open-reopen"]').trigger('click')
    await wrapper.find('[data-test="reopen-form"]').trigger('submit')
    expect(wrapper.find('[data-test="reopen-reason"]').text()).toContain('请填写此项')
    await wrapper.find('[data-test="reopen-reason"] textarea').setValue('垃圾又堆起来了')
    await wrapper.find('[data-test="reopen-form"]').trigger('submit')
    await settle()
    expect(actions(fetch).map((r) => r.body)).toEqual([{ action: 'reopen', note: '垃圾又堆起来了' }])
    expect(wrapper.find('[data-test="status"]').text()).toBe('待受理')
  })

  it('a retry after a lost answer reuses the same Idempotency-Key', async () => {
    let tries = 0
    const fetch = server(snapCase({ status: 'resolved', actions: ['rate', 'reopen'] }), () => {
      if (++tries === 1) throw new TypeError('Failed to fetch')
      return { body: snapCase({ status: 'closed', rating: 4, actions: [] }) }
    })
    const { wrapper } = await open()
    await wrapper.findAll('[data-test="rate-stars"] input')[3].setValue(true)
    await wrapper.find('[data-test="rate-form"]').trigger('submit')
    await settle()
    expect(wrapper.find('[role="alert"]').text()).toContain('网络')
    await wrapper.find('[data-test="retry"]').trigger('click')
    await settle()
    const [first, second] = actions(fetch)
    expect(second.headers['Idempotency-Key']).toBe(first.headers['Idempotency-Key'])
    expect(wrapper.find('[data-test="status"]').text()).toBe('已关闭')
  })
})

describe('a case, for the grid worker', () => {
  beforeEach(() => {
    localStorage.clear()
    URL.createObjectURL = vi.fn(() => 'blob:after')
    URL.revokeObjectURL = vi.fn()
  })
  afterEach(() => vi.unstubAllGlobals())

  it('shows the SLA in words and who filed it; 受理 accepts it', async () => {
    const fetch = server(snapCase({ mine: false, actions: ['accept', 'note', 'resolve', 'escalate', 'hide'] }),
      () => ({ body: snapCase({ mine: false, status: 'accepted', actions: ['note', 'resolve'] }) }))
    const { wrapper } = await open(WORKER_ME)
    expect(wrapper.find('[data-test="sla"]').text()).toContain('正常')
    expect(wrapper.find('[data-test="sla"]').text()).toContain('2026/12/02 09:00 前答复')
    expect(wrapper.text()).toContain('溪阿婆')
    await wrapper.find('[data-test="accept"]').trigger('click')
    await settle()
    expect(actions(fetch).map((r) => r.body)).toEqual([{ action: 'accept' }])
    expect(wrapper.find('[data-test="status"]').text()).toBe('处理中')
    expect(wrapper.find('[data-test="accept"]').exists()).toBe(false)
  })

  it('办结 needs an outcome, an answer and a photo after; the photo is uploaded once, even when the resolve is retried', async () => {
    let tries = 0
    const fetch = server(snapCase({ mine: false, status: 'accepted', actions: ['note', 'resolve'] }), () => {
      if (++tries === 1) return apiError(503, 'service_unavailable', '服务暂时不可用')
      return { body: snapCase({ mine: false, status: 'resolved', actions: ['note'] }) }
    })
    const { wrapper } = await open(WORKER_ME)
    await wrapper.find('[data-test="open-resolve"]').trigger('click')
    const form = () => wrapper.find('[data-test="resolve-form"]')
    await form().trigger('submit')
    expect(form().find('.case-error').text()).toBe('请选择处理结果')
    expect(form().find('[data-test="resolve-note"]').text()).toContain('请填写此项')
    expect(form().find('.photos__error').text()).toBe('请拍一张处理后的照片')
    expect(form().findAll('.case-choice strong').map((s) => s.text())).toEqual(['已整改', '已转交相关部门', '已解释说明', '现场未发现问题'])

    await form().find('[data-test="outcome-fixed"] input').setValue(true)
    await form().find('[data-test="resolve-note"] textarea').setValue('已清运')
    const input = form().find('[data-test="after-camera"]')
    Object.defineProperty(input.element, 'files', { value: [new File(['x'], 'a.jpg', { type: 'image/jpeg' })], configurable: true })
    await input.trigger('change')
    await settle()
    expect(form().find('.photos__count').text()).toBe('1/3张')
    await form().trigger('submit')
    await settle()
    expect(wrapper.find('[role="alert"]').exists()).toBe(true)
    await form().trigger('submit')
    await settle()
    const sent = actions(fetch)
    expect(sent).toHaveLength(2)
    expect(sent[1].body).toEqual({ action: 'resolve', outcome: 'fixed', note: '已清运', photos: ['330825/cases/snap/v1/k1.jpg'] })
    expect(sent[1].headers['Idempotency-Key']).toBe(sent[0].headers['Idempotency-Key'])
    expect(fetch.requests().filter((r) => r.path === '/cases/uploads')).toHaveLength(1)
    expect(wrapper.find('[data-test="status"]').text()).toBe('已办结')
  })
})
