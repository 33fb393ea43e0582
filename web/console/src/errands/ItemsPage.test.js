import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, mountConsole, nativeSelects } from '../common/testing.js'
import { COUNTY_ADMIN } from '../common/meFixtures.js'
import ItemsPage from './ItemsPage.vue'

// The catalogue as the server keeps it (full items), answered as GET /errands/items?all=true summaries.
const ITEMS = [
  { id: 'a00000000001', code: 'LY-WJ-001', name: '生育登记', department: '县卫生健康局', summary: '', conditions: '',
    materials: [{ name: '夫妻双方身份证', note: '原件拍照', original_required: true, sample_url: null }],
    fields: [{ key: 'f1', label: '孩子出生日期', type: 'date', required: true, choices: [] }], fee: '不收费',
    time_limit_days: 20, promised_days: 5, delivery: ['pickup', 'courier'], keywords: ['准生证'], initials: 'sydj',
    enabled: true, updated_at: '2026-12-07T08:00:00Z', version: 3 },
  { id: 'a00000000002', code: null, name: '老年优待证办理', department: '县民政局', summary: '', conditions: '',
    materials: [], fields: [], fee: '', time_limit_days: 10, promised_days: 0, delivery: ['pickup'], keywords: [],
    initials: 'lnydzbl', enabled: true, updated_at: '2026-12-07T08:00:00Z', version: 1 },
  { id: 'a00000000003', code: null, name: '残疾人证换领', department: '县残联', summary: '', conditions: '',
    materials: [], fields: [], fee: '', time_limit_days: null, promised_days: null, delivery: ['courier'], keywords: [],
    initials: 'cjrzhl', enabled: false, updated_at: '2026-12-07T08:00:00Z', version: 2 },
]
const SUMMARY = ['id', 'code', 'name', 'department', 'initials', 'keywords', 'delivery', 'fee', 'time_limit_days',
  'promised_days', 'enabled']
const summary = (i) => Object.fromEntries(SUMMARY.map((k) => [k, i[k]]))
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })

/** A server keeping the catalogue; `answers` (functions of the body) answer the next writes in turn. */
function server(answers = []) {
  let items = JSON.parse(JSON.stringify(ITEMS))
  const f = fakeFetch([
    ['GET', '/api/errands/items?all=true', () => ({ body: { version: 7, items: items.map(summary) } })],
    ['GET', '/api/errands/items/', (url) => ({ body: items.find((i) => url.endsWith(i.id)) })],
    ['PUT', '/api/errands/items/', (url, init) => {
      const body = JSON.parse(init.body)
      const out = answers.shift()?.(body)
      if (out) return out
      const old = items.find((i) => url.endsWith(i.id))
      if (body.version !== old.version) return refused(409, 'version_conflict', '事项已被修改')
      const saved = { ...old, ...body, version: old.version + 1 }
      items = items.map((i) => (i.id === old.id ? saved : i))
      return { body: saved }
    }],
    ['POST', '/api/errands/items', (url, init) => {
      const body = JSON.parse(init.body)
      const out = answers.shift()?.(body)
      if (out) return out
      const saved = { ...body, id: 'a0000000000a', initials: 'x', updated_at: '2026-12-07T09:00:00Z', version: 1 }
      items = [...items, saved]
      return { status: 201, body: saved }
    }],
  ])
  f.bump = (id) => {
    items = items.map((i) => (i.id === id ? { ...i, version: i.version + 1 } : i))
  }
  return f
}

async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}
const debounce = () => vi.advanceTimersByTimeAsync(200)
function mountPage() {
  const pinia = createPinia()
  useAuth(pinia).me = COUNTY_ADMIN
  return mountConsole(ItemsPage, { pinia, stubs: nativeSelects })
}
const rows = () => [...document.querySelectorAll('.errand-items .el-table__body tr')]
const cells = (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())
const byLabel = (root, label) => root.querySelector(`[aria-label="${label}"]`)
const buttonIn = (root, text) => [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === text)
const drawer = () => [...document.querySelectorAll('.errand-drawer')].find((d) => d.closest('.el-overlay')?.style.display !== 'none')
const writes = (f) => f.calls.filter((c) => c.method !== 'GET')
async function type(root, label, text) {
  const el = byLabel(root, label)
  el.value = text
  el.dispatchEvent(new Event('input'))
  el.dispatchEvent(new Event('change'))
  await settle()
}
async function click(el) {
  el.click()
  await settle()
}
/** An Element Plus checkbox (its <label>) by its aria-label or its text. */
const checkbox = (root, name) => [...root.querySelectorAll('label.el-checkbox')]
  .find((l) => l.getAttribute('aria-label') === name || l.textContent.trim() === name)
