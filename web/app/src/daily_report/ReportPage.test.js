import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { outbox } from '../offline/outbox.js'
import ReportPage from './ReportPage.vue'
import { keepForms } from './formCache.js'
import { useAccount } from '../auth/account.js'

const HID = '29abbb048a974451'
const GRID = '330825102201G01'
const HOUSEHOLD = {
  id: HID,
  grid: GRID,
  address: '灵山村1号',
  head_name: '汪军',
  members: [
    { id: 'aaaaaaaaaaa1', name: '汪军', relation: '户主' },
    { id: 'aaaaaaaaaaa2', name: '赵欣怡', relation: '配偶' },
  ],
}
const VILLAGER = { tenant: '330825', user_id: 'v1', grants: [{ role: 'villager', place: GRID, household: HID }], modules: ['daily_report'], permissions: {} }
const WORKER = { tenant: '330825', user_id: 'w1', grants: [{ role: 'grid_worker', place: GRID }], modules: ['daily_report'],
  permissions: { 'households.read': [GRID], 'reports.proxy': [GRID] } }
const REPORT = {
  id: 'r1',
  household: HID,
  date: '2026-11-29',
  submitted_at: '2026-11-29T00:05:00Z', // 08:05 in the county
  level: 'green',
  members: [
    { member: 'aaaaaaaaaaa1', name: '汪军', colour: 'green' },
    { member: 'aaaaaaaaaaa2', name: '赵欣怡', colour: 'green' },
  ],
  outside: [{ from_place: '江西省上饶市', count: 2 }],
  outside_persons: 2,
  proxy: false,
  by_name: '汪军',
  current: true,
}

/** A server with one household: GET /reports/form (today, history, household), POST /reports (which becomes today's
 * report). */
