import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { ElMessageBox } from 'element-plus'
import { useAuth } from '../auth/store.js'
import { fakeFetch, flush, mountConsole, nativeSelects } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import BoardsPage from './BoardsPage.vue'
import CriteriaPage from './CriteriaPage.vue'
import SettingsDialog from './SettingsDialog.vue'
import { thisMonth, weightedTotal } from './boardsApi.js'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  clearPlaceCache()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}
const stubs = {
  ...nativeSelects,
  ElDatePicker: { props: ['modelValue'], emits: ['update:modelValue'], inheritAttrs: false,
    template: '<input :aria-label="$attrs[\'aria-label\']" :value="modelValue" '
      + '@change="$emit(\'update:modelValue\', $event.target.value)">' },
}

const VILLAGE = '330825001201'
const MONTH = thisMonth()
const bd = (a, b) => [{ key: 'courtyard', name: '庭院卫生', weight: 50, max_score: 10, score: a },
  { key: 'sorting', name: '垃圾分类', weight: 50, max_score: 10, score: b }]
const row = (rank, household, head, a, b) => ({ rank, household, ref: `${VILLAGE}-000${rank}`, head_name: head,
  grid: `${VILLAGE}G01`, total: weightedTotal(bd(a, b), { courtyard: a, sorting: b }), breakdown: bd(a, b),
  inspections: 1, inspection: `i${rank}`, amended: false, at: '2026-12-05T02:00:00Z' })
const SETTINGS = { village: VILLAGE, red_count: 10, red_min: 80, black_count: 10, black_below: 60,
  black_names: 'masked', black_names_name: '户主姓名打码（张*三）并显示户编号', version: 0, default: true, updated_at: null }

function draft(published) {
  const ranking = [row(1, 'h1', '红大娘', 10, 9), row(2, 'h2', '中大叔', 7, 7), row(3, 'h3', '黑大伯', 2, 3)]
  return { village: VILLAGE, village_name: '张王村', month: MONTH, criteria: [], settings: SETTINGS, households: 3,
    average: 63.3, red: [ranking[0]], black: [ranking[2]], ranking,
    published: published ? { version: 1, published_at: '2026-12-07T03:00:00Z', published_by: '张村管', note: null } : null,
    changed: !published }
}

function api(state) {
  return fakeFetch([
    ['GET', '/api/places/', { body: { code: VILLAGE, name: '张王村', level: 'village', parent: '330825001' } }],
    ['GET', '/draft', () => ({ body: draft(state.published) })],
    ['POST', '/publish', (url, init) => {
      state.published = true
      state.publish = { url, body: JSON.parse(init.body), key: init.headers['Idempotency-Key'] }
      return { body: { version: 1 } }
    }],
    ['GET', '/appeals', { body: { items: [{ inspection: 'i3', household: 'h3', ref: `${VILLAGE}-0003`,
      head_name: '黑大伯', month: MONTH, total: 25, reason: '那天在办酒席', appealed_at: '2026-12-06T01:00:00Z' }],
    next_cursor: null } }],
    ['GET', '/history', { body: { household: {}, items: [{ id: 'i3', breakdown: bd(2, 3), photos: [], note: null }],
      next_cursor: null } }],
    ['POST', '/decision', (url, init) => {
      state.decision = { url, body: JSON.parse(init.body) }
      return { body: {} }
    }],
  ])
}

function mountAs(component, permissions) {
  const pinia = createPinia()
  useAuth(pinia).me = { tenant: '330825', grants: [], permissions }
  return mountConsole(component, { pinia, stubs })
}

const cells = (w) => w.findAll('.el-table__body tr').map((r) => r.findAll('td').map((d) => d.text()))

