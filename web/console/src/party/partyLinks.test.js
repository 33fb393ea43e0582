import { describe, expect, it } from 'vitest'
import { ApiError } from '@shared/api.js'
import { byAddress, filterHouseholds, linkProblems, moving, owners, partyMembers, todayOf } from './partyLinks.js'

const staff = [
  { id: 'u1', name: '余党员', phone: '139****0013', status: 'active',
    grants: [{ role: 'party_member', role_name: '党员', place: '330825001201G01' }] },
  { id: 'u2', name: '毛格长', phone: '139****0008', status: 'active',
    grants: [{ role: 'grid_leader', role_name: '网格长', place: '330825001201G01' }] },
  { id: 'u3', name: '离任党员', phone: '139****0099', status: 'removed',
    grants: [{ role: 'party_member', role_name: '党员', place: '330825001201G02' }] },
]
const hh = (id, address, o = {}) => ({ id, address, head_name: `户主${id}`, grid: '330825001201G01', ...o })

describe('党员联户 helpers', () => {
  it('party members are the active staff with the party member role', () => {
    expect(partyMembers(staff)).toEqual([{ id: 'u1', name: '余党员', phone: '139****0013',
      grids: ['330825001201G01'] }])
  })
  it('who looks after each household, and which chosen ones would move', () => {
    const links = { u1: { member: 'u1', member_name: '余党员', items: [hh('h1', '张王村1号')] },
      u9: { member: 'u9', member_name: '', items: [hh('h2', '张王村2号')] } }
    const of = owners(links, [{ id: 'u9', name: '汪党员' }])
    expect(of).toEqual({ h1: { id: 'u1', name: '余党员' }, h2: { id: 'u9', name: '汪党员' } })
    expect(moving(['h1', 'h2', 'h3'], of, 'u1')).toEqual(['h2'])
    expect(todayOf({ items: [{ reported_today: true }, { reported_today: false }] })).toEqual({ linked: 2, reported: 1 })
  })
  it('names the households the API refused', () => {
    const err = new ApiError(422, { code: 'validation_failed', message: '提交的内容不符合要求', details: [
      { field: 'households.1', code: 'other_village', message: '该户不在该党员所在村' },
      { field: 'households', code: 'too_many', message: '每名党员最多联系 30 户' }] })
    const byId = { h1: hh('h1', '张王村1号'), h2: hh('h2', '团石村2号') }
    expect(linkProblems(err, ['h1', 'h2'], byId)).toEqual([
      { hid: 'h2', address: '团石村2号', head: '户主h2', message: '该户不在该党员所在村', code: 'other_village' },
      { hid: null, address: '', head: '', message: '每名党员最多联系 30 户', code: 'too_many' }])
    expect(linkProblems(new Error('x'), [], {})).toEqual([])
  })
  it('filters by name or address and by having no party member; sorts addresses naturally', () => {
    const list = [hh('h10', '张王村10号'), hh('h2', '张王村2号', { head_name: '王建国' }), hh('h1', '张王村1号')]
    expect(byAddress(list).map((h) => h.address)).toEqual(['张王村1号', '张王村2号', '张王村10号'])
    expect(filterHouseholds(list, { q: '建国' }).map((h) => h.id)).toEqual(['h2'])
    expect(filterHouseholds(list, { free: true, ownerOf: { h10: { id: 'u1' } } }).map((h) => h.id)).toEqual(['h2', 'h1'])
  })
})