function server({ today = null, post } = {}) {
  const state = { today, history: today ? [today] : [] }
  const fetch = fakeFetch((req) => {
    if (req.path === `/reports/form?household=${HID}`) {
      return { body: { today: { date: '2026-11-29', cutoff: '10:00', report: state.today },
        history: { items: state.history, next_cursor: null }, household: HOUSEHOLD } }
    }
    if (req.method === 'GET' && req.path === `/households/${HID}`) return { body: HOUSEHOLD }
    if (req.path.startsWith('/reports/today')) return { body: { date: '2026-11-29', cutoff: '10:00', report: state.today } }
    if (req.method === 'GET' && req.path.startsWith('/reports?')) return { body: { items: state.history, next_cursor: null } }
    if (req.method === 'POST' && req.path === '/reports') {
      if (post) return post(req)
      const r = { ...REPORT, id: `r${state.history.length + 1}`, submitted_at: '2026-11-29T01:30:00Z', outside: req.body.outside, outside_persons: req.body.outside.reduce((n, o) => n + o.count, 0), members: req.body.members.map((m) => ({ ...m, name: HOUSEHOLD.members.find((x) => x.id === m.member).name })) }
      state.history = [r, ...state.history.map((h) => ({ ...h, current: false }))]
      state.today = r
      return { status: 201, body: r }
    }
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
  return { fetch, state }
}

function signIn(me) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
}

const PROXY_ROUTES = [
  { path: '/field/report/:hid', name: 'field-report', meta: { field: true, proxy: true } },
  { path: '/field/unreported', name: 'field-unreported', meta: { field: true } },
]

async function open(path = '/report', routes = [], before = undefined) {
  const screen = await mountScreen(ReportPage, { path, routes, before })
  await flushPromises()
  await flushPromises()
  return screen
}

const pick = (wrapper, i, colour) => wrapper.find(`[data-test="member-${i}"] [data-test="colour-${colour}"] input`).setValue(true)
const dialog = () => document.querySelector('.van-dialog')

enableAutoUnmount(afterEach) // not the whole body: Vant's confirm dialog lives there across tests

describe('每日上报', () => {
  beforeEach(() => {
    localStorage.clear()
    outbox.items.splice(0)
    window.scrollTo = () => {}
  })
  afterEach(() => vi.unstubAllGlobals())

  it('offers every member three labelled colour choices, each with its own shape', async () => {
    signIn(VILLAGER)
    server()
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="today-status"]').text()).toBe('今日未报')
    expect(wrapper.text()).toContain('请在 10:00 前完成上报')
    const groups = wrapper.findAll('fieldset.colour-member')
    expect(groups).toHaveLength(2)
    expect(groups[0].find('legend').text()).toContain('汪军')
    const radios = groups[0].findAll('input[type="radio"]')
    expect(radios.map((r) => r.element.closest('label').textContent.trim())).toEqual(['绿码', '黄码', '红码'])
    expect(groups[0].findAll('svg').length).toBe(3) // a shape beside each colour, not colour alone
    expect(new Set(radios.map((r) => r.attributes('name'))).size).toBe(1)
  })

  it('asks for a colour for every member before sending anything', async () => {
    signIn(VILLAGER)
    const { fetch } = server()
    const { wrapper } = await open()
    await pick(wrapper, 0, 'green')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-test="member-1"]').text()).toContain('请选择健康码颜色')
    expect(wrapper.find('[data-test="member-0"]').text()).not.toContain('请选择健康码颜色')
    expect(fetch.requests().filter((r) => r.method === 'POST')).toEqual([])
    await pick(wrapper, 1, 'yellow')
    expect(wrapper.find('[data-test="member-1"]').text()).not.toContain('请选择健康码颜色')
  })

  it('reports with outside persons, then shows 已上报 with the time in the county and who reported', async () => {
    signIn(VILLAGER)
    const { fetch } = server()
    const { wrapper } = await open()
    await pick(wrapper, 0, 'green')
    await pick(wrapper, 1, 'green')
    expect(wrapper.find('[data-test="outside-0"]').exists()).toBe(false)
    await wrapper.find('[data-test="has-outside"]').trigger('click')
    await wrapper.find('[data-test="outside-0"] [data-test="from-place"] input').setValue('江西省上饶市')
    await wrapper.find('[data-test="outside-0"] [data-test="count-more"]').trigger('click')
    await wrapper.find('[data-test="add-group"]').trigger('click')
    await wrapper.find('[data-test="outside-1"] [data-test="from-place"] input').setValue('安徽省合肥市')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    await flushPromises()

    const [post] = fetch.requests().filter((r) => r.method === 'POST')
    expect(post.body).toEqual({
      household: HID,
      members: [
        { member: 'aaaaaaaaaaa1', colour: 'green' },
        { member: 'aaaaaaaaaaa2', colour: 'green' },
      ],
      outside: [
        { from_place: '江西省上饶市', count: 2 },
        { from_place: '安徽省合肥市', count: 1 },
      ],
    })
    expect(post.headers['Idempotency-Key']).toMatch(/^[\w-]{8,}$/)
    expect(wrapper.find('[data-test="today-status"]').text()).toBe('已上报')
    expect(wrapper.find('[data-test="today-when"]').text()).toContain('09:30 已上报')
    expect(wrapper.find('[data-test="today-when"]').text()).toContain('填报人：汪军')
    expect(wrapper.find('[data-test="report-outside"]').text()).toContain('外来人员3人')
    expect(wrapper.find('form').exists()).toBe(false)
    expect(wrapper.findAll('[data-test="history-item"]')).toHaveLength(1)
  })

  it('opens with what the home brought and sends the report as its only request', async () => {
    signIn(VILLAGER)
    const { fetch } = server()
    keepForms({ [HID]: { today: { date: '2026-11-29', cutoff: '10:00', report: null },
      history: { items: [{ ...REPORT, id: 'r0', date: '2026-11-28' }], next_cursor: null }, household: HOUSEHOLD } })
    const { wrapper } = await open('/report', [], () => useAccount().keepMe(VILLAGER)) // GET /home's me, just now
    expect(wrapper.find('[data-test="today-status"]').text()).toBe('今日未报')
    await pick(wrapper, 0, 'green')
    await pick(wrapper, 1, 'green')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    await flushPromises()
    expect(fetch.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /reports'])
    expect(wrapper.find('[data-test="today-status"]').text()).toBe('已上报')
    expect(wrapper.findAll('[data-test="history-item"]')).toHaveLength(2) // the answer leads the history
  })

  it('re-fills today\'s report to replace it', async () => {
    signIn(VILLAGER)
    const { fetch } = server({ today: REPORT })
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="today-status"]').text()).toBe('已上报')
    expect(wrapper.find('[data-test="today-when"]').text()).toContain('08:05 已上报')
    expect(wrapper.find('form').exists()).toBe(false)
    await wrapper.find('[data-test="redo"]').trigger('click')
    expect(wrapper.find('[data-test="member-0"] [data-test="colour-green"] input').element.checked).toBe(true)
    expect(wrapper.find('[data-test="outside-0"] [data-test="from-place"] input').element.value).toBe('江西省上饶市')
    await wrapper.find('[data-test="has-outside"]').trigger('click') // nobody from outside any more
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    await flushPromises()
    const [post] = fetch.requests().filter((r) => r.method === 'POST')
    expect(post.body.outside).toEqual([])
    expect(wrapper.find('[data-test="report-outside"]').text()).toBe('无外来人员')
    const history = wrapper.findAll('[data-test="history-item"]')
    expect(history).toHaveLength(2)
    expect(history[1].text()).toContain('已被替换')
  })

  it('marks a report the grid worker made for the household as 代报', async () => {
    signIn(VILLAGER)
    server({ today: { ...REPORT, proxy: true, by_name: '灵网格' } })
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="today-when"]').text()).toContain('填报人：灵网格')
    expect(wrapper.find('[data-test="proxy-tag"]').text()).toBe('代报')
    expect(wrapper.find('[data-test="history-item"]').text()).toContain('代报')
  })

  it('confirms a yellow or red code first: the county command is told at once', async () => {
    signIn(VILLAGER)
    const { fetch } = server()
    const { wrapper } = await open()
    await pick(wrapper, 0, 'green')
    await pick(wrapper, 1, 'red')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(dialog().textContent).toContain('赵欣怡为红码')
    expect(dialog().textContent).toContain('将立即通知县防疫指挥部')
    dialog().querySelector('.van-dialog__cancel').click()
    await flushPromises()
    expect(fetch.requests().filter((r) => r.method === 'POST')).toEqual([])

    await wrapper.find('form').trigger('submit')
    await flushPromises()
    dialog().querySelector('.van-dialog__confirm').click()
    await flushPromises()
    await flushPromises()
    const [post] = fetch.requests().filter((r) => r.method === 'POST')
    expect(post.body.members[1]).toEqual({ member: 'aaaaaaaaaaa2', colour: 'red' })
  })

  it('shows the server\'s refusal (a member missing) above the button', async () => {
    signIn(VILLAGER)
    server({
      post: () => apiError(422, 'validation_failed', '提交的内容不符合要求', [
        { field: 'members', code: 'member_missing', message: '请填报 王小明 的健康码颜色' },
      ]),
    })
    const { wrapper } = await open()
    await pick(wrapper, 0, 'green')
    await pick(wrapper, 1, 'green')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    const alert = wrapper.find('[role="alert"]')
    expect(alert.text()).toContain('请填报 王小明 的健康码颜色')
    expect(wrapper.find('form').exists()).toBe(true)
  })

  it('keeps the report on the phone as 待发送 without a signal', async () => {
    signIn(VILLAGER)
    server()
    const { wrapper } = await open()
    fakeFetch(offline)
    await pick(wrapper, 0, 'green')
    await pick(wrapper, 1, 'yellow')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    dialog().querySelector('.van-dialog__confirm').click()
    await flushPromises()
    await flushPromises()
    expect(outbox.items).toHaveLength(1)
    expect(outbox.items[0]).toMatchObject({
      method: 'POST',
      path: '/reports',
      body: { household: HID },
      meta: { kind: 'report', address: '灵山村1号', grid: GRID, proxy: false },
    })
    expect(wrapper.find('[data-test="today-status"]').text()).toBe('待发送')
    expect(wrapper.find('[data-test="today"]').text()).toContain('赵欣怡')
    expect(wrapper.find('form').exists()).toBe(false)
  })

  it('opens without a signal from the copy kept on the phone', async () => {
    signIn(VILLAGER)
    server()
    const first = await open()
    first.wrapper.unmount()
    fakeFetch(offline)
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="today-unknown"]').exists()).toBe(true)
    expect(wrapper.findAll('fieldset.colour-member')).toHaveLength(2)
  })

  it('代报: says for which household, and goes back to the unreported list', async () => {
    signIn(WORKER)
    const { fetch } = server()
    const { wrapper, router } = await open(`/field/report/${HID}`, PROXY_ROUTES)
    expect(document.title).toContain('代报：灵山村1号')
    expect(wrapper.find('[data-test="proxy-banner"]').text()).toContain('为 汪军（灵山村1号）代报')
    expect(wrapper.find('[data-test="submit-report"]').text()).toBe('提交代报')
    await pick(wrapper, 0, 'green')
    await pick(wrapper, 1, 'green')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    await flushPromises()
    expect(fetch.requests().filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(router.currentRoute.value.name).toBe('field-unreported')
    expect(router.currentRoute.value.query).toEqual({ grid: GRID })
  })

  it('speaks English too', async () => {
    const { setLocale } = await import('../i18n/index.js')
    await setLocale('en')
    try {
      signIn(VILLAGER)
      server({ today: { ...REPORT, proxy: true, by_name: '灵网格' } })
      const { wrapper } = await open()
      expect(wrapper.find('[data-test="today-status"]').text()).toBe('Reported')
      expect(wrapper.find('[data-test="today-when"]').text()).toContain('Reported at 08:05')
      expect(wrapper.find('[data-test="report-outside"]').text()).toContain('2 from outside: 2 from 江西省上饶市')
      await wrapper.find('[data-test="redo"]').trigger('click')
      expect(wrapper.find('[data-test="member-0"]').text()).toContain('Green')
      expect(wrapper.find('[data-test="submit-report"]').text()).toBe('Submit report')
    } finally {
      await setLocale('zh-CN')
    }
  })

  it('lets a phone linked to two households choose which one reports', async () => {
    const OTHER = { ...HOUSEHOLD, id: 'bbbbbbbbbbbbbbbb', address: '灵山村2号', members: [{ id: 'bbbbbbbbbbb1', name: '汪老伯', relation: '户主' }] }
    const me = { ...VILLAGER, grants: [...VILLAGER.grants, { role: 'villager', place: GRID, household: OTHER.id }] }
    signIn(me)
    const fetch = fakeFetch((req) => {
      if (req.path === '/me') return { body: me }
      const h = [HOUSEHOLD, OTHER].find((x) => req.path === `/households/${x.id}`)
      if (h) return { body: h }
      const f = [HOUSEHOLD, OTHER].find((x) => req.path === `/reports/form?household=${x.id}`)
      if (f) {
        return { body: { today: { date: '2026-11-29', cutoff: '10:00', report: null },
          history: { items: [], next_cursor: null }, household: f } }
      }
      if (req.path.startsWith('/reports/today')) return { body: { date: '2026-11-29', cutoff: '10:00', report: null } }
      return { body: { items: [], next_cursor: null } }
    })
    const { wrapper, router } = await open()
    await flushPromises()
    const select = wrapper.find('[data-test="choose-household"]')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['灵山村1号', '灵山村2号'])
    await select.setValue(OTHER.id)
    for (let i = 0; i < 4; i++) await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ household: OTHER.id })
    expect(wrapper.findAll('fieldset.colour-member').map((f) => f.find('legend').text())).toEqual([expect.stringContaining('汪老伯')])
    expect(fetch.requests().some((r) => r.path === `/reports/form?household=${OTHER.id}`)).toBe(true)
  })

  it('tells a phone without a household how to link one', async () => {
    signIn({ ...VILLAGER, grants: [] })
    server()
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="no-household"]').text()).toContain('您的手机还没有关联家庭')
  })
})
