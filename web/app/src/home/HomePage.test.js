import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import HomePage from './HomePage.vue'
import { prefs } from '../settings/prefs.js'

const GRID = '330825101201G01'
const CATALOGUE = { items: [{ id: 'daily_report', name: '每日上报', built: true }, { id: 'snap', name: '随手拍', built: false }] }
const me = (grants, modules = ['daily_report', 'snap']) => ({ tenant: '330825', user_id: 'u1', name: '茶党员', county_name: '龙游县', grants, modules })

function server(who) {
  return fakeFetch((req) => {
    if (req.path === '/modules') return { body: CATALOGUE }
    if (req.path === '/me') return { body: who }
    if (req.path.startsWith('/inbox')) return { body: { items: [], next_cursor: null } }
    return { status: 404, body: {} }
  })
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

  it('shows 每日上报 to everyone in a county that uses it, and 我的联户 to party members', async () => {
    const party = me([{ role: 'party_member', place: GRID }])
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
    const staff = me([{ role: 'checkpoint_staff', place: '330825100201', place_name: '寺下村' }], ['scan_pass', 'tipoffs'])
    const serve = (who) =>
      fakeFetch((req) => {
        if (req.path === '/modules') return { body: catalogue }
        if (req.path === '/me') return { body: who }
        return { body: { items: [], next_cursor: null } }
      })
    serve(staff)
    const { wrapper } = await open(staff)
    expect(wrapper.find('[data-test="tile-scan_pass"]').text()).toBe('我的通行码')
    expect(wrapper.find('[data-test="tile-scan_pass"]').attributes('href')).toBe('/pass')
    expect(wrapper.find('[data-test="tile-tipoffs"]').text()).toBe('疫情举报')
    expect(wrapper.find('[data-test="tile-scan"]').attributes('href')).toBe('/pass/scan')
    wrapper.unmount()
    const villager = me([{ role: 'villager', place: GRID, household: 'h1' }], ['scan_pass'])
    serve(villager)
    const again = await open(villager)
    expect(again.wrapper.find('[data-test="tile-scan_pass"]').exists()).toBe(true)
    expect(again.wrapper.find('[data-test="tile-scan"]').exists()).toBe(false)
    expect(again.wrapper.find('[data-test="tile-tipoffs"]').exists()).toBe(false)
  })
})
