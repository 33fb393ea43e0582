// 发布招募's form: Shanghai wall times from the pickers go out as ISO-8601 with +08:00, an edit shows the call's UTC
// times as Shanghai wall times, and the checks the server would answer with a 422 stop the form first.
import { describe, expect, it } from 'vitest'
import { bodyOf, checkCall, formOf, shanghaiLocal, withOffset } from './callForm.js'

const NOW = Date.parse('2026-12-07T02:00:00Z') // 10:00 in Shanghai
const good = () => ({ ...formOf(null, '330825001201'), title: '为村医招募驾驶员', description: '接送村医下乡巡诊',
  address: '村委会门口', starts_at: '2026-12-09T08:00:00', ends_at: '2026-12-09T12:00:00', slots: 10,
  skills: ['搬运', '驾驶'] })

describe('callForm', () => {
  it('sends the picked times with +08:00 and the skills in their usual order', () => {
    const body = bodyOf({ ...good(), title: '  为村医招募驾驶员 ', requirements: ' 有驾照 ' })
    expect(body).toEqual({ place: '330825001201', title: '为村医招募驾驶员', description: '接送村医下乡巡诊',
      address: '村委会门口', starts_at: '2026-12-09T08:00:00+08:00', ends_at: '2026-12-09T12:00:00+08:00', slots: 10,
      requirements: '有驾照', skills: ['驾驶', '搬运'] })
    expect(Date.parse(body.starts_at)).toBe(Date.parse('2026-12-09T00:00:00Z'))
    expect(withOffset('2026-12-31T23:30:00')).toBe('2026-12-31T23:30:00+08:00')
  })

  it('shows a call’s UTC times as Shanghai wall times when editing (across midnight too)', () => {
    expect(shanghaiLocal('2026-12-09T00:00:00Z')).toBe('2026-12-09T08:00:00')
    expect(shanghaiLocal('2026-12-31T17:00:00Z')).toBe('2027-01-01T01:00:00')
    const form = formOf({ place: 'p', title: 't', description: 'd', address: 'a', starts_at: '2026-12-09T00:00:00Z',
      ends_at: '2026-12-09T04:00:00Z', slots: 5, requirements: null, skills: ['驾驶'] })
    expect(form.starts_at).toBe('2026-12-09T08:00:00')
    expect(form.ends_at).toBe('2026-12-09T12:00:00')
    expect(bodyOf(form).starts_at).toBe('2026-12-09T08:00:00+08:00')
  })

  it('checks what the server would refuse', () => {
    expect(checkCall(good(), { now: NOW })).toEqual({})
    expect(checkCall({ ...good(), title: '招', description: '', address: '村', slots: 0, place: '' }, { now: NOW })).toEqual({
      place: 'volunteerConsole.v.placeRequired', title: 'volunteerConsole.v.titleLength',
      description: 'volunteerConsole.v.descriptionLength', address: 'volunteerConsole.v.addressLength',
      slots: 'volunteerConsole.v.slots' })
    expect(checkCall({ ...good(), ends_at: '2026-12-09T07:00:00' }, { now: NOW }).ends_at).toBe('volunteerConsole.v.beforeStart')
    // 09:30 Shanghai on the 7th is before now (10:00 there), though it is later than now's UTC wall time
    expect(checkCall({ ...good(), starts_at: '2026-12-07T08:00:00', ends_at: '2026-12-07T09:30:00' }, { now: NOW }).ends_at)
      .toBe('volunteerConsole.v.past')
    expect(checkCall({ ...good(), starts_at: '2027-04-01T08:00:00', ends_at: '2027-04-01T09:00:00' }, { now: NOW }).starts_at)
      .toBe('volunteerConsole.v.tooFar')
    expect(checkCall({ ...good(), slots: 3 }, { now: NOW, confirmed: 4 }).slots).toBe('volunteerConsole.v.belowConfirmed')
    expect(checkCall({ ...good(), starts_at: '' }, { now: NOW }).starts_at).toBe('volunteerConsole.v.timeRequired')
  })
})