const errors = (root) => [...root.querySelectorAll('.el-form-item__error, .errand-form__error')].map((e) => e.textContent.trim())
const messages = () => [...document.querySelectorAll('.el-message')].map((m) => m.textContent.trim())

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('事项目录', () => {
  it('lists every item, switched-off ones too: name, department, promised time, delivery, status; searches', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountPage()
    await settle()
    expect(f.calls[0].url).toBe('/api/errands/items?all=true')
    expect(rows().map((r) => cells(r).slice(0, 5))).toEqual([
      ['生育登记LY-WJ-001', '县卫生健康局', '5 个工作日', '网点自取、快递送达', '启用'],
      ['老年优待证办理', '县民政局', '即办', '网点自取', '启用'],
      ['残疾人证换领', '县残联', '—', '快递送达', '停用'],
    ])
    expect(w.text()).toContain('共 3 项，其中停用 1 项')
    await type(document, '搜索事项名称、部门、编码、关键词', '准生')
    expect(rows().map((r) => cells(r)[0])).toEqual(['生育登记LY-WJ-001'])
    await type(document, '搜索事项名称、部门、编码、关键词', 'cjr')
    expect(rows().map((r) => cells(r)[0])).toEqual(['残疾人证换领'])
    w.unmount()
  })

  it('switches an item off with its whole definition and the version read; a 409 says 已被他人修改，请刷新', async () => {
    const f = server([null, () => refused(409, 'version_conflict', '事项已被修改')])
    vi.stubGlobal('fetch', f)
    const w = mountPage()
    await settle()
    await click(byLabel(document, '启用 老年优待证办理'))
    expect(writes(f)).toHaveLength(1)
    expect(writes(f)[0].url).toBe('/api/errands/items/a00000000002')
    const expected = { ...ITEMS[1], enabled: false }
    for (const k of ['id', 'initials', 'updated_at']) delete expected[k] // the server's own
    expect(JSON.parse(writes(f)[0].init.body)).toEqual(expected)
    expect(cells(rows()[1])[4]).toBe('停用')
    expect(messages().join()).toContain('已停用：老年优待证办理')

    const lists = () => f.calls.filter((c) => c.url.endsWith('?all=true')).length
    expect(lists()).toBe(1)
    await click(byLabel(document, '启用 生育登记'))
    expect(writes(f)).toHaveLength(2)
    expect(messages().join()).toContain('已被他人修改，请刷新')
    expect(lists()).toBe(2) // read again
    expect(cells(rows()[0])[4]).toBe('启用')
    w.unmount()
  })

  it('adds an item: checks it first (name, department, delivery, options), then POSTs it with an Idempotency-Key',
    async () => {
      const f = server()
      vi.stubGlobal('fetch', f)
      const w = mountPage()
      await settle()
      await click(document.querySelector('[data-test=add-item]'))
      const d = drawer()
      expect(d.textContent).toContain('新增事项')
      await type(d, '事项名称', '高')
      await click(checkbox(d, '快递送达'))
      await click(checkbox(d, '网点自取'))
      await click(d.querySelector('[data-test=add-material]'))
      await click(d.querySelector('[data-test=add-field]'))
      await type(d, '第 1 个字段 字段名称', '领取方式')
      const select = d.querySelector('select[aria-label="第 1 个字段 类型"]')
      select.value = 'choice'
      select.dispatchEvent(new Event('change'))
      await settle()
      await type(d, '第 1 个字段的第 1 个选项', '本人')
      await type(d, '承诺时限', '30')
      await type(d, '法定时限', '20')
      await click(d.querySelector('[data-test=save-item]'))
      await debounce()
      expect(errors(d)).toEqual(['请填写事项名称（2–60 个字）', '请填写实施部门（2–40 个字）', '请填写材料名称',
        '选项题至少需要两个选项，且选项不能为空', '承诺时限不能长于法定时限', '请至少选择一种送达方式'])
      expect(writes(f)).toHaveLength(0)

      await type(d, '事项名称', '高龄津贴申领')
      await type(d, '实施部门', '县民政局')
      await type(d, '第 1 项材料 材料名称', '身份证')
      await click(checkbox(d, '第 1 项材料 须验原件'))
      await type(d, '第 1 个字段的第 2 个选项', '代领')
      await type(d, '承诺时限', '10')
      await click(checkbox(d, '快递送达'))
      await type(d, '关键词', '老人补贴，津贴')
      byLabel(d, '关键词').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }))
      await settle()
      await debounce()
      expect(errors(d)).toEqual([])
      await click(d.querySelector('[data-test=save-item]'))
      expect(writes(f)).toHaveLength(1)
      const post = writes(f)[0]
      expect(post.method).toBe('POST')
      expect(post.init.headers['Idempotency-Key']).toMatch(/\S{8,}/)
      expect(JSON.parse(post.init.body)).toEqual({
        code: null, name: '高龄津贴申领', department: '县民政局', summary: '', conditions: '',
        materials: [{ name: '身份证', note: '', original_required: true, sample_url: null }],
        fields: [{ key: 'f1', label: '领取方式', type: 'choice', required: false, choices: ['本人', '代领'] }],
        fee: '', time_limit_days: 20, promised_days: 10, delivery: ['courier'], keywords: ['老人补贴', '津贴'],
        enabled: true,
      })
      await settle()
      expect(drawer()).toBeFalsy()
      expect(rows().map((r) => cells(r)[0])).toContain('高龄津贴申领')
      w.unmount()
    })

  it('edits an item read afresh; the server’s 422 goes next to its input; a 409 offers 刷新', async () => {
    const f = server([() => refused(422, 'validation_failed', '提交的内容不符合要求', [
      { field: 'materials.0.name', code: 'string_too_long', message: '最多 60 个字' },
      { field: '', code: 'value_error', message: '表单字段的 key 应依次为 f1、f2、…' },
    ])])
    vi.stubGlobal('fetch', f)
    const w = mountPage()
    await settle()
    await click(byLabel(document, '编辑 生育登记'))
    const d = drawer()
    expect(d.textContent).toContain('编辑事项：生育登记')
    expect(byLabel(d, '事项名称').value).toBe('生育登记')
    expect(checkbox(d, '第 1 项材料 须验原件').querySelector('input').checked).toBe(true)
    expect(d.querySelector('select[aria-label="第 1 个字段 类型"]').value).toBe('date')
    await type(d, '承诺时限', '3')
    await click(d.querySelector('[data-test=save-item]'))
    await debounce()
    expect(errors(d)).toEqual(['最多 60 个字'])
    expect(d.querySelector('.api-error').textContent).toContain('表单字段的 key 应依次为 f1、f2、…')
    expect(d.querySelector('.api-error').textContent).not.toContain('最多 60 个字')

    f.bump('a00000000001') // someone else saved meanwhile
    await click(d.querySelector('[data-test=save-item]'))
    const put = writes(f)[1]
    expect(JSON.parse(put.init.body)).toMatchObject({ promised_days: 3, version: 3 })
    expect(d.querySelector('[role=alert]').textContent).toContain('已被他人修改，请刷新')
    await click(d.querySelector('[data-test=refresh]'))
    expect(byLabel(d, '承诺时限').value).toBe('5') // the item as it is now
    await type(d, '承诺时限', '3')
    await click(d.querySelector('[data-test=save-item]'))
    expect(JSON.parse(writes(f)[2].init.body)).toMatchObject({ promised_days: 3, version: 4 })
    await settle()
    expect(drawer()).toBeFalsy()
    expect(cells(rows()[0])[2]).toBe('3 个工作日')
    w.unmount()
  })
})
