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

describe('ImportPage', () => {
  it('shows every rejected row with its number and reason, and says nothing was imported', async () => {
    const details = [
      { row: 3, field: 'parent', code: 'unknown_parent', message: '上级 330825001299 不存在' },
      { row: 5, field: 'code', code: 'invalid_code', message: '编码格式不正确' },
    ]
    vi.stubGlobal('fetch', fakeFetch([
      ['POST', '/api/imports/uploads', { status: 201, body: FORM }],
      ['POST', FORM.url, { status: 204, body: null }],
      ['POST', '/api/imports', { status: 422, body: { error: { code: 'import_rejected',
        message: '导入失败：共2行有误，未导入任何数据', details } } }],
    ]))
    const w = mountConsole(ImportPage)
    await choose(w)
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('导入失败：共2行有误，未导入任何数据')
    const rows = w.findAll('.import-errors__row')
    expect(rows.map((r) => r.findAll('td').map((td) => td.text()))).toEqual([
      ['3', '上级编码', '上级 330825001299 不存在'], ['5', '编码', '编码格式不正确']])
    w.unmount()
  })

  it('offers a retry when the network fails, and then succeeds', async () => {
    let n = 0
    vi.stubGlobal('fetch', fakeFetch([
      ['POST', '/api/imports/uploads', () => (++n === 1 ? new TypeError('offline') : { status: 201, body: FORM })],
      ['POST', FORM.url, { status: 204, body: null }],
      ['POST', '/api/imports', { status: 201, body: { kind: 'places', rows: 4, created: 4 } }],
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
    expect(w.text()).toContain('导入成功：共 4 行，新建 4 条')
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

  it('links a CSV template for each kind', async () => {
    const w = mountConsole(ImportPage)
    const a = w.find('a[download]')
    expect(a.attributes('download')).toBe('地点导入模板.csv')
    expect(decodeURIComponent(a.attributes('href'))).toContain('编码,名称,上级编码')
    w.unmount()
  })
})
