import { describe, expect, it } from 'vitest'
import {
  RELATIONS, TEMPLATE_COLUMNS, sampleRow, templateCsv, templateFilename, templateHref, toCsv,
} from './templates.js'

describe('CSV templates', () => {
  it('places: the three columns with what they accept, and a sample row the importer skips', () => {
    expect(templateCsv('places', '330825')).toBe(
      '\uFEFF编码（乡镇9位、行政村12位、网格为村编码+G+2位序号）,名称,上级编码（可不填）\r\n'
      + '示例：330825001201G01,第一网格,330825001201\r\n')
  })
  it('households: the ten columns the importer reads, with the allowed values in the header', () => {
    const [header, sample] = templateCsv('households', '330825').slice(1).trim().split('\r\n')
    expect(header.split(',')).toEqual(TEMPLATE_COLUMNS.households)
    expect(header).toContain('与户主关系（户主/配偶/子女/父母/孙子女/兄弟姐妹/其他）')
    expect(header).toContain('是否党员（是/否）')
    expect(sample.split(',')[0]).toMatch(/^示例/)
    expect(RELATIONS).toContain(sample.split(',')[4])
  })
  it("the sample's ID number is a valid one of the county", () => {
    const id = sampleRow('households', '330825')[5]
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    const sum = [...id.slice(0, 17)].reduce((s, c, i) => s + Number(c) * w[i], 0)
    expect('10X98765432'[sum % 11]).toBe(id[17])
    expect(id.startsWith('330825')).toBe(true)
  })
  it('errands: the twelve catalogue columns, and 生育登记 as the sample the importer skips', () => {
    expect(templateFilename('errands')).toBe('网上代办事项导入模板.csv')
    const csv = templateCsv('errands')
    const header = csv.slice(1).split('\r\n')[0].split(',')
    expect(header).toEqual(TEMPLATE_COLUMNS.errands)
    expect(header.map((h) => h.replace(/（.*）/, ''))).toEqual(['事项编码', '事项名称*', '实施部门*', '事项简介',
      '办理条件', '申请材料', '表单字段', '收费标准', '法定时限', '承诺时限', '送达方式', '关键词'])
    const sample = sampleRow('errands')
    expect(sample).toHaveLength(12)
    expect(sample[0]).toMatch(/^示例/)
    expect(sample[1]).toBe('生育登记')
    expect(sample[5]).toContain('（原件）：')
    expect(csv).toContain('"夫妻双方居民身份证（原件）：正反面拍照\n户口簿：') // a multi-line cell is quoted
  })
  it('is a downloadable data: URL', () => {
    expect(decodeURIComponent(templateHref('places').split(',').slice(1).join(','))).toBe(templateCsv('places'))
  })
  it('quotes cells with commas and quotes', () => {
    expect(toCsv([['a,b', 'say "hi"']])).toBe('\uFEFF"a,b","say ""hi"""\r\n')
  })
})
