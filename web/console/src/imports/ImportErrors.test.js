import { describe, expect, it } from 'vitest'
import { mountConsole } from '../common/testing.js'
import ImportErrors from './ImportErrors.vue'

describe('ImportErrors', () => {
  it('renders every bad row with its row number, column and reason, in row order', () => {
    const errors = Array.from({ length: 150 }, (_, i) => ({
      row: 151 - i, field: i % 2 ? 'parent' : 'code', code: 'x', message: `原因${151 - i}` }))
    const w = mountConsole(ImportErrors, { props: { errors }, elementPlus: false })
    const rows = w.findAll('tbody tr')
    expect(rows).toHaveLength(150)
    expect(rows[0].findAll('td').map((td) => td.text())).toEqual(['2', '上级编码', '原因2'])
    expect(rows[149].find('td').text()).toBe('151')
    expect(w.text()).toContain('以下 150 处有误（共 150 行）')
    w.unmount()
  })

  it('counts rows, not problems, and names household columns in Chinese', () => {
    const errors = [
      { row: 3, field: 'id_number', code: 'invalid', message: '身份证号不正确' },
      { row: 3, field: 'relation', code: 'literal_error', message: '取值不在允许范围内' },
      { row: 7, field: 'grid', code: 'unknown_grid', message: '网格不存在' },
    ]
    const w = mountConsole(ImportErrors, { props: { errors }, elementPlus: false })
    expect(w.text()).toContain('以下 3 处有误（共 2 行）')
    expect(w.findAll('tbody tr').map((r) => r.findAll('td')[1].text())).toEqual(['身份证号', '与户主关系', '网格编码'])
    expect(w.findAll('tbody tr')[1].findAll('td')[2].text()).toBe('取值不在允许范围内（可填：户主、配偶、子女、父母、孙子女、兄弟姐妹、其他）')
    w.unmount()
  })
})
