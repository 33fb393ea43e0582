import { describe, expect, it } from 'vitest'
import { blankMember, cleanMember, errorsUnder, householdProblems, idNumberProblem } from './validate.js'

describe('ID-card numbers (GB 11643)', () => {
  it('accepts valid numbers, X check digit included', () => {
    expect(idNumberProblem('330825199001019992')).toBeNull()
    expect(idNumberProblem('11010519491231002X')).toBeNull()
  })
  it('names the problem like the server does', () => {
    expect(idNumberProblem('33082519900101999')).toBe('validate.idFormat')
    expect(idNumberProblem('330825199013019992')).toBe('validate.idDate')
    expect(idNumberProblem('330825199001019993')).toBe('validate.idCheck')
  })
})

describe('household form', () => {
  it('cleans members as the API takes them', () => {
    const m = { ...blankMember('户主'), name: ' 张三 ', id_number: '11010519491231002x', phone: '138 0000 0000', from_place: 'x' }
    expect(cleanMember(m)).toEqual({
      name: '张三', relation: '户主', id_number: '11010519491231002X', phone: '13800000000',
      party_member: false, outside_person: false,
    })
  })
  it('reports problems under the keys the server uses', () => {
    const problems = householdProblems({
      address: '',
      members: [cleanMember({ ...blankMember('户主'), name: '甲', id_number: '330825199001019992' }),
        cleanMember({ ...blankMember(), name: '', id_number: '123', phone: '123' })],
    })
    expect(problems).toEqual({
      address: 'validate.required',
      'members.1.name': 'validate.required',
      'members.1.id_number': 'validate.idFormat',
      'members.1.phone': 'validate.phone',
    })
    expect(errorsUnder(problems, 'members.1.')).toEqual({
      name: 'validate.required', id_number: 'validate.idFormat', phone: 'validate.phone',
    })
  })
})
