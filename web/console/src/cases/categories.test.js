import { describe, expect, it } from 'vitest'
import {
  blankCategory, checkCategory, checkList, finishCategory, move, serverProblems, slaDays, sortProblems, toBody,
  toEditable,
} from './categories.js'

// GET /cases/types → the 随手拍 categories as the server gives them (chalicelib/snaps/casetype.py defaults).
const ROAD = { code: 'road', name: '道路设施', name_en: 'Roads and facilities', sla_hours: 120,
  description: '道路破损、路灯不亮、护栏损坏', enabled: true, fields: [{ code: 'facility', name: '设施类型',
    datatype: 'singlevaluelist', required: true, description: '',
    values: [{ key: 'road', name: '道路' }, { key: 'streetlight', name: '路灯' }] }] }
const SANITATION = { code: 'sanitation', name: '环境卫生', name_en: 'Sanitation', sla_hours: 72,
  description: '垃圾堆放', enabled: true, fields: [] }
const TIP = { code: 'returnee', name: '返乡人员', name_en: 'Returnee', sla_hours: null, enabled: true, fields: [] }
const codes = (o) => Object.keys(o).sort()

describe('the list → the PUT body', () => {
  it('the server’s categories come back unchanged, in the order shown', () => {
    const list = [ROAD, SANITATION, TIP].map((c) => toEditable(c))
    expect(toBody(list)).toEqual({ categories: [ROAD, SANITATION, { ...TIP, description: '' }] })
    expect(toBody(move(list, 1, -1)).categories.map((c) => c.code)).toEqual(['sanitation', 'road', 'returnee'])
  })
  it('words are trimmed, SLA is a number or null, a field that is no list sends no options', () => {
    const c = toEditable({ code: ' livestock ', name: ' 家禽散养 ', sla_hours: '96', enabled: false, fields: [
      { code: 'animal', name: '什么牲畜', datatype: 'string', values: [{ key: 'x', name: 'y' }] }] }, false)
    expect(toBody([c]).categories[0]).toEqual({ code: 'livestock', name: '家禽散养', name_en: '', description: '',
      sla_hours: 96, enabled: false, fields: [{ code: 'animal', name: '什么牲畜', datatype: 'string',
        required: false, description: '', values: [] }] })
    c.sla_hours = ''
    expect(toBody([c]).categories[0].sla_hours).toBe(null)
  })
  it('the dialog finishes a category: empty option rows go, options without a key get a free opt<n>', () => {
    const c = blankCategory()
    Object.assign(c, { code: 'livestock', name: '家禽散养' })
    c.fields = [{ uid: 'f', saved: false, code: 'animal', name: '什么牲畜', datatype: 'singlevaluelist',
      required: true, description: '', values: [{ key: '', name: ' 鸡鸭 ' }, { key: 'opt1', name: '猪' },
        { key: '', name: '' }, { key: '', name: '牛' }] },
    { uid: 'g', saved: false, code: 'note', name: '补充', datatype: 'text', required: false, description: '',
      values: [{ key: 'a', name: 'b' }] }]
    const done = finishCategory(c)
    expect(done.fields[0].values.map((v) => [v.key, v.name])).toEqual([['opt2', '鸡鸭'], ['opt1', '猪'],
      ['opt3', '牛']])
    expect(done.fields[1].values).toEqual([])
    expect(c.fields[0].values).toHaveLength(4) // the draft itself is left alone
  })
})

