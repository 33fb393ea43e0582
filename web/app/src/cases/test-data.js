// Answers of the case routes as the server gives them, for the screens' tests (not part of the app).
export const GRID = '330825100260G01'
export const VILLAGER_ME = {
  tenant: '330825', user_id: 'v1', name: '溪阿婆', grants: [{ role: 'villager', place: GRID, household: 'h1' }],
  modules: ['snaps', 'tipoffs'], permissions: {},
}
export const WORKER_ME = {
  tenant: '330825', user_id: 'w1', name: '溪网格', grants: [{ role: 'grid_worker', place: GRID, place_name: '溪前村第一网格' }],
  modules: ['snaps', 'tipoffs'], permissions: { 'households.read': [GRID], 'snaps.read': [GRID], 'snaps.handle': [GRID] },
}

export const SNAP_TYPE = {
  id: 'snap', module: 'snaps', name: '随手拍', name_en: 'Snap-and-report', prefix: 'SP', anonymous: false, max_photos: 6,
  rating: true, private: false,
  statuses: { filed: '待受理', assigned: '已派单', accepted: '处理中', resolved: '已办结', closed: '已关闭' },
  outcomes: { fixed: '已整改', referred: '已转交相关部门', explained: '已解释说明', not_found: '现场未发现问题' },
  categories: [
    { code: 'sanitation', name: '环境卫生', name_en: 'Sanitation', sla_hours: 72, fields: [] },
    {
      code: 'road', name: '道路设施', name_en: 'Roads and facilities', sla_hours: 120,
      fields: [{ code: 'facility', name: '设施类型', datatype: 'singlevaluelist', required: true, description: '',
        values: [{ key: 'road', name: '道路' }, { key: 'streetlight', name: '路灯' }] }],
    },
    { code: 'safety', name: '安全隐患', name_en: 'Safety hazard', sla_hours: 24, fields: [] },
  ],
}
export const TIPOFF_TYPE = { ...SNAP_TYPE, id: 'tipoff', module: 'tipoffs', name: '疫情举报', prefix: 'JB', max_photos: 0, outcomes: {}, categories: [] }
export const TYPES = { items: [SNAP_TYPE, TIPOFF_TYPE] }

const photo = (id) => ({ id: `330825/cases/snap/v1/${id}.jpg`, url: `http://s3.local/media/${id}.jpg?sig=1` })

/** A 随手拍 as GET /cases/{ref} answers it, at `status`, for its filer (`mine`) or staff. */
export function snapCase({ status = 'assigned', mine = true, actions = [], ...rest } = {}) {
  const timeline = [
    { event: 'filed', event_name: '已提交', at: '2026-11-29T01:00:00Z', by: '溪阿婆', by_role: 'filer', status: 'filed', note: null, detail: {} },
    { event: 'assigned', event_name: '已派单', at: '2026-11-29T01:00:00Z', by: '系统', by_role: 'system', status: 'assigned', note: null, detail: {} },
  ]
  if (['accepted', 'resolved', 'closed'].includes(status)) {
    timeline.push({ event: 'accepted', event_name: '已受理', at: '2026-11-29T02:00:00Z', by: '溪网格', by_role: 'staff', status: 'accepted', note: null, detail: {} })
  }
  if (['resolved', 'closed'].includes(status)) {
    timeline.push({ event: 'resolved', event_name: '已办结', at: '2026-11-29T06:30:00Z', by: '溪网格', by_role: 'staff', status: 'resolved', note: '已清运，并提醒村民定点投放', detail: {} })
  }
  const resolved = ['resolved', 'closed'].includes(status)
  return {
    ref: 'SP-330825-000007', type: 'snap', type_name: '随手拍', category: 'sanitation', category_name: '环境卫生',
    place: GRID, place_name: '溪前村第一网格', village: '330825100260', village_name: '溪前村',
    text: '村口垃圾堆了三天没人清', location: '村口桥头', lat: null, lng: null, extra: {},
    photos: [photo('a'), photo('b')], after_photos: resolved ? [photo('after')] : [], anonymous: false,
    filer: '溪阿婆', mine, status, status_name: SNAP_TYPE.statuses[status], level: 'grid', assignee: '溪网格',
    outcome: resolved ? 'fixed' : null, outcome_name: resolved ? '已整改' : null,
    note: resolved ? '已清运，并提醒村民定点投放' : null, handled_by: resolved ? '溪网格' : null,
    handled_at: resolved ? '2026-11-29T06:30:00Z' : null, due_at: resolved ? null : '2026-12-02T01:00:00Z',
    sla: resolved ? null : 'green', resolved_at: resolved ? '2026-11-29T06:30:00Z' : null, closed_at: null, rating: null,
    rating_note: null, duplicate_of: null, hidden: false, hidden_reason: null, created_at: '2026-11-29T01:00:00Z',
    updated_at: '2026-11-29T06:30:00Z', actions, timeline, ...rest,
  }
}

