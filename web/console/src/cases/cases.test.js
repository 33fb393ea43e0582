import { describe, expect, it } from 'vitest'
import {
  actionBody, assignAll, assignees, extraRows, inboxQuery, matchesStatus, missingInputs, readableTypes, slaKey,
  staffPlace, truncate,
} from './cases.js'

const q = (...args) => Object.fromEntries(inboxQuery(...args))

describe('the inbox query', () => {
  it('sends only what is chosen: status open by default, all = no status, a category only with a type', () => {
    expect(q({ place: '330825001201' })).toEqual({ place: '330825001201', limit: '20', status: 'open' })
    expect(q({ place: '330825', status: 'all', category: 'road' })).toEqual({ place: '330825', limit: '20' })
    expect(q({ place: '330825', type: 'snap', status: 'done', category: 'road', overdue: true }, 'c2', 50))
      .toEqual({ place: '330825', limit: '50', type: 'snap', status: 'done', category: 'road', overdue: 'true',
        cursor: 'c2' })
  })
  it('a case stays in the list while it matches the status filter', () => {
    expect(matchesStatus({ status: 'accepted' }, 'open')).toBe(true)
    expect(matchesStatus({ status: 'resolved' }, 'open')).toBe(false)
    expect(matchesStatus({ status: 'closed' }, 'done')).toBe(true)
    expect(matchesStatus({ status: 'filed' }, 'all')).toBe(true)
  })
})

describe('case types the person may read', () => {
  const types = [{ id: 'tipoff', module: 'tipoffs' }, { id: 'snap', module: 'snaps' },
    { id: 'letter', module: 'mailbox', read_permission: 'letters.read' }]
  const held = { 'tipoffs.read': ['330825001201'], 'snaps.read': ['330825001201G01'], 'letters.read': ['330825'] }
  const can = (p, place) => (held[p] || []).some((s) => place === undefined || place.startsWith(s))
  it('by the read permission the type names (else its module\'s), at the chosen place', () => {
    expect(readableTypes(types, can, '').map((x) => x.id)).toEqual(['tipoff', 'snap', 'letter'])
    expect(readableTypes(types, can, '330825001201').map((x) => x.id)).toEqual(['tipoff', 'letter'])
    expect(readableTypes(types, can, '330825001201G01').map((x) => x.id)).toEqual(['tipoff', 'snap', 'letter'])
    expect(readableTypes(types, can, '330825').map((x) => x.id)).toEqual(['letter'])
  })
})

describe('SLA words', () => {
  it('each colour has its words; no SLA has none', () => {
    expect(['green', 'amber', 'red', null, undefined].map(slaKey)).toEqual(['green', 'amber', 'red', 'none', 'none'])
  })
})

describe('actions', () => {
  it('send only what each action takes', () => {
    const m = { note: ' 已清运 ', assignee: 'u1', outcome: 'fixed', duplicateOf: ' SP-330825-000001 ', reason: '辱骂',
      hidePhotos: ['k1'], rating: 4 }
    expect(actionBody('resolve', m)).toEqual({ action: 'resolve', note: '已清运', outcome: 'fixed' })
    expect(actionBody('assign', m)).toEqual({ action: 'assign', note: '已清运', assignee: 'u1' })
    expect(actionBody('duplicate', m)).toEqual({ action: 'duplicate', note: '已清运',
      duplicate_of: 'SP-330825-000001' })
    expect(actionBody('hide', m)).toEqual({ action: 'hide', reason: '辱骂', hide_photos: ['k1'] })
    expect(actionBody('accept', { note: '' })).toEqual({ action: 'accept' })
    expect(actionBody('transfer', m)).toEqual({ action: 'transfer', note: '已清运' }) // one we do not know yet
  })
  it('say what is missing before sending; resolving follows the type when it says', () => {
    expect(missingInputs('note', { note: ' ' })).toEqual({ note: 'cases.form.noteRequired' })
    expect(missingInputs('hide', { reason: '' })).toEqual({ reason: 'cases.form.reasonRequired' })
    expect(missingInputs('assign', {})).toEqual({ assignee: 'cases.form.assigneeRequired' })
    expect(missingInputs('duplicate', {})).toEqual({ duplicate_of: 'cases.form.duplicateRequired' })
    expect(missingInputs('resolve', {}, { outcomes: { fixed: '已整改' } })).toEqual({}) // the server decides
    expect(missingInputs('resolve', {}, { outcomes: { warned: '已劝导' }, outcome_required: true }))
      .toEqual({ outcome: 'cases.form.outcomeRequired' })
    expect(missingInputs('resolve', {}, { outcomes: {}, outcome_required: false }))
      .toEqual({ note: 'cases.form.answerRequired' })
  })
})

