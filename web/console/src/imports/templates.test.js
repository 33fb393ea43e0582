import { describe, expect, it } from 'vitest'
import { templateCsv, templateHref, toCsv } from './templates.js'

describe('CSV templates', () => {
  it('places: 编码,名称,上级编码 with a BOM for Excel', () => {
    expect(templateCsv('places')).toBe('\uFEFF编码,名称,上级编码\r\n')
  })
  it('households: the ten columns the importer reads', () => {
    expect(templateCsv('households')).toBe(
      '\uFEFF户编号,网格编码,地址,姓名,与户主关系,身份证号,手机号,是否党员,是否外来人员,来自\r\n')
  })
  it('is a downloadable data: URL', () => {
    expect(decodeURIComponent(templateHref('places').split(',').slice(1).join(','))).toBe(templateCsv('places'))
  })
  it('quotes cells with commas and quotes', () => {
    expect(toCsv([['a,b', 'say "hi"']])).toBe('\uFEFF"a,b","say ""hi"""\r\n')
  })
})