/** A presigned POST form as POST /cases/uploads answers it. */
export function uploadForm(n) {
  const key = `330825/cases/snap/v1/k${n}.jpg`
  return { key, url: 'http://s3.local/media', fields: { key, 'Content-Type': 'image/jpeg', policy: 'p', 'x-amz-signature': 's' }, max_bytes: 307200 }
}

export const VILLAGE = '330825100260'
export const LETTER_TYPE = {
  id: 'letter', module: 'mailbox', name: '村民信箱', name_en: "Villagers' mailbox", prefix: 'XX', anonymous: true,
  max_photos: 3, rating: true, private: true,
  statuses: { filed: '待答复', assigned: '待答复', accepted: '办理中', resolved: '已答复', closed: '已办结' },
  outcomes: { answered: '已答复', handled: '已办理', referred: '已转交有关部门' },
  categories: [
    { code: 'suggestion', name: '意见建议', name_en: 'Suggestion', sla_hours: 72, description: '', enabled: true, fields: [] },
    { code: 'help', name: '咨询求助', name_en: 'Question or request for help', sla_hours: 72, description: '', enabled: true, fields: [] },
    { code: 'complaint', name: '投诉', name_en: 'Complaint', sla_hours: 72, description: '', enabled: true, fields: [] },
    { code: 'old', name: '旧类别', name_en: 'Old', sla_hours: 72, description: '', enabled: false, fields: [] },
  ],
}
export const LETTER_TYPES = { items: [SNAP_TYPE, TIPOFF_TYPE, LETTER_TYPE] }
export const MAILBOX_ME = { ...VILLAGER_ME, modules: ['snaps', 'tipoffs', 'mailbox'] }

const event = (event, event_name, at, by, by_role, status, note = null, detail = {}) =>
  ({ event, event_name, at, by, by_role, status, note, detail })

/** A letter as GET /cases/{ref} answers it: written to the village, a staff note, the writer's reply; `escalated`
 *  adds the move to the township after 3 working days; `mine` false: as staff read it. */
export function letterCase({ mine = true, anonymous = true, escalated = false, actions = ['reply'], ...rest } = {}) {
  const timeline = [
    event('filed', '已提交', '2026-11-30T02:00:00Z', mine || !anonymous ? '溪阿婆' : '提交人', 'filer', 'filed'),
    event('note', '办理进展', '2026-11-30T06:00:00Z', '溪书记', 'staff', 'filed', '已收到，村委会下周一商议'),
    event('note', '办理进展', '2026-11-30T07:30:00Z', mine || !anonymous ? '溪阿婆' : '提交人', 'filer', 'filed', '桥头那边也要装一盏'),
  ]
  if (escalated) {
    timeline.push(event('escalated', '已上报上级', '2026-12-03T16:01:00Z', '系统', 'system', 'filed', null,
      { to: 'township', overdue_since: '2026-12-03T16:00:00Z', top: false }))
    timeline.push(event('note', '办理进展', '2026-12-04T01:00:00Z', '湖镇干部', 'staff', 'filed', '镇里已派人了解情况'))
  }
  return {
    ref: 'XX-330825-000004', type: 'letter', type_name: '村民信箱', category: 'suggestion', category_name: '意见建议',
    place: VILLAGE, place_name: '溪前村', village: VILLAGE, village_name: '溪前村',
    text: '建议在村口装两盏路灯，晚上太黑了', location: null, lat: null, lng: null, extra: {}, photos: [], after_photos: [],
    anonymous, filer: mine || !anonymous ? '溪阿婆' : null, mine, status: 'filed', status_name: '待答复',
    level: escalated ? 'township' : 'village', assignee: null, outcome: null, outcome_name: null,
    note: escalated ? '镇里已派人了解情况' : '已收到，村委会下周一商议', handled_by: '溪书记', handled_at: '2026-11-30T06:00:00Z',
    due_at: escalated ? '2026-12-08T16:00:00Z' : '2026-12-03T16:00:00Z', sla: mine ? null : 'green', resolved_at: null,
    closed_at: null, rating: null, rating_note: null, duplicate_of: null, hidden: false, hidden_reason: null,
    created_at: '2026-11-30T02:00:00Z', updated_at: '2026-11-30T07:30:00Z', actions, timeline, ...rest,
  }
}
