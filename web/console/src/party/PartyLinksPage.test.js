import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import PartyLinksPage from './PartyLinksPage.vue'

afterEach(() => {
  vi.unstubAllGlobals()
  clearPlaceCache()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 30; i++) await flush()
}

const V = '330825002201'
const G = `${V}G01`
const PLACES = {
  [V]: { code: V, name: '团石村', level: 'village', parent: '330825002' },
  [G]: { code: G, name: '团石村第1网格', level: 'grid', parent: V },
}
const HH = [['h1', '徐子涵', 10], ['h2', '刘文斌', 2], ['h3', '张浩然', 3], ['h4', '外村户', 4]].map(
  ([id, head, n]) => ({ id, head_name: head, address: `团石村${n}号`, grid: G, village: V }))
const STAFF = [
  { id: 'u1', name: '团党员', phone: '147****1955', status: 'active', grants: [{ role: 'party_member', place: G }] },
  { id: 'u2', name: '石党员', phone: '147****2000', status: 'active', grants: [{ role: 'party_member', place: G }] },
  { id: 'u3', name: '团格长', phone: '147****3000', status: 'active', grants: [{ role: 'grid_leader', place: G }] },
]
const MAX = 3 // this server's limit per party member (the real one: 30)

function server({ links = {} } = {}) {
  const state = { ...links } // hid → member
  const page = (member) => ({ member, member_name: STAFF.find((s) => s.id === member).name,
    items: HH.filter((h) => state[h.id] === member).map((h) => ({ id: h.id, head_name: h.head_name,
      address: h.address, grid: h.grid, reported_today: h.id === 'h2' })) })
  const f = fakeFetch([
    ['GET', '/api/places', (url) => {
      const u = new URL(url, 'http://x')
      const parent = u.searchParams.get('parent')
      if (parent) return { body: { items: Object.values(PLACES).filter((p) => p.parent === parent), next_cursor: null } }
      return { body: PLACES[u.pathname.split('/').pop()] }
    }],
    ['GET', '/api/party-links/members?', { body: { items: STAFF, next_cursor: null } }],
    ['GET', '/api/households?', { body: { items: HH, next_cursor: null } }],
    ['GET', '/api/party-links?', (url) => ({ body: page(new URL(url, 'http://x').searchParams.get('member')) })],
    ['POST', '/api/party-links', (url, init) => {
      const { member, households } = JSON.parse(init.body)
      const bad = households.map((h, i) => [h, i]).filter(([h]) => h === 'h4')
      if (bad.length) {
        return { status: 422, body: { error: { code: 'validation_failed', message: '提交的内容不符合要求',
          details: bad.map(([, i]) => ({ field: `households.${i}`, code: 'other_village',
            message: '该户不在该党员所在村' })) } } }
      }
      const mine = new Set([...HH.filter((h) => state[h.id] === member).map((h) => h.id), ...households])
      if (mine.size > MAX) {
        return { status: 422, body: { error: { code: 'validation_failed', message: '提交的内容不符合要求',
          details: [{ field: 'households', code: 'too_many', message: `每名党员最多联系 ${MAX} 户` }] } } }
      }
      for (const h of households) state[h] = member
      return { body: page(member) }
    }],
    ['DELETE', '/api/party-links/', (url) => {
      delete state[url.split('/').pop()]
      return { status: 204, body: null }
    }],
  ])
  f.state = state
  return f
}

/** The page starts its tree at the places of party.link (GET /api/me permissions). */
function mountAs(grants) {
  const pinia = createPinia()
  const places = [...new Set(grants.map((g) => g.place))]
  useAuth(pinia).me = { grants, name: '团村管', permissions: { 'party.link': places } }
  return mountConsole(PartyLinksPage, { pinia })
}

const tables = (w) => w.findAll('.el-table')
const tableNamed = (w, name) => tables(w).find((t) => t.attributes('aria-label') === name)
const rowTexts = (t) => t.findAll('.el-table__body tr').map((r) => r.findAll('td').map((d) => d.text()))
// Element Plus names the checkbox by the label around it
const box = (w, address, head) => w.find(`label[aria-label="选择 ${address}（户主 ${head}）"] input`)
const tick = (w, address, head) => box(w, address, head).setValue(true)
const button = (w, text) => w.findAll('button').find((b) => b.text() === text)

