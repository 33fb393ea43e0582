import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import ImportPage from './ImportPage.vue'

const FORM = { key: '330825/imports/places/abc.csv', url: 'http://127.0.0.1:9/bucket', max_bytes: 5242880,
  fields: { key: '330825/imports/places/abc.csv' } }

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function choose(w, name = 'places.csv') {
  const input = w.find('input[type=file]')
  const file = new File(['编码,名称\n'], name, { type: 'text/csv' })
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
}

async function settle() {
  for (let i = 0; i < 10; i++) await flush()
}

function preview(over = {}) {
  return { kind: 'households', key: FORM.key, rows: 3, plan: 'a'.repeat(40), can_commit: true, errors: [],
    warnings: [], counts: { rows: { new: 1, changed: 1, unchanged: 1, errors: 0 },
      households: { new: 1, changed: 1, unchanged: 0 } },
    items: [
      { row: 2, ref: 'R1', name: '甲', id_number: '330825********0011', action: 'changed',
        changes: [{ field: 'address', old: '一号', new: '一号东' }, { field: 'party_member', old: false, new: true }] },
      { row: 3, ref: 'R1', name: '乙', id_number: '330825********0022', action: 'unchanged', changes: [] },
      { row: 4, ref: 'R2', name: '丙', id_number: '330825********0033', action: 'new', changes: [] },
    ], ...over }
}

const UPLOADS = [['POST', '/api/imports/uploads', { status: 201, body: FORM }], ['POST', FORM.url, { status: 204, body: null }]]

describe('ImportPage', () => {
  it('previews a roster: counts, warnings, the rows to look at with their changes; then commits the plan', async () => {
    const f = fakeFetch([...UPLOADS,
      ['POST', '/api/imports/preview', { body: preview({ warnings: [
        { row: 1, field: '备注', code: 'unknown_column', message: '列名“备注”不是模板中的列，该列不会导入' }] }) }],
      ['POST', '/api/imports', { status: 201, body: { kind: 'households', rows: 3, created: 1, updated: 1, unchanged: 0,
        members: 1, members_updated: 1 } }]])
    vi.stubGlobal('fetch', f)
    const w = mountConsole(ImportPage)
    await w.findAll('.el-radio-button').at(1).trigger('click')
    await choose(w, 'hh.csv')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('[data-test="preview-counts"]').text()).toContain('新增 1')
    expect(w.find('[data-test="preview-counts"]').text()).toContain('更改 1')
    expect(w.find('[data-test="preview-counts"]').text()).toContain('按户：新增 1 户，更改 1 户，未变 0 户')
    expect(w.find('.import-warnings__row').text()).toContain('列名“备注”不是模板中的列')
    const rows = w.findAll('.preview-rows__row')
    expect(rows.map((r) => r.attributes('data-row'))).toEqual(['2', '4']) // the unchanged row is one click away
    expect(rows[0].text()).toContain('地址：一号 → 一号东')
    expect(rows[0].text()).toContain('是否党员：否 → 是')
    expect(f.calls.some((c) => c.url === '/api/imports')).toBe(false) // nothing imported by a preview
    await w.find('[data-test="commit"]').trigger('click')
    await settle()
    const commit = f.calls.find((c) => c.url === '/api/imports')
    expect(JSON.parse(commit.init.body)).toEqual({ kind: 'households', key: FORM.key, plan: 'a'.repeat(40) })
    expect(commit.init.headers['Idempotency-Key']).toBeTruthy()
    expect(w.text()).toContain('导入成功：共 3 行；新增 1 户、更新 1 户、未变 0 户；新增成员 1 名，更新成员 1 名')
    w.unmount()
  })

  it('shows every bad row with its number and reason, and cannot commit', async () => {
    const errors = [
      { row: 3, field: 'parent', code: 'unknown_parent', message: '上级 330825001299 不存在' },
      { row: 5, field: 'code', code: 'invalid_code', message: '编码格式不正确' },
    ]
    vi.stubGlobal('fetch', fakeFetch([...UPLOADS, ['POST', '/api/imports/preview', { body: preview({ kind: 'places',
      errors, can_commit: false, counts: { rows: { new: 1, changed: 0, unchanged: 0, errors: 2 } }, items: [] }) }]]))
    const w = mountConsole(ImportPage)
    await choose(w)
    await w.find('form').trigger('submit')
    await settle()
    const rows = w.findAll('.import-errors__row')
    expect(rows.map((r) => r.findAll('td').map((td) => td.text()))).toEqual([
      ['3', '上级编码', '上级 330825001299 不存在'], ['5', '编码', '编码格式不正确']])
    expect(w.find('[data-test="commit"]').attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('请先修改表格中有误的行')
    w.unmount()
  })

  it('offers a retry when the network fails, and then previews', async () => {
    let n = 0
    vi.stubGlobal('fetch', fakeFetch([
      ['POST', '/api/imports/uploads', () => (++n === 1 ? new TypeError('offline') : { status: 201, body: FORM })],
      ['POST', FORM.url, { status: 204, body: null }],
      ['POST', '/api/imports/preview', { body: preview() }],
    ]))
    const w = mountConsole(ImportPage)
    await choose(w)
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('网络连接失败')
    const retry = w.findAll('button').find((b) => b.text() === '重试')
    expect(retry).toBeTruthy()
    await retry.trigger('click')
    await settle()
    expect(w.find('[data-test="preview-counts"]').exists()).toBe(true)
    w.unmount()
  })

  it('asks for a new preview when the records changed since', async () => {
    let previews = 0
    vi.stubGlobal('fetch', fakeFetch([...UPLOADS,
      ['POST', '/api/imports/preview', () => { previews += 1; return { body: preview() } }],
      ['POST', '/api/imports', { status: 409, body: { error: { code: 'import_stale', message: '请重新预览' } } }]]))
    const w = mountConsole(ImportPage)
    await choose(w)
    await w.find('form').trigger('submit')
    await settle()
    await w.find('[data-test="commit"]').trigger('click')
    await settle()
    expect(w.text()).toContain('预览之后数据有变化')
    await w.findAll('button').find((b) => b.text() === '重新预览' && b.element.closest('.el-alert')).trigger('click')
    await settle()
    expect(previews).toBe(2)
    w.unmount()
  })

  it('refuses a file that is not .xlsx or .csv before uploading', async () => {
    const f = fakeFetch([])
    vi.stubGlobal('fetch', f)
    const w = mountConsole(ImportPage)
    await choose(w, 'list.pdf')
    await w.find('form').trigger('submit')
    await settle()
    await new Promise((r) => setTimeout(r, 150)) // Element Plus shows a form item's error after a short debounce
    expect(w.text()).toContain('只支持 .xlsx 或 .csv 文件')
    expect(f.calls).toHaveLength(0)
    w.unmount()
  })

  it('links a CSV template for each kind, with a sample row', async () => {
    const w = mountConsole(ImportPage)
    const a = w.find('a[download]')
    expect(a.attributes('download')).toBe('地点导入模板.csv')
    const csv = decodeURIComponent(a.attributes('href'))
    expect(csv).toContain('编码（')
    expect(csv).toContain('\r\n示例：')
    w.unmount()
  })
})
