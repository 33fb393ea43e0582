// A letter's page (CasePage with a 村民信箱 case): the conversation, the writer's 回复 box, and staff's view.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import { LETTER_TYPES, MAILBOX_ME, letterCase } from '../cases/test-data.js'
import CasePage from '../cases/CasePage.vue'

const REF = 'XX-330825-000004'
const ROUTES = [{ path: '/cases', name: 'cases-mine' }, { path: '/field/cases', name: 'field-cases' }, { path: '/cases/:ref', name: 'case' }]
const OFFICE_ME = {
  tenant: '330825', user_id: 's1', name: '溪书记', grants: [{ role: 'village_admin', place: '330825100260', place_name: '溪前村' }],
  modules: ['mailbox'], permissions: { 'letters.read': ['330825100260'], 'letters.handle': ['330825100260'] },
}

function server(first, act = () => ({ status: 200, body: first })) {
  return fakeFetch((req) => {
    if (req.path === `/cases/${REF}`) return { body: first }
    if (req.path === '/cases/types') return { body: LETTER_TYPES }
    if (req.method === 'POST' && req.path === `/cases/${REF}/actions`) return act(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

async function settle() {
  for (let i = 0; i < 6; i++) await flushPromises()
}

async function open(me = MAILBOX_ME) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const screen = await mountScreen(CasePage, { path: `/cases/${REF}`, routes: ROUTES })
  await settle()
  return screen
}

const actions = (fetch) => fetch.requests().filter((r) => r.method === 'POST' && r.path === `/cases/${REF}/actions`)
const messages = (wrapper) => wrapper.findAll('[data-test="thread-message"]').map((m) => ({
  side: m.attributes('data-side'), who: m.find('[data-test="thread-who"]').text(), note: m.find('[data-test="thread-note"]').text(),
}))
const notices = (wrapper) => wrapper.findAll('[data-test="notice-text"]').map((n) => n.text())

enableAutoUnmount(afterEach)

describe('a letter, for its writer', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('reads as a conversation: the village on the left, me on the right, in the county\'s time', async () => {
    server(letterCase())
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="status"]').text()).toBe('待答复')
    expect(wrapper.find('#case-title').text()).toContain('意见建议')
    expect(wrapper.find('[data-test="place"]').text()).toBe('溪前村')
    expect(wrapper.find('.case-facts').text()).toContain('写给')
    expect(wrapper.find('[data-test="due"]').text()).toBe('2026/12/04 00:00 前答复') // 16:00 UTC
    expect(wrapper.find('[data-test="anonymous"]').text()).toBe('这是匿名来信：工作人员看不到您的姓名。')
    expect(wrapper.find('.app-bar__title').text()).toBe('来信详情')
    expect(wrapper.find('[data-test="handler"]').exists()).toBe(false) // still with the village
    expect(wrapper.find('[data-test="timeline"]').exists()).toBe(false) // the list of events is for the other types
    expect(wrapper.find('#letter-thread-title').text()).toBe('来信往来')
    expect(notices(wrapper)).toEqual(['来信已送到村两委'])
    expect(messages(wrapper)).toEqual([
      { side: 'theirs', who: '村里的答复 · 溪书记', note: '已收到，村委会下周一商议' },
      { side: 'mine', who: '我', note: '桥头那边也要装一盏' },
    ])
    expect(wrapper.findAll('[data-test="thread-message"]')[0].text()).toContain('2026/11/30 14:00')
    expect(wrapper.find('[data-test="reply-form"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="case-actions"]').exists()).toBe(false) // nothing to rate yet
  })

  it('says when it went to the township after 3 working days, and names the township\'s answer', async () => {
    server(letterCase({ escalated: true }))
    const { wrapper } = await open()
    expect(notices(wrapper)).toEqual(['来信已送到村两委', '3个工作日内没有答复，已自动转交乡镇（街道）办理'])
    const notice = wrapper.findAll('[data-test="thread-notice"]')[1]
    expect(notice.attributes('data-event')).toBe('escalated')
    expect(notice.text()).toContain('2026/12/04 00:01')
    expect(messages(wrapper).map((m) => m.who)).toEqual(['村里的答复 · 溪书记', '我', '乡镇的答复 · 湖镇干部'])
    expect(wrapper.find('[data-test="handler"]').text()).toBe('乡镇（街道）')
    expect(wrapper.find('[data-test="due"]').text()).toBe('2026/12/09 00:00 前答复')
  })

  it('回复 is required, sent once with an Idempotency-Key (the same one again after a lost answer), and joins the thread', async () => {
    let tries = 0
    const answered = letterCase({
      timeline: [...letterCase().timeline, { event: 'note', event_name: '办理进展', at: '2026-11-30T09:00:00Z', by: '溪阿婆', by_role: 'filer', status: 'filed', note: '谢谢，等你们消息', detail: {} }],
      updated_at: '2026-11-30T09:00:00Z',
    })
    const fetch = server(letterCase(), () => (++tries === 1 ? (() => { throw new TypeError('Failed to fetch') })() : { body: answered }))
    const { wrapper } = await open()
    const form = wrapper.find('[data-test="reply-form"]')
    expect(form.find('label').text()).toBe('回复')
    await form.trigger('submit')
    expect(wrapper.find('[data-test="reply-text"]').text()).toContain('请填写此项')
    expect(actions(fetch)).toEqual([])

    await wrapper.find('[data-test="reply-text"] textarea').setValue('  谢谢，等你们消息 ')
    expect(wrapper.find('[data-test="reply-text"]').text()).not.toContain('请填写此项')
    await form.trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="reply-form"] [role="alert"]').text()).toContain('网络')
    await wrapper.find('[data-test="reply-form"] [data-test="retry"]').trigger('click')
    await settle()
    const [first, second] = actions(fetch)
    expect(first.body).toEqual({ action: 'reply', note: '谢谢，等你们消息' })
    expect(second.body).toEqual(first.body)
    expect(second.headers['Idempotency-Key']).toMatch(/^[\w-]{8,}$/)
    expect(second.headers['Idempotency-Key']).toBe(first.headers['Idempotency-Key'])
    expect(messages(wrapper).at(-1)).toEqual({ side: 'mine', who: '我', note: '谢谢，等你们消息' })
    expect(wrapper.find('[data-test="reply-text"] textarea').element.value).toBe('')
  })

  it('shows the server\'s refusal of a reply in words', async () => {
    server(letterCase(), () => apiError(409, 'invalid_transition', '该事项已办结，不能回复'))
    const { wrapper } = await open()
    await wrapper.find('[data-test="reply-text"] textarea').setValue('还有一件事')
    await wrapper.find('[data-test="reply-form"]').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="reply-form"] [role="alert"]').text()).toContain('该事项已办结，不能回复')
  })

  it('has no 回复 box once the server no longer offers it; the answer and the rating are in the thread', async () => {
    const timeline = [
      ...letterCase().timeline,
      { event: 'resolved', event_name: '已办结', at: '2026-12-01T02:00:00Z', by: '溪书记', by_role: 'staff', status: 'resolved', note: '村委会决定安装三盏路灯', detail: {} },
      { event: 'rated', event_name: '已评价', at: '2026-12-01T03:00:00Z', by: '溪阿婆', by_role: 'filer', status: 'closed', note: '很满意', detail: { rating: 5 } },
    ]
    server(letterCase({ status: 'closed', status_name: '已办结', outcome: 'handled', outcome_name: '已办理', rating: 5, rating_note: '很满意',
      resolved_at: '2026-12-01T02:00:00Z', due_at: null, actions: ['reopen'], timeline }))
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="reply-form"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="status"]').text()).toBe('已办结')
    expect(wrapper.find('[data-test="outcome"]').text()).toBe('已办理')
    expect(wrapper.find('[data-test="answer-note"]').exists()).toBe(false) // said once, in the thread
    const last = wrapper.findAll('[data-test="thread-message"]').slice(-2)
    expect(last.map((m) => m.find('[data-test="thread-tag"]').text())).toEqual(['正式答复', '★★★★★ 评价5星'])
    expect(last[0].attributes('data-side')).toBe('theirs')
    expect(last[1].attributes('data-side')).toBe('mine')
  })
})

