import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { network } from '../offline/network.js'
import { keepPass, keptPass, rememberChoice } from './passes.js'
import PassPage from './PassPage.vue'

const HID = '4bb3cd9720714124'
const GRID = '330825100201G01'
const HOUSEHOLD = {
  id: HID,
  grid: GRID,
  address: '寺下村3号',
  head_name: '周建国',
  members: [
    { id: '148ff52bf937', name: '周建国', relation: '户主', phone: '139****0001' },
    { id: '9085a64801ad', name: '周梓萱', relation: '配偶', phone: null },
    { id: 'aa94a0cf20bc', name: '周志强', relation: '孙子女', phone: '158****7777' },
  ],
}
const ME = { tenant: '330825', user_id: 'v1', phone: '158****7777', grants: [{ role: 'villager', place: GRID, household: HID }], modules: ['scan_pass'], permissions: {} }
const SVG = '<svg width="185" height="185" class="segno"><path d="M4 4h7"/></svg>'

const NOT_REPORTED = { result: 'stop', reasons: [{ code: 'not_reported', message: '今日尚未完成健康上报' }], colour: null, reported_today: false }
const GREEN = { result: 'pass', reasons: [], colour: 'green', reported_today: true }
const RED = { result: 'stop', reasons: [{ code: 'red_code', message: '健康码为红码' }], colour: 'red', reported_today: true }
const REVOKED = { result: 'invalid', reasons: [{ code: 'pass_revoked', message: '通行码已作废，请持码人刷新通行码' }], colour: null, reported_today: false }
let verdictNow = NOT_REPORTED // what the server's checkpoint rule says now

let issued = 0
const shorts = {} // the short code of each pass issued
function passFor(member, { ms = 86400_000 - 1500, verdict = verdictNow, at = new Date() } = {}) {
  issued += 1
  shorts[`p${issued}`] = `7KQ4M2X${issued}`.replace(/[01]/g, '9')
  const m = HOUSEHOLD.members.find((x) => x.id === member)
  return {
    id: `p${issued}`, code: `CQP1.330825.${String(issued).padStart(16, '0')}.tzz0ab.AAAAAAAAAAAAAAAAAAAAAA`,
    short_code: `7KQ4M2X${issued}`.replace(/[01]/g, '9'),
    qr_svg: SVG, member, member_name: m.name, household: HID, expires_at: new Date(Date.now() + ms).toISOString(),
    verdict: { ...verdict, checked_at: at.toISOString() },
  }
}

function server({ me = ME } = {}) {
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: me }
    if (req.path === `/households/${HID}`) return { body: HOUSEHOLD }
    if (req.method === 'POST' && req.path === '/passes') return { status: 201, body: passFor(req.body.member) }
    const status = req.method === 'GET' && req.path.match(/^\/passes\/(p\d+)\/status$/)
    if (status) {
      const v = { ...verdictNow, checked_at: new Date().toISOString() }
      return { body: { id: status[1], short_code: v.result === 'invalid' ? null : shorts[status[1]] ?? 'SRVR2345', expires_at: new Date(Date.now() + 3600_000).toISOString(), verdict: v } }
    }
    if (req.method === 'POST' && /^\/passes\/p\d+\/revoke$/.test(req.path)) return { status: 204 }
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

function signIn(me = ME) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
}

async function open(path = '/pass') {
  const screen = await mountScreen(PassPage, { path })
  for (let i = 0; i < 4; i++) await flushPromises()
  return screen
}

const posts = (fetch) => fetch.requests().filter((r) => r.method === 'POST')
const statuses = (fetch) => fetch.requests().filter((r) => r.method === 'GET' && r.path.endsWith('/status'))
const verdictBox = (wrapper) => wrapper.find('[data-test="pass-verdict"]')
const radio = (wrapper, name) => wrapper.findAll('input[type="radio"]').find((r) => r.element.closest('label').textContent.includes(name))
const dialog = () => document.querySelector('.van-dialog')

enableAutoUnmount(afterEach)

