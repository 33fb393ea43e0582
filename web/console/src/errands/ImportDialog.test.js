import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, mountConsole } from '../common/testing.js'
import ImportDialog from './ImportDialog.vue'

const FORM = { url: 'http://s3.local/uploads', fields: { key: '330825/imports/errands/u1.xlsx', policy: 'p' },
  key: '330825/imports/errands/u1.xlsx', max_bytes: 5 * 1024 * 1024 }
const PREVIEW = {
  created: 1, updated: 1, unchanged: 0, dry_run: true,
  rows: [{ row: 2, action: 'new', name: '高龄津贴申领' }, { row: 3, action: 'changed', name: '生育登记' }],
  issues: [{ row: 3, field: '关键词', code: 'duplicate', message: '关键词“准生证”重复，已合并', level: 'warning' }],
}
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })

function server({ preview = () => ({ body: PREVIEW }), commit = () => ({ body: { ...PREVIEW, dry_run: false } }) } = {}) {
  return fakeFetch([
    ['POST', '/api/imports/uploads', { body: FORM }],
    ['POST', 'http://s3.local/uploads', { status: 204, body: null, text: '' }],
    ['POST', '/api/errands/import', (url, init) => (JSON.parse(init.body).dry_run ? preview() : commit())],
  ])
}
async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}
async function choose(w, name) {
  const input = document.querySelector('[data-test=import-file]')
  Object.defineProperty(input, 'files', { value: [new File(['x'], name)], configurable: true })
  input.dispatchEvent(new Event('change'))
  await settle()
}
const click = async (sel) => {
  document.querySelector(sel).click()
  await settle()
}
const apiCalls = (f) => f.calls.filter((c) => c.url.startsWith('/api/errands/import'))

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('导入事项目录', () => {
  it('uploads the sheet, previews every row (nothing written), then 确认导入 writes it', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountConsole(ImportDialog, { props: { modelValue: true } })
    await settle()
    const template = document.querySelector('[data-test=template]')
    expect(template.getAttribute('download')).toBe('网上代办事项导入模板.csv')
    expect(decodeURIComponent(template.getAttribute('href'))).toContain('事项名称*')
    await choose(w, '龙游县事项清单.xlsx')
    await click('[data-test=preview]')
    expect(f.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/imports/uploads', 'POST http://s3.local/uploads',
      'POST /api/errands/import'])
    expect(JSON.parse(f.calls[0].init.body)).toEqual({ kind: 'errands', filename: '龙游县事项清单.xlsx' })
    expect(f.calls[1].init.body.get('key')).toBe(FORM.key)
    expect(JSON.parse(apiCalls(f)[0].init.body)).toEqual({ key: FORM.key, dry_run: true })
    const counts = [...document.querySelectorAll('[data-test=import-counts] .el-tag')].map((t) => t.textContent.trim())
    expect(counts).toEqual(['新增 1', '更改 1', '未变 0', '有误 0'])
    const preview = document.querySelector('[data-test=import-preview]').textContent
    expect(preview).toContain('高龄津贴申领')
    expect(preview).toContain('关键词“准生证”重复，已合并')
    await click('[data-test=commit]')
    expect(apiCalls(f)).toHaveLength(2)
    expect(JSON.parse(apiCalls(f)[1].init.body)).toEqual({ key: FORM.key, dry_run: false })
    expect(apiCalls(f)[1].init.headers['Idempotency-Key']).toBeTruthy()
    expect(document.querySelector('[data-test=import-result]').textContent).toContain('导入成功：新增 1 项，更新 1 项，未变 0 项')
    expect(w.emitted('imported')).toHaveLength(1)
  })

  it('a sheet with errors shows them with their rows and cannot be imported; a refused commit says why', async () => {
    const bad = { ...PREVIEW, rows: [{ row: 2, action: 'error', name: '' }, PREVIEW.rows[1]],
      issues: [{ row: 2, field: '事项名称', code: 'required', message: '事项名称不能为空', level: 'error' }] }
    let f = server({ preview: () => ({ body: bad }) })
    vi.stubGlobal('fetch', f)
    let w = mountConsole(ImportDialog, { props: { modelValue: true } })
    await settle()
    await choose(w, 'list.xlsx')
    await click('[data-test=preview]')
    expect(document.querySelector('.import-errors__row').textContent).toContain('事项名称不能为空')
    expect(document.querySelector('.import-errors__row').dataset.row).toBe('2')
    expect(document.querySelector('[data-test=commit]').disabled).toBe(true)
    w.unmount()
    document.body.innerHTML = ''

    f = server({ commit: () => refused(422, 'import_rejected', '表格有误，未导入任何事项', bad) })
    vi.stubGlobal('fetch', f)
    w = mountConsole(ImportDialog, { props: { modelValue: true } })
    await settle()
    await choose(w, 'list.xlsx')
    await click('[data-test=preview]')
    await click('[data-test=commit]')
    expect(document.querySelector('[role=alert]').textContent).toContain('表格有误，未导入任何事项')
    expect(document.querySelector('.import-errors__row').textContent).toContain('事项名称不能为空')
    expect(w.emitted('imported')).toBeUndefined()
  })

  it('refuses other files before uploading', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = mountConsole(ImportDialog, { props: { modelValue: true } })
    await settle()
    await choose(w, 'list.pdf')
    await click('[data-test=preview]')
    await vi.advanceTimersByTimeAsync(200)
    expect(document.body.textContent).toContain('只支持 .xlsx 或 .csv 文件')
    expect(f.calls).toHaveLength(0)
  })
})
