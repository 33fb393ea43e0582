import { describe, expect, it } from 'vitest'
import { mountConsole } from '../common/testing.js'
import RoleSelect from './RoleSelect.vue'
import { COUNTY_ADMIN, TOWNSHIP, VILLAGE_ADMIN } from '../common/meFixtures.js'

// Render the options as a native select so that they can be read without opening Element Plus's popper.
const stubs = {
  ElSelect: { props: ['modelValue'], template: '<select :aria-label="$attrs[\'aria-label\']"><slot /></select>' },
  ElOption: { props: ['value', 'label'], template: '<option :value="value">{{ label }}</option>' },
}

function options(me, place) {
  const w = mountConsole(RoleSelect, { props: { me, place }, elementPlus: false, stubs })
  const out = w.findAll('option').map((o) => [o.attributes('value'), o.text()])
  w.unmount()
  return out
}

describe('RoleSelect', () => {
  it('a county admin at a village is offered the village roles, in Chinese', () => {
    expect(options(COUNTY_ADMIN, '330825001201')).toEqual([
      ['village_admin', '村情通管理员'], ['checkpoint_staff', '卡口值守人员']])
  })
  it('a village admin at a grid of its village gets the grid roles and party member', () => {
    const got = options(VILLAGE_ADMIN, '330825001201G01').map(([v]) => v)
    expect(got).toEqual(['grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor', 'party_member'])
  })
  it('a township official outside its township is offered nothing', () => {
    expect(options(TOWNSHIP, '330825002101')).toEqual([])
  })
  it('has an accessible name', () => {
    const w = mountConsole(RoleSelect, { props: { me: null, place: '330825' }, elementPlus: false, stubs })
    expect(w.find('select').attributes('aria-label')).toBe('角色')
    w.unmount()
  })
})
