import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import { COUNTY_ADMIN, VILLAGE_ADMIN } from '../common/meFixtures.js'
import WorkdaysPage from './WorkdaysPage.vue'

// Native inputs instead of Element Plus's pickers (their panels do not open in jsdom): type a year or a date.
const stubs = {
  ElDatePicker: { props: ['modelValue', 'disabled'], emits: ['update:modelValue'], inheritAttrs: false,
    template: '<input :id="$attrs.id" :aria-label="$attrs[\'aria-label\']" :value="modelValue" :disabled="disabled" '
      + '@change="$emit(\'update:modelValue\', $event.target.value)" />' },
}

const NATIONAL_2026 = [
  { date: '2026-01-01', kind: 'off', name: '元旦', source: 'national', note: null, default_kind: 'off' },
  { date: '2026-09-27', kind: 'work', name: '国庆节调休上班', source: 'national', note: null, default_kind: 'work' },
  { date: '2026-10-01', kind: 'off', name: '国庆节', source: 'national', note: null, default_kind: 'off' },
  { date: '2026-10-10', kind: 'work', name: '国庆节调休上班', source: 'national', note: null, default_kind: 'work' },
]
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })

/** The county's calendar as chalicelib/workdays/service.py answers; `refuse(body, date)` may answer a PUT first. */
function server({ refuse = () => null } = {}) {
  const county = {} // date → {kind, note}
  const year = (y) => {
    const national = Number(y) === 2026 ? NATIONAL_2026 : []
    const dates = [...new Set([...national.map((d) => d.date), ...Object.keys(county)
      .filter((d) => d.startsWith(`${y}-`))])].sort()
    const days = dates.map((date) => {
      const n = national.find((d) => d.date === date)
      const w = new Date(`${date}T00:00:00Z`).getUTCDay()
      const def = n ? n.default_kind : (w >= 1 && w <= 5 ? 'work' : 'off')
      const c = county[date]
      return c ? { date, kind: c.kind, name: `本县调整为${c.kind === 'off' ? '休息' : '上班'}`, source: 'county',
        note: c.note, default_kind: def } : n
    })
    return { year: Number(y), national_source: national.length ? '国办发明电〔2025〕7号' : null, days,
      updated_at: Object.keys(county).length ? '2026-06-15T02:30:00Z' : null }
  }
  return fakeFetch([
    ['GET', '/api/workdays/', (url) => ({ body: year(url.split('/').pop()) })],
    ['PUT', '/api/workdays/', (url, init) => {
      const body = JSON.parse(init.body)
      const date = decodeURIComponent(url.split('/').pop())
      const no = refuse(body, date)
      if (no) return no
      if (body.kind === null) delete county[date]
      else county[date] = { kind: body.kind, note: body.note || null }
      return { body: year(url.split('/').at(-2)) }
    }],
  ])
}

const settle = async () => {
  for (let i = 0; i < 30; i++) await flush()
}
const debounce = () => new Promise((r) => setTimeout(r, 150)) // Element Plus shows a form item's error after a while

function mountAs(me) {
  const pinia = createPinia()
  useAuth(pinia).me = me
  return mountConsole(WorkdaysPage, { pinia, stubs })
}
const rows = () => [...document.querySelectorAll('.workdays__table .el-table__body tr')]
  .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()))
