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
const ME = { tenant: '330825', user_id: 'v1', phone: '158****7777', grants: [{ role: 'villager', place: GRID, household: HID }], modules: ['scan_pass'] }
const SVG = '<svg width="185" height="185" class="segno"><path d="M4 4h7"/></svg>'

let issued = 0
function passFor(member, { ms = 86400_000 - 1500 } = {}) {
  issued += 1
  const m = HOUSEHOLD.members.find((x) => x.id === member)
  return {
    id: `p${issued}`, code: `CQP1.330825.${String(issued).padStart(16, '0')}.tzz0ab.AAAAAAAAAAAAAAAAAAAAAA`,
    qr_svg: SVG, member, member_name: m.name, household: HID, expires_at: new Date(Date.now() + ms).toISOString(),
  }
}

function server({ me = ME } = {}) {
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: me }
    if (req.path === `/households/${HID}`) return { body: HOUSEHOLD }
    if (req.method === 'POST' && req.path === '/passes') return { status: 201, body: passFor(req.body.member) }
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
const radio = (wrapper, name) => wrapper.findAll('input[type="radio"]').find((r) => r.element.closest('label').textContent.includes(name))
const dialog = () => document.querySelector('.van-dialog')

enableAutoUnmount(afterEach)

describe('我的通行码', () => {
  beforeEach(() => {
    localStorage.clear()
    network.online = true
    issued = 0
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
