import { describe, expect, it } from 'vitest'
import { length, newTipoff, tipoffBody, tipoffProblems } from './tipoffs.js'

describe('the tip-off form', () => {
  it('starts empty and asks for a category and a description', () => {
    const form = newTipoff()
    expect(tipoffBody(form)).toEqual({ category: null, description: '', anonymous: false })
    expect(tipoffProblems(tipoffBody(form))).toEqual({ category: 'tipoff.pickCategory', description: 'validate.required' })
    form.description = ' 聚 '
    expect(tipoffProblems(tipoffBody(form)).description).toBe('tipoff.descriptionShort')
  })

  it('trims, sends a location only when given, and counts characters as the server does', () => {
    const form = newTipoff()
    Object.assign(form, { category: 'gathering', description: '  有人聚餐  ', location: '   ', anonymous: true })
    expect(tipoffBody(form)).toEqual({ category: 'gathering', description: '有人聚餐', anonymous: true })
    form.location = ' 村口 '
    expect(tipoffBody(form).location).toBe('村口')
    expect(tipoffProblems(tipoffBody(form))).toEqual({})
    expect(length('𠀀聚')).toBe(2) // a character outside the BMP counts once
  })

  it('is filled again from a refused tip-off', () => {
    const form = newTipoff({ category: 'returnee', description: '邻居返乡', location: '3号', anonymous: true })
    expect(tipoffBody(form)).toEqual({ category: 'returnee', description: '邻居返乡', location: '3号', anonymous: true })
    expect(newTipoff({ category: 'nonsense' }).category).toBeNull()
  })
})