describe('a letter, for the village office', () => {
  beforeEach(() => {
    localStorage.clear()
    URL.createObjectURL = vi.fn(() => 'blob:after')
    URL.revokeObjectURL = vi.fn()
  })
  afterEach(() => vi.unstubAllGlobals())

  it('keeps the anonymous writer anonymous, and answers without needing a photo', async () => {
    const fetch = server(letterCase({ mine: false, actions: ['accept', 'note', 'resolve', 'escalate', 'hide'] }),
      () => ({ body: letterCase({ mine: false, status: 'resolved', status_name: '已答复', actions: ['note'] }) }))
    const { wrapper } = await open(OFFICE_ME)
    expect(wrapper.find('.case-facts').text()).toContain('匿名来信人')
    expect(wrapper.text()).not.toContain('溪阿婆')
    expect(messages(wrapper).map((m) => [m.side, m.who])).toEqual([['theirs', '村里的答复 · 溪书记'], ['mine', '提交人']])
    expect(wrapper.find('[data-test="reply-form"]').exists()).toBe(false)
    await wrapper.find('[data-test="open-resolve"]').trigger('click')
    const form = wrapper.find('[data-test="resolve-form"]')
    expect(form.findAll('.case-choice strong').map((s) => s.text())).toEqual(['已答复', '已办理', '已转交有关部门'])
    await form.find('[data-test="outcome-handled"] input').setValue(true)
    await form.find('[data-test="resolve-note"] textarea').setValue('村委会决定安装三盏路灯')
    await form.trigger('submit')
    await settle()
    expect(actions(fetch).map((r) => r.body)).toEqual([{ action: 'resolve', outcome: 'handled', note: '村委会决定安装三盏路灯', photos: [] }])
    expect(wrapper.find('[data-test="status"]').text()).toBe('已答复')
  })
})
