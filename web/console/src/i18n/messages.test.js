import { describe, expect, it } from 'vitest'
import en from './en.js'
import zhCN from './zh-CN.js'

function keys(o, prefix = '') {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('console messages', () => {
  it('English has every key Chinese has, and no other', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })
  it('placeholders match between the two languages', () => {
    const get = (o, k) => k.split('.').reduce((x, p) => x[p], o)
    for (const k of keys(zhCN)) {
      // (each name once: English plural forms, 'one | many', repeat them)
      const names = (s) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort()
      expect(names(get(en, k)), k).toEqual(names(get(zhCN, k)))
    }
  })
})
