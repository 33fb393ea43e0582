import { describe, expect, it } from 'vitest'
import { byDepartment, matches, normalise, search } from './search.js'

const ITEMS = [
  { id: 'a1', name: '生育登记', department: '县卫生健康局', initials: 'sydj', keywords: ['准生证', '二孩'] },
  { id: 'a2', name: '老年优待证办理', department: '县民政局', initials: 'lnydzbl', keywords: ['老年证'] },
  { id: 'a3', name: '残疾人证换领', department: '县残联', initials: 'cjrzhl', keywords: [] },
  { id: 'a4', name: '城乡居民医保参保登记', department: '县医疗保障局', initials: 'cxjmybcbdj', keywords: ['医保', 'Medical'] },
  { id: 'a5', name: '独生子女父母光荣证', department: '县卫生健康局', initials: 'dsznfmgrz' },
]
const ids = (q) => search(ITEMS, q).map((i) => i.id)

describe('the 网上代办 search', () => {
  it('finds by the pinyin initials, from the start or inside, any case, spaces ignored', () => {
    expect(ids('sydj')).toEqual(['a1'])
    expect(ids('SY')).toEqual(['a1'])
    expect(ids('  sydj ')).toEqual(['a1'])
    expect(ids('s y d j')).toEqual(['a1'])
    expect(ids('dj')).toEqual(['a1', 'a4']) // …登记 in two names
    expect(ids('hl')).toEqual(['a3']) // 换领, inside the initials
  })
  it('finds by the name and the department, as substrings', () => {
    expect(ids('生育')).toEqual(['a1'])
    expect(ids('登记')).toEqual(['a1', 'a4'])
    expect(ids('卫生健康')).toEqual(['a1', 'a5'])
    expect(ids('残联')).toEqual(['a3'])
  })
  it('finds by a keyword, as a substring, any case', () => {
    expect(ids('准生')).toEqual(['a1'])
    expect(ids('老年证')).toEqual(['a2'])
    expect(ids('medical')).toEqual(['a4'])
  })
  it('finds nothing for what no item says, and everything for an empty query', () => {
    expect(ids('xyzq')).toEqual([])
    expect(ids('护照')).toEqual([])
    expect(ids('')).toEqual(ITEMS.map((i) => i.id))
    expect(ids('   ')).toEqual(ITEMS.map((i) => i.id))
    expect(search(null, 'a')).toEqual([])
  })
  it('does not read letters with other characters as initials', () => {
    expect(matches(ITEMS[0], 'sy1')).toBe(false)
    expect(matches({ name: '某事项', department: '', initials: '' }, 'ms')).toBe(false) // no initials: no match
    expect(normalise('  AbC ')).toBe('abc')
  })
  it('groups by department, in the order the departments first appear', () => {
    expect(byDepartment(ITEMS).map((g) => [g.department, g.items.map((i) => i.id)])).toEqual([
      ['县卫生健康局', ['a1', 'a5']], ['县民政局', ['a2']], ['县残联', ['a3']], ['县医疗保障局', ['a4']],
    ])
    expect(byDepartment([])).toEqual([])
  })
})