describe('BoardsPage', () => {
  it('shows the village’s draft of this month and publishes it after a confirm', async () => {
    const state = { published: false }
    const f = api(state)
    vi.stubGlobal('fetch', f)
    const confirm = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm')
    const w = mountAs(BoardsPage, { 'boards.approve': [VILLAGE] })
    await settle()
    expect(f.calls.some((c) => c.url.endsWith(`/boards/villages/${VILLAGE}/${MONTH}/draft`))).toBe(true)
    expect(w.find('[data-test=draft-summary]').text()).toContain('张王村')
    expect(w.find('[data-test=draft-households]').text()).toBe('3户')
    expect(w.find('[data-test=changed]').text()).toBe('草稿')
    expect(cells(w.find('[data-test=table-red]'))[0].slice(0, 4)).toEqual(['1', `${VILLAGE}-0001`, '红大娘', '95.0'])
    expect(cells(w.find('[data-test=table-red]'))[0][4]).toBe('庭院卫生 10/10 · 垃圾分类 9/10')

    await w.find('input[data-test=publish-note]').setValue('12月卫生大检查')
    await w.find('[data-test=publish]').trigger('click')
    await settle()
    expect(confirm).toHaveBeenCalledOnce()
    expect(confirm.mock.calls[0][0]).toContain('红榜1户，黑榜1户')
    expect(state.publish.url).toContain(`/boards/villages/${VILLAGE}/${MONTH}/publish`)
    expect(state.publish.body).toEqual({ note: '12月卫生大检查' })
    expect(state.publish.key).toBeTruthy()
    expect(w.find('[data-test=published]').text()).toContain('第1版')
    expect(w.find('[data-test=up-to-date]').exists()).toBe(true)
    expect(w.find('[data-test=publish]').attributes('disabled')).toBeDefined()
  })

  it('publishes nothing when the confirm is cancelled', async () => {
    const state = { published: false }
    vi.stubGlobal('fetch', api(state))
    vi.spyOn(ElMessageBox, 'confirm').mockRejectedValue('cancel')
    const w = mountAs(BoardsPage, { 'boards.approve': [VILLAGE] })
    await settle()
    await w.find('[data-test=publish]').trigger('click')
    await settle()
    expect(state.publish).toBeUndefined()
  })

  it('amends an appealed score with new scores and a reply', async () => {
    const state = { published: true }
    vi.stubGlobal('fetch', api(state))
    const w = mountAs(BoardsPage, { 'boards.approve': [VILLAGE] })
    await settle()
    expect(cells(w.find('[data-test=appeals]'))[0]).toContain('那天在办酒席')
    await w.find('[data-test=decide-i3]').trigger('click')
    await settle()
    expect(document.querySelector('[data-test=decide-dialog]').textContent).toContain('原评分25.0分')
    const radio = [...document.querySelectorAll('.el-radio')].find((r) => r.textContent.includes('改分'))
    radio.querySelector('input').click()
    await settle()
    const input = document.querySelector('[data-test=amend-courtyard] input')
    input.value = '8'
    input.dispatchEvent(new Event('input'))
    input.dispatchEvent(new Event('change'))
    await settle()
    expect(document.querySelector('[data-test=amend-total]').textContent).toBe('55.0')
    const note = document.querySelector('textarea[data-test=decide-note]')
    note.value = '复核照片后更正'
    note.dispatchEvent(new Event('input'))
    await settle()
    document.querySelector('[data-test=decide-save]').click()
    await settle()
    expect(state.decision.url).toContain('/boards/inspections/i3/decision')
    expect(state.decision.body).toEqual({ outcome: 'amend', note: '复核照片后更正', scores: { courtyard: 8, sorting: 3 } })
  })
})

describe('CriteriaPage', () => {
  it('saves the criteria with the version read, only when the weights add up to 100', async () => {
    let put = null
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/boards/criteria', { body: { criteria: [
        { key: 'courtyard', name: '庭院卫生', weight: 50, max_score: 10 },
        { key: 'sorting', name: '垃圾分类', weight: 50, max_score: 10 }], version: 3, default: false,
      updated_at: '2026-12-01T02:00:00Z' } }],
      ['PUT', '/boards/criteria', (url, init) => {
        put = JSON.parse(init.body)
        return { body: { ...put, version: 4, default: false, updated_at: '2026-12-07T02:00:00Z' } }
      }],
    ]))
    const w = mountAs(CriteriaPage, { 'boards.configure': ['330825'] })
    await settle()
    expect(w.find('[data-test=weights-sum]').text()).toContain('100')
    await w.find('[data-test=criterion-add]').trigger('click')
    await settle()
    expect(w.find('[data-test=criteria-save]').attributes('disabled')).toBeDefined()
    expect(w.find('[data-test=criteria-problems]').text()).toContain('第3项名称须为2至20个字')
    await w.find('input[data-test=criterion-name-2]').setValue('门前三包')
    const weights = [['0', '40'], ['1', '40'], ['2', '20']]
    for (const [i, v] of weights) {
      const input = w.find(`[data-test=criterion-weight-${i}] input`)
      await input.setValue(v)
      await input.trigger('change')
    }
    await settle()
    expect(w.find('[data-test=criteria-problems]').exists()).toBe(false)
    await w.find('[data-test=criteria-save]').trigger('click')
    await settle()
    expect(put.version).toBe(3)
    expect(put.criteria.map((c) => [c.key, c.weight])).toEqual([['courtyard', 40], ['sorting', 40], ['item3', 20]])
    expect(w.find('[data-test=criteria-version]').text()).toContain('第4版')
  })
})

describe('SettingsDialog', () => {
  it('saves the village’s settings with the version read and says a conflict in words', async () => {
    const puts = []
    vi.stubGlobal('fetch', fakeFetch([
      ['PUT', `/boards/villages/${VILLAGE}/settings`, (url, init) => {
        puts.push(JSON.parse(init.body))
        return puts.length === 1
          ? { status: 409, body: { error: { code: 'version_conflict', message: '设置已被他人修改，请刷新后重试', details: null } } }
          : { body: { ...SETTINGS, ...JSON.parse(init.body), version: 1 } }
      }],
    ]))
    const pinia = createPinia()
    useAuth(pinia).me = { tenant: '330825', grants: [], permissions: { 'boards.approve': [VILLAGE] } }
    const w = mountConsole(SettingsDialog, { pinia, stubs, props: { open: true, settings: SETTINGS } })
    await settle()
    const label = [...document.querySelectorAll('[data-test=black-names] .el-radio')].find((r) => r.textContent.includes('只显示户编号'))
    label.querySelector('input').click()
    await settle()
    document.querySelector('[data-test=settings-save]').click()
    await settle()
    expect(puts[0]).toEqual({ red_count: 10, red_min: 80, black_count: 10, black_below: 60, black_names: 'number', version: 0 })
    expect(document.querySelector('.api-error').textContent).toContain('设置已被他人修改，请刷新后重试')
    expect(w.emitted('saved')).toBeUndefined()
    document.querySelector('[data-test=settings-save]').click()
    await settle()
    expect(w.emitted('saved')[0][0].black_names).toBe('number')
  })
})