const gets = (f) => f.calls.filter((c) => c.method === 'GET').map((c) => c.url)
const puts = (f) => f.calls.filter((c) => c.method === 'PUT').map((c) => [c.url, JSON.parse(c.init.body)])
const buttonIn = (root, text) => [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === text)
const dialog = () => document.querySelector('.workday-form').closest('.el-dialog')
async function type(root, label, text) {
  const el = root.querySelector(`[aria-label="${label}"]`)
  el.value = text
  el.dispatchEvent(new Event('input'))
  el.dispatchEvent(new Event('change'))
  await settle()
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-06-15T02:00:00Z'))
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('WorkdaysPage', () => {
  it('office staff read the year’s list: dates, weekdays, 休/班, names, 国家/本县; no changes', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountAs(VILLAGE_ADMIN)
    await settle()
    expect(gets(f)).toEqual(['/api/workdays/2026'])
    expect(w.text()).toContain('村民信箱来信 3 个工作日内答复，超时转交上级')
    expect(w.find('[data-test=national-source]').text()).toBe('2026 年国家安排依据：国办发明电〔2025〕7号')
    expect(w.find('[role=status]').text()).toBe('2026 年列出 4 天：休息 2 天，上班 2 天；其中本县调整 0 天')
    expect(rows()).toEqual([
      ['2026/01/01', '周四', '休', '元旦', '国家', '—'],
      ['2026/09/27', '周日', '班', '国庆节调休上班', '国家', '—'],
      ['2026/10/01', '周四', '休', '国庆节', '国家', '—'],
      ['2026/10/10', '周六', '班', '国庆节调休上班', '国家', '—'],
    ])
    expect(buttonIn(document, '+ 调整日期')).toBeUndefined()
    expect(buttonIn(document, '修改')).toBeUndefined()

    await type(document, '年份', '2027')
    expect(gets(f).at(-1)).toBe('/api/workdays/2027')
    expect(w.find('[data-test=national-source]').text())
      .toBe('2027 年的国家放假安排尚未录入：按周一至周五上班计算，另加本县的调整。')
    expect(rows()).toEqual([])
    expect(w.text()).toContain('这一年没有节假日或调休')
    w.unmount()
  })

  it('the county admin makes a day a day off (checked first), changes a national day, removes an entry', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    await (buttonIn(document, '+ 调整日期').click(), settle())
    const d = dialog()
    expect(d.querySelector('.el-dialog__title').textContent).toBe('调整日期')
    await (buttonIn(d, '保存').click(), settle())
    await debounce()
    expect(d.querySelector('.el-form-item__error').textContent.trim()).toBe('请选择日期')
    await type(d, '日期', '2027-01-04')
    await (buttonIn(d, '保存').click(), settle())
    await debounce()
    expect(d.querySelector('.el-form-item__error').textContent.trim()).toBe('请选择 2026 年内的日期')
    expect(puts(f)).toEqual([])

    await type(d, '日期', '2026-09-22')
    expect(d.querySelector('[data-test=day-before]').textContent.trim()).toBe('2026/09/22（周二）按国家安排为工作日。')
    await type(d, '备注', ' 本县防汛调休 ')
    await (buttonIn(d, '保存').click(), settle())
    expect(puts(f)).toEqual([['/api/workdays/2026/2026-09-22', { kind: 'off', note: '本县防汛调休' }]])
    expect(document.body.textContent).toContain('已保存：2026/09/22 为休息日')
    expect(rows()[1]).toEqual(['2026/09/22', '周二', '休', '本县调整为休息', '本县', '本县防汛调休', '修改删除本县调整'])
    expect(w.find('[role=status]').text()).toContain('其中本县调整 1 天')
    expect(w.find('[role=status]').text()).toContain('本县上次修改：2026/06/15 10:30')

    // A national 调休 Saturday made a day off: the dialog starts from the day as it is.
    await (document.querySelector('[aria-label="修改 2026/10/10"]').click(), settle())
    expect(dialog().querySelector('.el-dialog__title').textContent).toBe('修改日期')
    expect(dialog().querySelector('[aria-label="日期"]').disabled).toBe(true)
    expect(dialog().querySelector('[data-test=day-before]').textContent.trim())
      .toBe('2026/10/10（周六）按国家安排为工作日。')
    const off = [...dialog().querySelectorAll('input[type=radio]')].find((r) => r.value === 'off')
    off.checked = true
    off.dispatchEvent(new Event('change'))
    await settle()
    await (buttonIn(dialog(), '保存').click(), settle())
    expect(puts(f).at(-1)).toEqual(['/api/workdays/2026/2026-10-10', { kind: 'off', note: null }])
    expect(rows().find((r) => r[0] === '2026/10/10').slice(2, 5)).toEqual(['休', '本县调整为休息', '本县'])

    // Only the county's own entries can be removed; the national arrangement applies again.
    expect(document.querySelector('[aria-label="删除本县调整 2026/10/01"]')).toBeNull()
    await (document.querySelector('[aria-label="删除本县调整 2026/10/10"]').click(), settle())
    expect(document.querySelector('.el-message-box').textContent).toContain('删除本县对 2026/10/10 的调整？删除后该日恢复为工作日。')
    ;[...document.querySelectorAll('.el-message-box button')].find((b) => b.textContent.trim() === '删除本县调整').click()
    await settle()
    expect(puts(f).at(-1)).toEqual(['/api/workdays/2026/2026-10-10', { kind: null }])
    expect(rows().find((r) => r[0] === '2026/10/10').slice(2, 5)).toEqual(['班', '国庆节调休上班', '国家'])
    await (w.findAll('label.el-checkbox').find((l) => l.text() === '只看本县调整').find('input').setValue(true), settle())
    expect(rows().map((r) => r[0])).toEqual(['2026/09/22'])
    w.unmount()
  })

  it('the server’s 422 goes next to its field; a 409 reloads the year and says so', async () => {
    let conflict = false
    const f = server({ refuse: (body) => {
      if (body.note === '长长') {
        return refused(422, 'validation_failed', '提交的内容不符合要求',
          [{ field: 'note', code: 'string_too_long', message: '内容过长' }])
      }
      if (!conflict) {
        conflict = true
        return refused(409, 'version_conflict', '工作日历已被他人修改，请刷新后重试')
      }
      return null
    } })
    vi.stubGlobal('fetch', f)
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    await (buttonIn(document, '+ 调整日期').click(), settle())
    await type(dialog(), '日期', '2026-05-06')
    await type(dialog(), '备注', '长长')
    await (buttonIn(dialog(), '保存').click(), settle())
    await debounce()
    expect(dialog().querySelector('.el-form-item__error').textContent.trim()).toBe('内容过长')
    expect(dialog().querySelector('.api-error').textContent).toContain('提交的内容不符合要求')
    await type(dialog(), '备注', '')
    expect(dialog().querySelector('.el-form-item__error')?.textContent.trim() || '').toBe('')
    await (buttonIn(dialog(), '保存').click(), settle())
    expect(gets(f)).toEqual(['/api/workdays/2026', '/api/workdays/2026']) // reloaded
    expect(document.querySelector('.workdays__alert').textContent).toContain('其他人刚刚修改了工作日历，已重新加载')
    expect(rows().map((r) => r[0])).not.toContain('2026/05/06')
    w.unmount()
  })
})
