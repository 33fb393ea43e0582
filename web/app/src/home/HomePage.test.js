import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import HomePage from './HomePage.vue'
import { prefs } from '../settings/prefs.js'
import { outbox } from '../offline/outbox.js'
import { shanghaiToday } from '../daily_report/time.js'

const GRID = '330825101201G01'
const CATALOGUE = { items: [{ id: 'daily_report', name: '每日上报', built: true }, { id: 'snap', name: '随手拍', built: false }] }
// GET /api/me: `permissions` as the server sends them (permission -> topmost places; none of a switched-off module).
const me = (grants, modules = ['daily_report', 'snap'], permissions = {}) => ({ tenant: '330825', user_id: 'u1', name: '茶党员', county_name: '龙游县', grants, modules, permissions })

// GET /api/home as the server composes it: /me, the module catalogue, and the parts of the switched-on modules.
function homeOf(who, catalogue, today = {}, unread = 0) {
  const parts = { inbox: { unread } }
  if ((who.modules ?? []).includes('daily_report') && Object.keys(today).length) parts.daily_report = { today }
  return { me: who, modules: catalogue.items, parts }
}

function server(who) {
  return fakeFetch((req) => (req.path === '/home' ? { body: homeOf(who, CATALOGUE) } : { status: 404, body: {} }))
}

async function open(who) {
  localStorage.setItem('cqt.me', JSON.stringify(who))
  const screen = await mountScreen(HomePage)
  for (let i = 0; i < 3; i++) await flushPromises()
  return screen
}

enableAutoUnmount(afterEach)

describe('home tiles of the daily report', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id: 'u1' }))
    prefs.elder = false
  })
  afterEach(() => vi.unstubAllGlobals())

  it('shows 每日上报 to every household in a county that uses it, and 我的联户 to party members', async () => {
    const party = me([{ role: 'villager', place: GRID, household: 'h1' }, { role: 'party_member', place: GRID }], undefined,
      { 'party.duties': [GRID] })
    server(party)
    const { wrapper } = await open(party)
    expect(wrapper.find('[data-test="tile-daily_report"]').text()).toBe('每日上报')
    expect(wrapper.find('[data-test="tile-daily_report"]').attributes('href')).toBe('/report')
    expect(wrapper.find('[data-test="tile-party"]').attributes('href')).toBe('/party')
    expect(wrapper.text()).not.toContain('随手拍')
  })

  it('shows no 我的联户 to a villager, nor any report tile where the county switched it off', async () => {
    const villager = me([{ role: 'villager', place: GRID, household: 'h1' }])
    server(villager)
    const { wrapper } = await open(villager)
    expect(wrapper.find('[data-test="tile-daily_report"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="tile-party"]').exists()).toBe(false)
    wrapper.unmount()
    const off = me([{ role: 'party_member', place: GRID }], [])
    server(off)
    const again = await open(off)
    expect(again.wrapper.find('.home__modules').exists()).toBe(false)
  })

  it('a me kept by an older app (no permissions) holds nothing, and the tiles follow once /me answers', async () => {
    const party = me([{ role: 'villager', place: GRID, household: 'h1' }, { role: 'party_member', place: GRID }],
      undefined, { 'party.duties': [GRID] })
    const { permissions, ...older } = party
    expect(permissions).toBeTruthy()
    localStorage.setItem('cqt.modules', JSON.stringify(CATALOGUE.items)) // the catalogue seen earlier
    fakeFetch(offline)
    const kept = await open(older)
    expect(kept.wrapper.find('.home__greeting').text()).toContain('茶党员')
    expect(kept.wrapper.find('[data-test="tile-daily_report"]').exists()).toBe(true)
    expect(kept.wrapper.find('[data-test="tile-party"]').exists()).toBe(false)
    kept.wrapper.unmount()
    server(party)
    const { wrapper } = await open(older)
    expect(wrapper.find('[data-test="tile-party"]').attributes('href')).toBe('/party')
    expect(JSON.parse(localStorage.getItem('cqt.me')).permissions).toEqual({ 'party.duties': [GRID] })
  })

  it('an office without a household of its own is pointed to the console and offered to link one', async () => {
    const admin = me([{ role: 'county_admin', place: '330825' }], undefined,
      { 'tenant.read': ['330825'], 'households.read': ['330825'], 'reports.read': ['330825'] })
    server(admin)
    const { wrapper } = await open(admin)
    expect(wrapper.find('[data-test="home-today"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="tile-daily_report"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="tile-household"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="tile-link"]').attributes('href')).toBe('/link')
    expect(wrapper.find('[data-test="home-console"]').text()).toContain('/console/')
  })

  it('keeps 每日上报 in elder mode, and without a signal once the catalogue was seen', async () => {
    const villager = me([{ role: 'villager', place: GRID, household: 'h1' }])
    server(villager)
    ;(await open(villager)).wrapper.unmount()
    prefs.elder = true
    fakeFetch(offline)
    const { wrapper } = await open(villager)
    expect(wrapper.find('[data-test="tile-daily_report"]').exists()).toBe(true)
  })

  it('shows 我的通行码 and 疫情举报 where the county uses them, and 扫码核验 to checkpoint staff', async () => {
    const catalogue = { items: [...CATALOGUE.items, { id: 'scan_pass', name: '扫码通行', built: true }, { id: 'tipoffs', name: '疫情举报', built: true }] }
    const scan = { 'places.read': ['330825100201'], 'passes.scan': ['330825100201'], 'passes.logs': ['330825100201'] }
    const staff = me([{ role: 'checkpoint_staff', place: '330825100201', place_name: '寺下村' }], ['scan_pass', 'tipoffs'], scan)
    const serve = (who) =>
      fakeFetch((req) => (req.path === '/home' ? { body: homeOf(who, catalogue) } : { status: 404, body: {} }))
    serve(staff)
    const { wrapper } = await open(staff)
    expect(wrapper.find('[data-test="tile-scan_pass"]').exists()).toBe(false) // no household: no pass of their own
    expect(wrapper.find('[data-test="tile-tipoffs"]').text()).toBe('疫情举报')
    expect(wrapper.find('[data-test="tile-scan"]').attributes('href')).toBe('/pass/scan')
    wrapper.unmount()
    const both = me([{ role: 'checkpoint_staff', place: '330825100201', place_name: '寺下村' },
      { role: 'villager', place: GRID, household: 'h1' }], ['scan_pass', 'tipoffs'], scan)
    serve(both)
    const mine = await open(both)
    expect(mine.wrapper.find('[data-test="tile-scan_pass"]').text()).toBe('我的通行码')
    expect(mine.wrapper.find('[data-test="tile-scan_pass"]').attributes('href')).toBe('/pass')
    mine.wrapper.unmount()
    const villager = me([{ role: 'villager', place: GRID, household: 'h1' }], ['scan_pass'])
    serve(villager)
    const again = await open(villager)
    expect(again.wrapper.find('[data-test="tile-scan_pass"]').exists()).toBe(true)
    expect(again.wrapper.find('[data-test="tile-scan"]').exists()).toBe(false)
    expect(again.wrapper.find('[data-test="tile-tipoffs"]').exists()).toBe(false)
  })

  it('shows 随手拍 and 我的事项 where the county uses 随手拍', async () => {
    const catalogue = { items: [{ id: 'snaps', name: '随手拍', built: true }] }
    const villager = me([{ role: 'villager', place: GRID, household: 'h1' }], ['snaps'])
    fakeFetch((req) => (req.path === '/home' ? { body: homeOf(villager, catalogue) } : { status: 404, body: {} }))
    const { wrapper } = await open(villager)
    expect(wrapper.find('[data-test="tile-snaps"]').text()).toBe('随手拍')
    expect(wrapper.find('[data-test="tile-snaps"]').attributes('href')).toBe('/snaps')
    expect(wrapper.find('[data-test="tile-cases"]').text()).toBe('我的事项')
    expect(wrapper.find('[data-test="tile-cases"]').attributes('href')).toBe('/cases')
    wrapper.unmount()
    const off = me([{ role: 'villager', place: GRID, household: 'h1' }], ['daily_report'])
    server(off)
    const again = await open(off)
    expect(again.wrapper.find('[data-test="tile-cases"]').exists()).toBe(false)
  })
})

