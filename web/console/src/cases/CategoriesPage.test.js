import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, mountConsole, nativeSelects } from '../common/testing.js'
import { COUNTY_ADMIN } from '../common/meFixtures.js'
import { setLocale } from '../i18n/index.js'
import CategoriesPage from './CategoriesPage.vue'

// GET /cases/types as the server answers it (the parts this page reads).
const SNAP_CATEGORIES = [
  { code: 'sanitation', name: '环境卫生', name_en: 'Sanitation', sla_hours: 72, description: '垃圾堆放、污水',
    enabled: true, fields: [] },
  { code: 'road', name: '道路设施', name_en: 'Roads and facilities', sla_hours: 120, description: '道路破损、路灯不亮',
    enabled: true, fields: [{ code: 'facility', name: '设施类型', datatype: 'singlevaluelist', required: true,
      description: '', values: [{ key: 'road', name: '道路' }, { key: 'streetlight', name: '路灯' }] }] },
  { code: 'dispute', name: '邻里纠纷', name_en: 'Neighbour dispute', sla_hours: 36, description: '', enabled: true,
    fields: [] },
]
const TYPES = [
  { id: 'tipoff', module: 'tipoffs', name: '疫情举报', name_en: 'Epidemic tip-off', categories: [
    { code: 'returnee', name: '返乡人员', name_en: 'Returnee', sla_hours: null, description: '', enabled: true,
      fields: [] }] },
  { id: 'snap', module: 'snaps', name: '随手拍', name_en: 'Snap-and-report', categories: SNAP_CATEGORIES },
]
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })

/** The county's types; PUT answers with `answers` in turn (a function of the body: the server's own answer). */
function server(answers = []) {
  let types = JSON.parse(JSON.stringify(TYPES))
  const f = fakeFetch([
    ['GET', '/api/cases/types', () => ({ body: { items: types } })],
    ['PUT', '/api/cases/types/', (url, init) => {
      const body = JSON.parse(init.body)
      const next = answers.shift()
      const out = next ? next(body) : null
      if (out) return out
      const type = decodeURIComponent(url.split('/').at(-2))
      types = types.map((x) => (x.id === type ? { ...x, categories: body.categories } : x))
      return { body: { type, categories: body.categories } }
    }],
  ])
  f.change = (fn) => {
    types = fn(types)
  }
  return f
}

async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}
const debounce = () => vi.advanceTimersByTimeAsync(200) // Element Plus shows a form item's error after a debounce

function mountAs(me) {
  const pinia = createPinia()
  useAuth(pinia).me = me
  return mountConsole(CategoriesPage, { pinia, stubs: nativeSelects })
}
const rows = () => [...document.querySelectorAll('.categories__table .el-table__body tr')]
const cells = (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())
const puts = (f) => f.calls.filter((c) => c.method === 'PUT')
const byLabel = (root, label) => root.querySelector(`[aria-label="${label}"]`)
const buttonIn = (root, text) => [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === text)
const dialog = () => [...document.querySelectorAll('.category-dialog')].find((d) => d.querySelector('.category-form')
  && d.closest('.el-overlay')?.style.display !== 'none')
