// 红黑榜 (/boards): the village's published board — 红榜 and 黑榜 tabs, names as the server sends them, the month
// picker (this month and the eleven before it), and what is said when nothing is published.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import { GRID, VILLAGER_ME } from '../cases/test-data.js'
import BoardPage from './BoardPage.vue'
import { monthOf, myVillages, recentMonths, weightedTotal } from './boards.js'

const VILLAGE = GRID.slice(0, 12)
const ME = { ...VILLAGER_ME, modules: ['boards'] }
const row = (rank, ref, name, total) => ({
  rank, household: null, ref, name, total, inspections: 1, amended: false,
  breakdown: [{ key: 'courtyard', name: '庭院卫生', weight: 50, max_score: 10, score: Math.round(total / 10) }],
})
const BOARD = {
  village: VILLAGE, village_name: '溪前村', month: '2026-11', version: 2, published_at: '2026-12-01T02:00:00Z',
  published_by: '祝村管', note: '11月卫生大检查', criteria: [], households: 30, average: 71.5,
  red: [row(1, '330825100260-0003', '溪大伯', 96), row(2, '330825100260-0007', '溪阿婆', 90)],
  black: [row(30, '330825100260-0011', '张*丰', 42), row(29, '330825100260-0012', '李*', 55)],
  black_names: 'masked', full_names: false,
}

async function open(answer, me = ME) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const fetch = fakeFetch((req) => {
    if (req.path === '/me') return { body: me }
    const m = req.path.match(/^\/boards\/villages\/(\d+)\/([\w-]+)$/)
    if (m) return answer(m[1], m[2])
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
  const screen = await mountScreen(BoardPage, { path: '/boards', routes: [{ path: '/boards', name: 'boards' }] })
  for (let i = 0; i < 6; i++) await flushPromises()
  return { ...screen, fetch }
}

const boardCalls = (fetch) => fetch.requests().map((r) => r.path).filter((p) => p.startsWith('/boards/villages'))

enableAutoUnmount(afterEach)

describe('红黑榜', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('opens the newest board of my village: 红榜 first, 黑榜 with the names as the server masked them', async () => {
    const { wrapper, fetch } = await open(() => ({ body: BOARD }))
    expect(boardCalls(fetch)).toEqual([`/boards/villages/${VILLAGE}/latest`])
    expect(wrapper.find('[data-test="board-title"]').text()).toBe('溪前村 2026年11月')
    expect(wrapper.find('[data-test="board-summary"]').text()).toContain('11月卫生大检查')
    expect(wrapper.find('[data-test="board-summary"]').text()).toContain('共评分30户，平均71.5分')
    expect(wrapper.find('[data-test="board-summary"]').text()).toContain('2026/12/01 10:00') // Asia/Shanghai
    const names = () => wrapper.findAll('[data-test="row-name"]').map((n) => n.text())
    expect(names()).toEqual(['溪大伯', '溪阿婆'])
    const ranks = () => wrapper.findAll('[data-test="row-rank"]').map((n) => n.text())
    expect(ranks()).toEqual(['1', '2'])
    expect(wrapper.findAll('[data-test="row-total"]').map((n) => n.text())).toEqual(['96.0', '90.0'])
    expect(wrapper.find('[data-test="masked-hint"]').exists()).toBe(false)
    await wrapper.findAll('.van-tab')[1].trigger('click')
    await flushPromises()
    expect(names()).toEqual(['张*丰', '李*'])
    expect(ranks()).toEqual(['倒数第1', '倒数第2']) // 30 households: the 30th is the lowest
    expect(wrapper.find('[data-test="masked-hint"]').text()).toBe('按本村规定，黑榜姓名已打码')
    expect(wrapper.find('[data-test="rows-black"]').text()).toContain('户编号 330825100260-0011')
    expect(wrapper.find('[data-test="to-mine"]').exists()).toBe(true) // a household's phone
    expect(wrapper.find('[data-test="to-field"]').exists()).toBe(false)
  })

  it('shows the household number where the village shows no black-board names', async () => {
    const board = { ...BOARD, black_names: 'number', black: [{ ...BOARD.black[0], name: null }] }
    const { wrapper } = await open(() => ({ body: board }))
    await wrapper.findAll('.van-tab')[1].trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-test="row-name"]').text()).toBe('户编号 330825100260-0011')
    expect(wrapper.find('[data-test="masked-hint"]').text()).toBe('按本村规定，黑榜只显示户编号')
  })

  it('asks for another month from the picker, and says when that month is not published', async () => {
    const months = recentMonths(12)
    const { wrapper, fetch } = await open((v, m) => (m === 'latest' ? { body: BOARD }
      : apiError(404, 'not_found', '这个月的红黑榜还没有公布')))
    await wrapper.find('[data-test="month-open"]').trigger('click')
    await flushPromises()
    const options = [...document.querySelectorAll('.van-picker-column__item')].map((o) => o.textContent.trim())
    expect(options).toHaveLength(12)
    expect(options[0]).toBe(`${Number(months[0].slice(0, 4))}年${Number(months[0].slice(5))}月`)
    document.querySelectorAll('.van-picker-column__item')[0].click()
    await flushPromises()
    document.querySelector('.van-picker__confirm').click()
    for (let i = 0; i < 4; i++) await flushPromises()
    expect(boardCalls(fetch).at(-1)).toBe(`/boards/villages/${VILLAGE}/${months[0]}`)
    expect(wrapper.find('[data-test="board-none"]').text()).toBe('这个月的红黑榜还没有公布')
    expect(wrapper.findAll('[data-test="board-row"]')).toHaveLength(0)
  })

  it('says so when the village has published nothing yet', async () => {
    const { wrapper } = await open(() => apiError(404, 'not_found', '还没有公布'))
    expect(wrapper.find('[data-test="board-none"]').text()).toBe('本村还没有公布红黑榜')
    expect(wrapper.find('.error-block').exists()).toBe(false)
  })
})

describe('红黑榜 helpers', () => {
  it('finds my village from my household grant (a grid) or my staff places', () => {
    expect(myVillages(ME)).toEqual([VILLAGE])
    expect(myVillages({ grants: [], permissions: { 'boards.approve': ['330825001', '330825001201'] } })).toEqual(['330825001201'])
    expect(myVillages({ grants: [] })).toEqual([])
  })

  it('counts months in Asia/Shanghai and totals as the server does', () => {
    expect(monthOf(new Date('2026-11-30T16:30:00Z'))).toBe('2026-12') // 00:30 on 1 December in Shanghai
    expect(recentMonths(3, new Date('2026-01-15T00:00:00Z'))).toEqual(['2026-01', '2025-12', '2025-11'])
    const crit = [{ key: 'a', weight: 40, max_score: 10 }, { key: 'b', weight: 60, max_score: 7 }]
    expect(weightedTotal(crit, { a: 7, b: 5 })).toBe(70.9) // 28 + 42.857…
    expect(weightedTotal(crit, { a: 7 })).toBe(null)
  })
})