// --- today's report on the home page -------------------------------------------------------------------------------

const TODAY = shanghaiToday()
const VILLAGER = me([{ role: 'villager', place: GRID, household: 'h1', place_name: '灵山村第一网格' }], ['daily_report', 'scan_pass'])
const FULL_CATALOGUE = { items: [{ id: 'daily_report', name: '每日上报', built: true }, { id: 'scan_pass', name: '扫码通行', built: true }] }
const REPORT = (o = {}) => ({
  id: 'r1', household: 'h1', date: TODAY, submitted_at: `${TODAY}T01:05:00Z`, level: 'green', outside: [], outside_persons: 0,
  proxy: false, by_name: '灵大伯', current: true,
  members: [{ member: 'm1', name: '灵大伯', colour: 'green' }, { member: 'm2', name: '灵大妈', colour: 'green' }], ...o,
})

function village(today, unread = 0) {
  return fakeFetch((req) => (req.path === '/home'
    ? { body: homeOf(VILLAGER, FULL_CATALOGUE, { h1: { date: TODAY, cutoff: '10:00', report: today } }, unread) }
    : { status: 404, body: {} }))
}

describe('home shows today', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id: 'u1' }))
    prefs.elder = false
    outbox.items.splice(0)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('before reporting: 未报 and a big 每日上报 button for the household, in one request', async () => {
    const fetch = village(null)
    const { wrapper } = await open(VILLAGER)
    const card = wrapper.find('[data-test="home-today"]')
    expect(card.find('[data-test="home-today-status"]').text()).toBe('未报')
    expect(card.text()).toContain('请在 10:00 前完成')
    const go = card.find('[data-test="home-report-now"]')
    expect(go.text()).toBe('每日上报')
    expect(go.find('svg').exists()).toBe(true)
    await go.trigger('click')
    await flushPromises()
    // the villager's morning: who am I, the module catalogue, the notices' badge and today's report, in one request
    expect(fetch.requests().map((r) => r.path)).toEqual(['/home'])
    expect(JSON.parse(localStorage.getItem('cqt.modules'))).toEqual(FULL_CATALOGUE.items)
  })

  it('the inbox tile shows the unread count the home brought', async () => {
    village(null, 3)
    const { wrapper } = await open(VILLAGER)
    expect(wrapper.find('[data-test="tile-inbox"] .tile__badge').text()).toContain('3')
  })

  it('after reporting: 已报, by whom and when (Asia/Shanghai), and the way to the pass (whose page has the verdict)', async () => {
    village(REPORT())
    const { wrapper } = await open(VILLAGER)
    const card = wrapper.find('[data-test="home-today"]')
    expect(card.find('[data-test="home-today-status"]').text()).toBe('已报')
    expect(card.find('[data-test="home-today-who"]').text()).toBe('灵大伯 09:05 已报')
    expect(card.find('[data-test="home-today-colours"]').text()).toBe('全家2人均为绿码')
    expect(card.find('[data-test="home-pass"]').exists()).toBe(false) // the checkpoint rule is the server's
    expect(card.find('[data-test="home-view-pass"]').attributes('href')).toBe('/pass')
    expect(card.find('[data-test="home-view-report"]').attributes('href')).toBe('/report?household=h1')
    expect(card.find('[data-test="home-report-now"]').exists()).toBe(false)
  })

  it('a yellow or red member is named with their colour; a proxy report names the grid worker', async () => {
    village(REPORT({ proxy: true, by_name: '汪专网', level: 'red',
      members: [{ member: 'm1', name: '灵大伯', colour: 'red' }, { member: 'm2', name: '灵大妈', colour: 'green' }] }))
    const { wrapper } = await open(VILLAGER)
    expect(wrapper.find('[data-test="home-today-who"]').text()).toBe('网格员汪专网 09:05 代报')
    expect(wrapper.find('[data-test="home-today-colours"]').text()).toContain('灵大伯')
  })

  it('offline: a report waiting in the outbox shows as 待发送; without it and without a signal, the button stays', async () => {
    fakeFetch(offline)
    outbox.items.push({ key: 'k1', method: 'POST', path: '/reports', owner: '330825:u1', error: null,
      queued_at: `${TODAY}T00:30:00Z`, meta: { kind: 'report', address: '灵山村3号' },
      body: { household: 'h1', members: [{ member: 'm1', colour: 'green' }], outside: [] } })
    const { wrapper } = await open(VILLAGER)
    expect(wrapper.find('[data-test="home-today-status"]').text()).toBe('待发送')
    expect(wrapper.find('[data-test="home-today-queued"]').text()).toBe('08:30 已保存在手机上，有信号时自动发送。')
    wrapper.unmount()
    outbox.items.splice(0)
    const again = await open(VILLAGER)
    expect(again.wrapper.find('[data-test="home-today-status"]').text()).toBe('未确认')
    expect(again.wrapper.find('[data-test="home-report-now"]').exists()).toBe(true)
  })

  it('offline later the same day: what was known earlier today', async () => {
    village(REPORT())
    ;(await open(VILLAGER)).wrapper.unmount()
    fakeFetch(offline)
    const { wrapper } = await open(VILLAGER)
    expect(wrapper.find('[data-test="home-today-status"]').text()).toBe('已报')
    expect(wrapper.find('[data-test="home-today-offline"]').exists()).toBe(true)
  })

  it('elder mode keeps 每日上报 first and big: the status first, then the 每日上报 tile before every other', async () => {
    prefs.elder = true
    village(null)
    const { wrapper } = await open(VILLAGER)
    const main = wrapper.find('main')
    expect(main.classes()).toContain('home--elder')
    const order = main.findAll('[data-test]').map((x) => x.attributes('data-test'))
    expect(order.indexOf('home-today')).toBeLessThan(order.indexOf('tile-daily_report'))
    const tiles = wrapper.findAll('nav.tiles .tile').map((x) => x.attributes('data-test'))
    expect(tiles[0]).toBe('tile-daily_report')
    expect(wrapper.find('[data-test="tile-daily_report"]').classes()).toContain('tile--report')
    expect(wrapper.findAll('[data-test="tile-daily_report"]')).toHaveLength(1)
  })

  it('every tile carries its icon', async () => {
    village(null)
    const { wrapper } = await open(VILLAGER)
    const tiles = wrapper.findAll('.tile')
    expect(tiles.length).toBeGreaterThan(4)
    for (const tile of tiles) expect(tile.find('svg path').attributes('d')).toBeTruthy()
  })

  it('staff without a household see no report status', async () => {
    const worker = me([{ role: 'grid_worker', place: GRID }], ['daily_report'],
      { 'households.read': [GRID], 'reports.proxy': [GRID] })
    fakeFetch((req) => (req.path === '/home' ? { body: homeOf(worker, FULL_CATALOGUE) } : { status: 404, body: {} }))
    const { wrapper } = await open(worker)
    expect(wrapper.find('[data-test="home-today"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="tile-field"]').exists()).toBe(true)
  })
})