describe('我的通行码', () => {
  beforeEach(() => {
    localStorage.clear()
    network.online = true
    issued = 0
    verdictNow = NOT_REPORTED
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('lets the phone choose a member, then shows their pass large with the name and a countdown', async () => {
    const me = { ...ME, phone: '130****0000' } // nobody of the household has this phone: no guess
    signIn(me)
    const fetch = server({ me })
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="pass-choose"]').text()).toBe('请选择要出示通行码的家庭成员。')
    expect(posts(fetch)).toEqual([])
    const choices = wrapper.findAll('[data-test="pass-members"] input[type="radio"]')
    expect(choices.map((r) => r.element.closest('label').textContent.replace(/\s+/g, ''))).toEqual(['周建国户主', '周梓萱配偶', '周志强孙子女'])

    await radio(wrapper, '周梓萱').setValue(true)
    for (let i = 0; i < 3; i++) await flushPromises()
    const [post] = posts(fetch)
    expect(post.body).toEqual({ household: HID, member: '9085a64801ad' })
    expect(post.headers['Idempotency-Key']).toMatch(/^[\w-]{8,}$/)
    expect(wrapper.find('[data-test="pass-name"]').text()).toBe('周梓萱')
    const img = wrapper.find('[data-test="pass-qr"]')
    expect(img.attributes('alt')).toBe('周梓萱的通行码')
    expect(img.attributes('src')).toMatch(/^data:image\/svg\+xml/)
    expect(wrapper.find('[data-test="pass-left"]').text()).toMatch(/^23:59:5\d$/)
    expect(wrapper.find('[data-test="pass-left"]').attributes('role')).toBe('timer')
    expect(wrapper.find('[data-test="pass-refresh"]').attributes('aria-label')).toBe('刷新周梓萱的通行码')
    expect(keptPass('9085a64801ad').id).toBe('p1')

    // Back to the same member: the pass kept on the phone, no new one.
    await radio(wrapper, '周建国').setValue(true)
    await flushPromises()
    await radio(wrapper, '周梓萱').setValue(true)
    await flushPromises()
    expect(posts(fetch).map((p) => p.body.member)).toEqual(['9085a64801ad', '148ff52bf937'])
    expect(wrapper.find('[data-test="pass-name"]').text()).toBe('周梓萱')
  })

  it('opens on the person holding the phone (same phone number), or on the member shown last', async () => {
    signIn()
    const fetch = server()
    const first = await open()
    expect(posts(fetch).map((p) => p.body.member)).toEqual(['aa94a0cf20bc'])
    expect(first.wrapper.find('[data-test="pass-name"]').text()).toBe('周志强')
    first.wrapper.unmount()

    rememberChoice(HID, '148ff52bf937')
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="pass-name"]').text()).toBe('周建国')
  })

  it('shows the kept pass without a signal until it expires, marked as shown offline', async () => {
    signIn()
    keepPass(passFor('9085a64801ad'))
    rememberChoice(HID, '9085a64801ad')
    const fetch = fakeFetch(offline)
    network.online = false
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="pass-name"]').text()).toBe('周梓萱')
    expect(wrapper.find('[data-test="pass-qr"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="pass-offline"]').text()).toContain('离线显示')
    expect(posts(fetch)).toEqual([])
  })

  it('gets a new pass by itself when the shown one runs out', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    signIn()
    const fetch = server()
    keepPass(passFor('aa94a0cf20bc', { ms: 3000 }))
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="pass-left"]').text()).toBe('00:00:03')
    expect(posts(fetch)).toEqual([])
    vi.setSystemTime(Date.now() + 3000)
    vi.advanceTimersByTime(1000)
    for (let i = 0; i < 4; i++) await flushPromises()
    expect(posts(fetch).map((p) => p.body.member)).toEqual(['aa94a0cf20bc'])
    expect(wrapper.find('[data-test="pass-left"]').text()).toMatch(/^23:59:5\d$/)
  })

  it('says so when the pass runs out without a signal, and gets a new one when the signal returns', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    signIn()
    keepPass(passFor('aa94a0cf20bc', { ms: 2000 }))
    const fetch = fakeFetch(offline)
    network.online = false
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="pass-offline"]').exists()).toBe(true)
    vi.setSystemTime(Date.now() + 2000)
    vi.advanceTimersByTime(1000)
    await flushPromises()
    expect(wrapper.find('[data-test="pass-qr"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="pass-expired"]').text()).toBe('通行码已过期，请在有信号时刷新。')
    expect(posts(fetch)).toEqual([])

    const up = server()
    network.online = true
    for (let i = 0; i < 4; i++) await flushPromises()
    expect(posts(up).map((p) => p.body.member)).toEqual(['aa94a0cf20bc'])
    expect(wrapper.find('[data-test="pass-qr"]').exists()).toBe(true)
  })

  it('刷新 issues a new pass; 作废 revokes it after asking, and forgets it', async () => {
    signIn()
    const fetch = server()
    const { wrapper } = await open()
    await wrapper.find('[data-test="pass-refresh"]').trigger('click')
    for (let i = 0; i < 3; i++) await flushPromises()
    const [a, b] = posts(fetch)
    expect(b.headers['Idempotency-Key']).not.toBe(a.headers['Idempotency-Key'])
    expect(keptPass('aa94a0cf20bc').id).toBe('p2')

    await wrapper.find('[data-test="pass-revoke"]').trigger('click')
    await flushPromises()
    expect(dialog().textContent).toContain('确定作废吗')
    dialog().querySelector('.van-dialog__confirm').click()
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(posts(fetch).at(-1).path).toBe('/passes/p2/revoke')
    expect(wrapper.find('[data-test="pass-revoked"]').text()).toBe('通行码已作废')
    expect(wrapper.find('[data-test="pass-qr"]').exists()).toBe(false)
    expect(keptPass('aa94a0cf20bc')).toBeNull()

    await wrapper.find('[data-test="pass-again"]').trigger('click')
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(wrapper.find('[data-test="pass-qr"]').exists()).toBe(true)
  })

  it('says the checkpoint will refuse a member whose household has not reported, and shows the short code', async () => {
    signIn()
    const fetch = server()
    const { wrapper } = await open()
    expect(posts(fetch)).toHaveLength(1)
    expect(statuses(fetch)).toEqual([]) // the new pass came with its verdict
    const box = verdictBox(wrapper)
    expect(box.classes()).toContain('pass-verdict--stop')
    expect(box.attributes('role')).toBe('status')
    expect(box.find('[data-test="pass-verdict-head"]').text()).toBe('卡口将不予通行')
    expect(box.find('[data-test="pass-verdict-reasons"]').text()).toBe('今日尚未完成健康上报')
    expect(box.find('[data-test="pass-verdict-when"]').text()).toMatch(/^\d\d:\d\d 核对$/)
    expect(box.find('svg').exists()).toBe(true) // a shape, not colour alone
    const go = wrapper.find('[data-test="pass-verdict-report"]')
    expect(go.text()).toBe('去上报')
    await go.trigger('click')
    await flushPromises()
    const short = wrapper.find('[data-test="pass-short-code"]')
    expect(short.text()).toBe('7KQ4 M2X9')
    expect(short.attributes('aria-label')).toBe('7 K Q 4 M 2 X 9')
    expect(wrapper.find('[data-test="pass-short"]').text()).toContain('请卡口人员输入此短码')
    expect(keptPass('aa94a0cf20bc').verdict.result).toBe('stop')
  })

  it('asks again when the page is opened or shown again: after the report it says 可通行, with a red code it refuses', async () => {
    signIn()
    const fetch = server()
    const first = await open()
    expect(verdictBox(first.wrapper).classes()).toContain('pass-verdict--stop')
    first.wrapper.unmount()

    verdictNow = GREEN // the household reported meanwhile (say, on the report page)
    const { wrapper } = await open()
    expect(posts(fetch)).toHaveLength(1) // the same pass, kept on the phone
    expect(statuses(fetch).map((r) => r.path)).toEqual(['/passes/p1/status'])
    const box = verdictBox(wrapper)
    expect(box.classes()).toContain('pass-verdict--pass')
    expect(box.find('[data-test="pass-verdict-head"]').text()).toBe('可通行')
    expect(box.text()).toContain('绿码 · 今日已上报')
    expect(wrapper.find('[data-test="pass-verdict-report"]').exists()).toBe(false)
    expect(keptPass('aa94a0cf20bc').verdict.result).toBe('pass')
    expect(wrapper.find('[data-test="pass-short-code"]').text()).toBe('7KQ4 M2X9')

    verdictNow = RED // another member of the household corrects the report: back from another app
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(statuses(fetch)).toHaveLength(2)
    expect(verdictBox(wrapper).classes()).toContain('pass-verdict--stop')
    expect(verdictBox(wrapper).text()).toContain('健康码为红码')
    expect(wrapper.find('[data-test="pass-verdict-report"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="pass-verdict-household"]').exists()).toBe(true)

    verdictNow = GREEN
    await wrapper.find('[data-test="pass-verdict-recheck"]').trigger('click')
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(verdictBox(wrapper).classes()).toContain('pass-verdict--pass')
  })

  it('without a signal shows the last verdict with its time, marked; one from another day is not trusted', async () => {
    signIn()
    const at = new Date(Date.now() - 5 * 60_000)
    keepPass(passFor('aa94a0cf20bc', { verdict: GREEN, at }))
    const fetch = fakeFetch(offline)
    network.online = false
    const first = await open()
    const box = verdictBox(first.wrapper)
    expect(statuses(fetch)).toHaveLength(1) // tried, no signal
    expect(box.classes()).toContain('pass-verdict--pass')
    expect(box.find('[data-test="pass-verdict-stale"]').text()).toBe('离线')
    const hhmm = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at)
    expect(box.find('[data-test="pass-verdict-when"]').text()).toBe(`离线 上次核对：${hhmm}`)
    expect(first.wrapper.find('[data-test="pass-verdict-recheck"]').exists()).toBe(false)
    first.wrapper.unmount()

    localStorage.removeItem('cqt.passes')
    keepPass(passFor('aa94a0cf20bc', { verdict: GREEN, at: new Date(Date.now() - 86400_000) }))
    const { wrapper } = await open()
    const old = verdictBox(wrapper)
    expect(old.classes()).toContain('pass-verdict--unknown')
    expect(old.find('[data-test="pass-verdict-head"]').text()).toBe('今日通行状态未知')
    expect(old.text()).toContain('卡口以实时核验为准')
    expect(old.find('[data-test="pass-verdict-stale"]').exists()).toBe(true)
  })

  it('gets the short code of a pass kept before short codes existed, and forgets nothing else', async () => {
    signIn()
    const old = passFor('aa94a0cf20bc')
    delete old.short_code
    delete old.verdict
    delete shorts[old.id]
    keepPass(old)
    verdictNow = GREEN
    server()
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="pass-short-code"]').text()).toBe('SRVR 2345')
    expect(verdictBox(wrapper).classes()).toContain('pass-verdict--pass')
    expect(keptPass('aa94a0cf20bc')).toMatchObject({ id: old.id, short_code: 'SRVR2345', verdict: { result: 'pass' } })
  })

  it('drops a pass the server no longer takes (renewed on another phone) and lets the person get a new one', async () => {
    signIn()
    keepPass(passFor('aa94a0cf20bc'))
    verdictNow = REVOKED
    const fetch = server()
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="pass-replaced"]').text()).toContain('已在其他手机上刷新')
    expect(wrapper.find('[data-test="pass-qr"]').exists()).toBe(false)
    expect(keptPass('aa94a0cf20bc')).toBeNull()
    expect(posts(fetch)).toEqual([]) // not by itself: a new pass would replace the other phone's
    verdictNow = NOT_REPORTED
    await wrapper.find('[data-test="pass-again"]').trigger('click')
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(posts(fetch)).toHaveLength(1)
    expect(wrapper.find('[data-test="pass-qr"]').exists()).toBe(true)
  })

  it('tells a phone without a household how to link one', async () => {
    signIn({ ...ME, grants: [] })
    server()
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="no-household"]').text()).toContain('关联后即可出示通行码')
  })

  it('speaks English too', async () => {
    const { setLocale } = await import('../i18n/index.js')
    await setLocale('en')
    try {
      signIn()
      server()
      const { wrapper } = await open()
      expect(wrapper.find('[data-test="pass-qr"]').attributes('alt')).toBe('Pass code of 周志强')
      expect(wrapper.find('[data-test="pass-refresh"]').text()).toBe('Refresh')
      expect(wrapper.text()).toContain('Valid for')
    } finally {
      await setLocale('zh-CN')
    }
  })
})