describe('PartyLinksPage', () => {
  it('links ticked households to a party member, shows them with today’s report, unlinks', async () => {
    const f = server({ links: { h3: 'u2' } })
    vi.stubGlobal('fetch', f)
    const w = mountAs([{ role: 'village_admin', place: V }])
    await settle()
    expect(f.calls.some((c) => c.url.startsWith(`/api/party-links/members?place=${V}`))).toBe(true)
    expect(f.calls.some((c) => c.url.startsWith(`/api/households?place=${V}`))).toBe(true)
    const members = tableNamed(w, '团石村 的党员')
    expect(rowTexts(members).map((r) => r.slice(0, 5))).toEqual([
      ['团党员', '团石村第1网格', '147****1955', '0', '0 / 0'], ['石党员', '团石村第1网格', '147****2000', '1', '0 / 1']])
    const households = () => rowTexts(tableNamed(w, '团石村 的住户')).map((r) => r.slice(1))
    expect(households()).toEqual([['刘文斌', '团石村2号', '团石村第1网格', '未联系'],
      ['张浩然', '团石村3号', '团石村第1网格', '石党员'], ['外村户', '团石村4号', '团石村第1网格', '未联系'],
      ['徐子涵', '团石村10号', '团石村第1网格', '未联系']])

    await w.find('button[aria-label="查看 团党员 联系的住户"]').trigger('click')
    await settle()
    expect(w.text()).toContain('团党员 联系的住户')
    expect(w.text()).toContain('还没有联系的住户')
    await tick(w, '团石村10号', '徐子涵')
    await tick(w, '团石村2号', '刘文斌')
    await button(w, '将所选 2 户交由 团党员 联系').trigger('click')
    await settle()
    const post = f.calls.find((c) => c.method === 'POST')
    expect(JSON.parse(post.init.body)).toEqual({ member: 'u1', households: ['h1', 'h2'] })
    expect(document.body.textContent).toContain('已将 2 户交由 团党员 联系')
    expect(rowTexts(tableNamed(w, '团党员 联系的住户')).map((r) => r.slice(0, 4))).toEqual([
      ['刘文斌', '团石村2号', '团石村第1网格', '已报'], ['徐子涵', '团石村10号', '团石村第1网格', '未报']])
    expect(households().map((r) => r[3])).toEqual(['团党员', '石党员', '未联系', '团党员'])
    expect(rowTexts(members)[0].slice(3, 5)).toEqual(['2', '1 / 2'])

    await w.find('button[aria-label="解除 团石村10号 与 团党员 的联系"]').trigger('click')
    await settle()
    expect(document.querySelector('.el-message-box').textContent).toContain('确定解除 团石村10号（户主 徐子涵）与党员 团党员 的联系吗？')
    ;[...document.querySelectorAll('.el-message-box button')].find((b) => b.textContent.trim() === '解除联系').click()
    await settle()
    expect(f.calls.some((c) => c.method === 'DELETE' && c.url === '/api/party-links/h1')).toBe(true)
    expect(rowTexts(tableNamed(w, '团党员 联系的住户')).map((r) => r[1])).toEqual(['团石村2号'])
    expect(households().map((r) => r[3])).toEqual(['团党员', '石党员', '未联系', '未联系'])
    w.unmount()
  })

  it('names each household the API refused, and says when a party member has too many', async () => {
    const f = server({ links: { h1: 'u1', h2: 'u1' } })
    vi.stubGlobal('fetch', f)
    const w = mountAs([{ role: 'village_admin', place: V }])
    await settle()
    await w.find('button[aria-label="查看 团党员 联系的住户"]').trigger('click')
    await tick(w, '团石村4号', '外村户')
    await button(w, '将所选 1 户交由 团党员 联系').trigger('click')
    await settle()
    expect(w.find('.party__problems').text()).toBe('团石村4号（户主 外村户）：该户不在该党员所在村')
    expect(w.find('.api-error').text()).toContain('提交的内容不符合要求')

    await box(w, '团石村4号', '外村户').setValue(false)
    await tick(w, '团石村3号', '张浩然')
    await tick(w, '团石村10号', '徐子涵') // already theirs: still 3 in all, but …
    await settle()
    expect(button(w, '将所选 2 户交由 团党员 联系')).toBeTruthy()
    f.state.h4 = 'u1' // … someone linked another one meanwhile
    await button(w, '将所选 2 户交由 团党员 联系').trigger('click')
    await settle()
    expect(w.find('.party__problems').text()).toBe('每名党员最多联系 3 户')
    w.unmount()
  })

  it('asks before moving a household from another party member', async () => {
    const f = server({ links: { h3: 'u2' } })
    vi.stubGlobal('fetch', f)
    const w = mountAs([{ role: 'village_admin', place: V }])
    await settle()
    await w.find('button[aria-label="查看 团党员 联系的住户"]').trigger('click')
    await tick(w, '团石村3号', '张浩然')
    await button(w, '将所选 1 户交由 团党员 联系').trigger('click')
    await settle()
    expect(document.querySelector('.el-message-box').textContent).toContain('有 1 户目前由其他党员联系，确定改由 团党员 联系吗？')
    ;[...document.querySelectorAll('.el-message-box button')].find((b) => b.textContent.trim() === '取消').click()
    await settle()
    expect(f.calls.some((c) => c.method === 'POST')).toBe(false)
    w.unmount()
  })

  it('a grid worker, who may link but not list staff, gets the party members of their grid', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountAs([{ role: 'grid_worker', place: G }])
    await settle()
    expect(w.find('h2').text()).toBe('团石村第1网格')
    expect(f.calls.some((c) => c.url.startsWith('/api/staff'))).toBe(false)
    expect(f.calls.some((c) => c.url.startsWith(`/api/party-links/members?place=${G}`))).toBe(true)
    expect(rowTexts(tableNamed(w, '团石村第1网格 的住户'))).toHaveLength(4)
    w.unmount()
  })
})