describe('a case\'s extra fields', () => {
  it('are labelled from the category definition, list values by their names', () => {
    const type = { categories: [{ code: 'road', fields: [
      { code: 'facility', name: '设施类型', datatype: 'singlevaluelist', values: [{ key: 'streetlight', name: '路灯' }] },
      { code: 'note2', name: '补充', datatype: 'string', values: [] }] }] }
    expect(extraRows({ category: 'road', extra: { facility: 'streetlight', old: 'x' } }, type)).toEqual([
      { code: 'facility', label: '设施类型', value: '路灯' }, { code: 'old', label: 'old', value: 'x' }])
    expect(extraRows({ category: 'road', extra: {} }, type)).toEqual([])
  })
})

describe('whom to assign to', () => {
  const staff = [
    { id: 'u1', name: '汪专网', status: 'active', grants: [{ role: 'grid_worker', role_name: '专职网格员',
      place: '330825001201G01', place_name: '第一网格' }] },
    { id: 'u2', name: '李网格', status: 'active', grants: [{ role: 'grid_worker', role_name: '专职网格员',
      place: '330825001201G02', place_name: '第二网格' }] },
    { id: 'u3', name: '祝村管', status: 'active', grants: [{ role: 'village_admin', role_name: '村情通管理员',
      place: '330825001201', place_name: '张王村' }] },
    { id: 'u4', name: '停用者', status: 'disabled', grants: [{ role: 'village_admin', role_name: '村情通管理员',
      place: '330825001201', place_name: '张王村' }] },
  ]
  it('people posted at or above the case\'s place', () => {
    expect(assignees(staff, ['330825001201G01']).map((s) => s.label)).toEqual(['汪专网（专职网格员 · 第一网格）',
      '祝村管（村情通管理员 · 张王村）'])
    expect(assignees(staff, ['330825001201G01', '330825001201G02']).map((s) => s.id)).toEqual(['u1', 'u2', 'u3'])
  })
  it('listed at the cases\' village when the person may list staff there', () => {
    const can = (p, place) => p === 'staff.read' && place.startsWith('330825001')
    expect(staffPlace(['330825001201G01'], can)).toBe('330825001201')
    expect(staffPlace(['330825001201G01', '330825001202G01'], can, '330825001')).toBe('330825001')
    expect(staffPlace(['330825002201G01'], can)).toBe(null)
  })
})

describe('bulk assignment', () => {
  it('one request per case, each with its own key, kept for a retry; failures with their messages', async () => {
    const sent = []
    const send = async (ref, body, key) => {
      sent.push({ ref, body, key })
      if (ref === 'B') throw Object.assign(new Error('该人员不能办理这一地点的事项'), { status: 422 })
      return { ref, status: 'assigned' }
    }
    const keys = new Map()
    const r = await assignAll(['A', 'B', 'C'], 'u1', send, keys)
    expect(r.done.map((c) => c.ref)).toEqual(['A', 'C'])
    expect(r.failed.map((f) => [f.ref, f.message])).toEqual([['B', '该人员不能办理这一地点的事项']])
    expect(sent.map((s) => s.body)).toEqual(Array(3).fill({ action: 'assign', assignee: 'u1' }))
    expect(new Set(sent.map((s) => s.key)).size).toBe(3)
    await assignAll(['B'], 'u1', send, keys)
    expect(sent[3].key).toBe(sent[1].key) // the same assignment again: the same key
    await assignAll(['B'], 'u3', send, keys)
    expect(sent[4].key).not.toBe(sent[1].key)
  })
  it('words are cut for the table', () => {
    expect(truncate('村口垃圾堆了三天没人清', 5)).toBe('村口垃圾堆…')
    expect(truncate('短', 5)).toBe('短')
    expect(truncate(null)).toBe('')
  })
})