async function type(root, label, text) {
  const el = byLabel(root, label)
  el.value = text
  el.dispatchEvent(new Event('input'))
  el.dispatchEvent(new Event('change'))
  await settle()
}
async function choose(root, label, value) {
  const select = root.querySelector(`select[aria-label="${label}"]`)
  select.value = value
  select.dispatchEvent(new Event('change'))
  await settle()
}
async function click(el) {
  el.click()
  await settle()
}
const errors = (root) => [...root.querySelectorAll('.el-form-item__error, .category-form__error')]
  .map((e) => e.textContent.trim())

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('CategoriesPage', () => {
  it('shows a type’s categories in order: names, SLA in hours and days, on/off, extra fields', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    const typeSelect = document.querySelector('select[aria-label="事项类型"]')
    expect([...typeSelect.options].map((o) => o.text).filter(Boolean)).toEqual(['疫情举报', '随手拍'])
    expect(cells(rows()[0]).slice(0, 6)).toEqual(['1', '返乡人员returnee', 'Returnee',
      '不限时', '—', '0 项'])
    await choose(document, '事项类型', 'snap')
    expect(rows().map((r) => cells(r).slice(0, 6))).toEqual([
      ['1', '环境卫生sanitation', 'Sanitation', '72 小时（3 天）', '垃圾堆放、污水', '0 项'],
      ['2', '道路设施road', 'Roads and facilities', '120 小时（5 天）', '道路破损、路灯不亮', '1 项'],
      ['3', '邻里纠纷dispute', 'Neighbour dispute', '36 小时（1.5 天）', '—', '0 项'],
    ])
    expect(byLabel(document, '启用 道路设施').getAttribute('aria-checked')).toBe('true')
    expect(w.text()).toContain('所有修改均已保存')
    expect(w.text()).toContain('类别保存后不能删除，只能停用')
    expect([...document.querySelectorAll('button')].map((b) => b.textContent).join()).not.toContain('删除') // switched off
      // instead
    expect(buttonIn(document, '保存').disabled).toBe(true)
    setLocale('en')
    await settle()
    expect(rows().map((r) => cells(r).slice(3, 6))).toEqual([['72 h (3 days)', '垃圾堆放、污水', '0 fields'],
      ['120 h (5 days)', '道路破损、路灯不亮', '1 field'], ['36 h (1.5 days)', '—', '0 fields']])
    expect(byLabel(document, 'Switch on 道路设施')).toBeTruthy()
    setLocale('zh-CN')
    w.unmount()
  })

  it('adds a category with a single-choice field (checked before sending), switches one off, moves it; the PUT '
    + 'carries the whole list in order', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    await choose(document, '事项类型', 'snap')

    await click(buttonIn(document, '+ 新增类别'))
    let d = dialog()
    expect(d.textContent).toContain('新增类别')
    await type(d, '编码', 'Livestock')
    await type(d, '名称', '家禽散养')
    await type(d, '办理时限（小时）', '96')
    expect(d.querySelector('[data-test=sla-days]').textContent).toBe('约 4 天')
    await click(buttonIn(d, '+ 添加填写项'))
    await type(d, '填写项 1 编码', 'animal')
    await type(d, '填写项 1 标题', '什么牲畜')
    await choose(d, '填写项 1 类型', 'singlevaluelist')
    expect(d.querySelectorAll('.category-values__row')).toHaveLength(2) // two empty options to fill
    await click(buttonIn(d, '确定'))
    await debounce()
    expect(errors(d)).toEqual(['编码只能用小写字母、数字和下划线，以小写字母开头，2–30 位',
      '单选、多选需要 1 到 30 个选项'])
    expect(dialog()).toBeTruthy() // still open, nothing sent
    await type(d, '编码', 'sanitation')
    await type(d, '填写项 1 选项 1 名称', '鸡鸭')
    await type(d, '填写项 1 选项 2 名称', '猪')
    await type(d, '填写项 1 选项 2 编码', 'pig')
    await click(byLabel(d, '填写项 1 必填').closest('label'))
    await click(buttonIn(d, '确定'))
    await debounce()
    expect(errors(d)).toEqual(['类别编码重复'])
    await type(d, '编码', 'livestock')
    await click(buttonIn(d, '确定'))
    expect(dialog()).toBeFalsy()
    expect(puts(f)).toHaveLength(0)
    expect(cells(rows()[3]).slice(0, 6)).toEqual(['4', '家禽散养新增livestock', '—', '96 小时（4 天）', '—', '1 项'])
    expect(document.querySelector('[data-test=unsaved]').textContent.trim()).toBe('有未保存的修改')

    // 邻里纠纷 off; 家禽散养 up one; 道路设施 renamed, 48 hours.
    await click(byLabel(document, '启用 邻里纠纷'))
    await click(byLabel(document, '上移 家禽散养'))
    await click(byLabel(document, '编辑 道路设施'))
    d = dialog()
    expect(byLabel(d, '编码').disabled).toBe(true) // a saved category keeps its code
    expect(byLabel(d, '填写项 1 编码').disabled).toBe(true)
    expect(byLabel(d, '填写项 1 选项 2 编码').value).toBe('streetlight')
    await type(d, '名称', '道路与路灯')
    await type(d, '办理时限（小时）', '48')
    await click(buttonIn(d, '确定'))
    expect(rows().map((r) => cells(r)[1])).toEqual(['环境卫生sanitation', '道路与路灯road', '家禽散养新增livestock',
      '邻里纠纷dispute'])

    await click(buttonIn(document, '保存'))
    expect(puts(f)).toHaveLength(1)
    expect(puts(f)[0].url).toBe('/api/cases/types/snap/categories')
    expect(JSON.parse(puts(f)[0].init.body)).toEqual({ categories: [
      SNAP_CATEGORIES[0],
      { ...SNAP_CATEGORIES[1], name: '道路与路灯', sla_hours: 48 },
      { code: 'livestock', name: '家禽散养', name_en: '', description: '', sla_hours: 96, enabled: true, fields: [
        { code: 'animal', name: '什么牲畜', datatype: 'singlevaluelist', required: true, description: '',
          values: [{ key: 'opt1', name: '鸡鸭' }, { key: 'pig', name: '猪' }] }] },
      { ...SNAP_CATEGORIES[2], enabled: false },
    ] })
    expect(document.body.textContent).toContain('已保存事项类别')
    expect(w.text()).toContain('所有修改均已保存')
    expect(rows().map((r) => cells(r)[1])).toEqual(['环境卫生sanitation', '道路与路灯road', '家禽散养livestock',
      '邻里纠纷dispute']) // saved: no longer new
    expect(byLabel(document, '启用 邻里纠纷').getAttribute('aria-checked')).toBe('false')
    w.unmount()
  })

  it('the server’s 422 goes to its category and, in the dialog, to its input', async () => {
    const f = server([(body) => refused(422, 'validation_failed', '提交的内容不符合要求', [
      { field: 'categories.1.fields.0.values', code: 'duplicate', message: '选项重复' },
      { field: 'categories', code: 'category_removed', message: '类别不能删除，只能停用：other' },
    ]), null])
    vi.stubGlobal('fetch', f)
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    await choose(document, '事项类型', 'snap')
    await click(byLabel(document, '启用 环境卫生'))
    await click(buttonIn(document, '保存'))
    expect(puts(f)).toHaveLength(1)
    const road = rows()[1]
    expect(road.querySelector('.categories__problem').textContent).toBe('选项重复')
    expect(rows()[0].querySelector('.categories__problem')).toBeNull()
    const alert = document.querySelector('.api-error')
    expect(alert.textContent).toContain('提交的内容不符合要求')
    expect(alert.textContent).toContain('类别不能删除，只能停用：other')
    expect(alert.textContent).not.toContain('选项重复') // said with its category
    // Moved, the problem stays with its category.
    await click(byLabel(document, '上移 道路设施'))
    expect(rows()[0].querySelector('.categories__problem').textContent).toBe('选项重复')

    await click(byLabel(document, '编辑 道路设施'))
    const d = dialog()
    await debounce()
    expect(errors(d)).toEqual(['选项重复'])
    expect(d.querySelector('.category-values .category-form__error').textContent.trim()).toBe('选项重复')
    await type(d, '填写项 1 选项 2 名称', '路灯杆')
    expect(errors(d)).toEqual([]) // changed: the message goes
    await click(buttonIn(d, '确定'))
    expect(rows()[0].querySelector('.categories__problem')).toBeNull()
    await click(buttonIn(document, '保存'))
    expect(puts(f)).toHaveLength(2)
    expect(JSON.parse(puts(f)[1].init.body).categories.map((c) => [c.code, c.enabled])).toEqual([
      ['road', true], ['sanitation', false], ['dispute', true]])
    w.unmount()
  })

  it('checks the list before sending: at least one category switched on', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    await click(byLabel(document, '启用 返乡人员'))
    await click(buttonIn(document, '保存'))
    expect(puts(f)).toHaveLength(0)
    expect(document.querySelector('[role=alert]').textContent).toContain('至少启用一个类别')
    w.unmount()
  })

  it('409: someone else saved meanwhile — the list is reloaded and the admin told', async () => {
    const f = server([() => {
      f.change((types) => types.map((x) => (x.id === 'snap' ? { ...x, categories: [...x.categories,
        { code: 'noise', name: '噪音扰民', name_en: '', sla_hours: 48, description: '', enabled: true, fields: [] }] }
        : x)))
      return refused(409, 'version_conflict', '类别设置已被他人修改，请刷新后重试')
    }])
    vi.stubGlobal('fetch', f)
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    await choose(document, '事项类型', 'snap')
    await click(byLabel(document, '启用 邻里纠纷'))
    await click(buttonIn(document, '保存'))
    expect(f.calls.filter((c) => c.method === 'GET')).toHaveLength(2)
    expect(document.querySelector('.categories__alert').textContent)
      .toContain('其他人刚刚修改了这些类别，已重新加载最新内容')
    expect(document.querySelector('select[aria-label="事项类型"]').value).toBe('snap') // the same type
    expect(rows().map((r) => cells(r)[1])).toEqual(['环境卫生sanitation', '道路设施road', '邻里纠纷dispute',
      '噪音扰民noise'])
    expect(byLabel(document, '启用 邻里纠纷').getAttribute('aria-checked')).toBe('true') // the change is gone
    expect(w.text()).toContain('所有修改均已保存')
    w.unmount()
  })
})