describe('checks made before sending, with the server’s paths', () => {
  it('a code is lower-case letters, digits and _, starting with a letter, 2–30 long, and unique', () => {
    for (const code of ['livestock', 'a1', 'road_2', 'x'.repeat(30)]) {
      expect(checkCategory(toEditable({ code, name: '名' }))).toEqual({})
    }
    for (const code of ['', 'x', 'Bad', 'bad code', '1abc', '_ab', 'x'.repeat(31), '垃圾']) {
      expect(codes(checkCategory(toEditable({ code, name: '名' }))), code).toEqual(['code'])
    }
    const list = [ROAD, SANITATION, { ...SANITATION, name: '又一个' }].map((c) => toEditable(c))
    expect(checkList(list)).toEqual({ 'categories.2.code': { key: 'caseCategories.check.duplicateCode',
      params: {} } })
  })
  it('names, lengths and the SLA', () => {
    const c = toEditable({ code: 'ok', name: ' ', name_en: 'e'.repeat(61), description: '说'.repeat(201),
      sla_hours: 0 })
    expect(codes(checkCategory(c))).toEqual(['description', 'name', 'name_en', 'sla_hours'])
    expect(checkCategory(toEditable({ code: 'ok', name: '名'.repeat(21) })).name.params).toEqual({ n: 20 })
    for (const sla of [1, 24, 2160, null, '']) {
      expect(checkCategory(toEditable({ code: 'ok', name: '名', sla_hours: sla })), String(sla)).toEqual({})
    }
    for (const sla of [0, 2161, 1.5, -3]) {
      expect(codes(checkCategory(toEditable({ code: 'ok', name: '名', sla_hours: sla }))), String(sla))
        .toEqual(['sla_hours'])
    }
  })
  it('fields: codes, labels, options of a list (1 to 30, keys unique)', () => {
    const field = (o) => ({ code: 'animal', name: '牲畜', datatype: 'singlevaluelist', values: [{ key: 'a', name: 'A' }],
      ...o })
    const check = (...fields) => checkCategory(toEditable({ code: 'ok', name: '名', fields }))
    expect(check(field())).toEqual({})
    expect(codes(check(field({ values: [] })))).toEqual(['fields.0.values'])
    expect(codes(check(field({ datatype: 'multivaluelist', values: [] })))).toEqual(['fields.0.values'])
    expect(check(field({ datatype: 'number', values: [] }))).toEqual({})
    expect(codes(check(field(), field({ code: 'animal' })))).toEqual(['fields.1.code'])
    expect(codes(check(field({ code: 'K', name: '' })))).toEqual(['fields.0.code', 'fields.0.name'])
    expect(codes(check(field({ values: [{ key: 'a', name: 'A' }, { key: 'a', name: 'B' }, { key: 'B!', name: '' }] }))))
      .toEqual(['fields.0.values.1.key', 'fields.0.values.2.key', 'fields.0.values.2.name'])
    const many = Array.from({ length: 31 }, (_, i) => ({ key: `k${i}`, name: `选项${i}` }))
    expect(codes(check(field({ values: many })))).toEqual(['fields.0.values'])
    const eleven = Array.from({ length: 11 }, (_, i) => field({ code: `f${i}` }))
    expect(codes(check(...eleven))).toEqual(['fields'])
  })
  it('the list: 1 to 30 categories, at least one switched on', () => {
    expect(codes(checkList([]))).toEqual(['categories'])
    const off = [ROAD, SANITATION].map((c) => toEditable({ ...c, enabled: false }))
    expect(checkList(off)).toEqual({ categories: { key: 'caseCategories.check.noneEnabled', params: {} } })
    const many = Array.from({ length: 31 }, (_, i) => toEditable({ code: `c${i}`, name: `类${i}` }))
    expect(checkList(many).categories.key).toBe('caseCategories.check.count')
  })
})

describe('problems go to their category', () => {
  it('422 details are sorted by category (kept through reordering), the rest are general', () => {
    const list = [ROAD, SANITATION, TIP].map((c) => toEditable(c))
    const details = [
      { field: 'categories.2.fields.0.values', code: 'required', message: '选择题需要1到30个选项' },
      { field: 'categories.2.fields.0.values', code: 'duplicate', message: '选项重复' },
      { field: 'categories.0.name', code: 'string_too_long', message: '内容过长' },
      { field: 'categories', code: 'category_removed', message: '类别不能删除，只能停用：dispute' },
      { field: 'categories.7.code', code: 'invalid_code', message: '编码只能用小写字母、数字和下划线' },
    ]
    const got = sortProblems(serverProblems(details), list)
    expect(got.byUid[list[2].uid]).toEqual({ 'fields.0.values': { message: '选择题需要1到30个选项' } })
    expect(got.byUid[list[0].uid]).toEqual({ name: { message: '内容过长' } })
    expect(got.byUid[list[1].uid]).toBeUndefined()
    expect(got.general).toEqual([{ message: '类别不能删除，只能停用：dispute' },
      { message: '编码只能用小写字母、数字和下划线' }])
    expect(sortProblems({ 'categories.1': { message: 'x' } }, list).byUid[list[1].uid]).toEqual({ '': { message: 'x' } })
  })
})

describe('moving and days', () => {
  it('moves up and down within the list only', () => {
    expect(move([1, 2, 3], 0, 1)).toEqual([2, 1, 3])
    expect(move([1, 2, 3], 2, -1)).toEqual([1, 3, 2])
    const same = [1, 2]
    expect(move(same, 0, -1)).toBe(same)
    expect(move(same, 1, 1)).toBe(same)
  })
  it('hours as days', () => {
    expect([72, 24, 36, 20, 120, null, ''].map(slaDays)).toEqual([3, 1, 1.5, 0.8, 5, null, null])
  })
})
