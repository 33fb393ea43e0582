import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, mountConsole, nativeSelects } from '../common/testing.js'
import { COUNTY_ADMIN, GRID_WORKER, VILLAGE_ADMIN } from '../common/meFixtures.js'
import { clearPlaceCache } from '../places/placeCache.js'
import CasesPage from './CasesPage.vue'

const routerPush = vi.fn() // a 网上代办 row opens its own page
vi.mock('vue-router', async (original) => ({ ...(await original()), useRouter: () => ({ push: routerPush }) }))

const VILLAGE = '330825001201'
const G01 = `${VILLAGE}G01`
const G02 = `${VILLAGE}G02`

const PLACES = {
  330825: { code: '330825', name: '龙游县', level: 'county', parent: null },
  330825001: { code: '330825001', name: '东华街道', level: 'township', parent: '330825' },
  [VILLAGE]: { code: VILLAGE, name: '张王村', level: 'village', parent: '330825001' },
  [G01]: { code: G01, name: '张王村第一网格', level: 'grid', parent: VILLAGE },
  330825002: { code: '330825002', name: '龙洲街道', level: 'township', parent: '330825' },
  330825002201: { code: '330825002201', name: '团石村', level: 'village', parent: '330825002' },
}

// GET /cases/types as the server answers it (the letter type names its read permission; the others do not yet).
const TYPES = [
  { id: 'tipoff', module: 'tipoffs', name: '疫情举报', name_en: 'Epidemic tip-off', prefix: 'JB', anonymous: true,
    max_photos: 0, rating: false, private: false,
    statuses: { filed: '待处理', assigned: '已派单', accepted: '处理中', resolved: '已办结', closed: '已办结' },
    outcomes: { warned: '已劝导警示', unfounded: '经核实不属实' },
    categories: [{ code: 'returnee', name: '返乡人员', name_en: 'Returnee', sla_hours: null, fields: [] },
      { code: 'gathering', name: '聚集活动', name_en: 'Gathering', sla_hours: null, fields: [] }] },
  { id: 'snap', module: 'snaps', name: '随手拍', name_en: 'Snap-and-report', prefix: 'SP', anonymous: false,
    max_photos: 6, rating: true, private: false,
    statuses: { filed: '待受理', assigned: '已派单', accepted: '处理中', resolved: '已办结', closed: '已关闭' },
    outcomes: { fixed: '已整改', explained: '已解释说明' },
    categories: [{ code: 'sanitation', name: '环境卫生', name_en: 'Sanitation', sla_hours: 72, fields: [] },
      { code: 'road', name: '道路设施', name_en: 'Roads', sla_hours: 120, fields: [{ code: 'facility',
        name: '设施类型', datatype: 'singlevaluelist', required: true, description: '',
        values: [{ key: 'road', name: '道路' }, { key: 'streetlight', name: '路灯' }] }] }] },
  { id: 'letter', module: 'mailbox', read_permission: 'letters.read', name: '村民信箱', name_en: 'Mailbox',
    prefix: 'XX', anonymous: true, max_photos: 3, rating: true, private: true, statuses: {}, outcomes: {},
    categories: [{ code: 'help', name: '咨询求助', name_en: 'Help', sla_hours: 72, fields: [] }] },
]
const SNAP_ACTIONS = ['assign', 'accept', 'note', 'escalate', 'resolve', 'close', 'duplicate', 'hide']

let n = 0
function kase(o = {}) {
  n += 1
  const type = o.type || 'snap'
  const t = TYPES.find((x) => x.id === type)
  const category = o.category || t.categories[0].code
  return { ref: `${t.prefix}-330825-${String(n).padStart(6, '0')}`, type, type_name: t.name, category,
    category_name: t.categories.find((c) => c.code === category).name, place: G01, place_name: '张王村第一网格',
    village: VILLAGE, village_name: '张王村', text: `村口垃圾堆了三天没人清，臭味很大，请尽快处理一下${n}`,
    location: '村口桥头', lat: null, lng: null, extra: {}, photos: [], after_photos: [], anonymous: false,
    filer: '王村民', mine: false, status: 'filed', status_name: t.statuses.filed, level: 'grid', assignee: null,
    outcome: null, outcome_name: null, note: null, handled_by: null, handled_at: null,
    due_at: '2020-06-18T01:00:00Z', sla: 'green', resolved_at: null, closed_at: null, rating: null,
    rating_note: null, duplicate_of: null, hidden: false, hidden_reason: null, created_at: '2020-06-15T01:00:00Z',
    updated_at: '2020-06-15T01:00:00Z', actions: type === 'snap' ? SNAP_ACTIONS : ['accept', 'note', 'resolve'], ...o }
}

const STAFF = [
  { id: 'u-wang', name: '汪专网', phone: '139****0001', status: 'active', grants: [{ role: 'grid_worker',
    role_name: '专职网格员', place: G01, place_name: '张王村第一网格' }] },
  { id: 'u-li', name: '李网格', phone: '139****0002', status: 'active', grants: [{ role: 'grid_worker',
    role_name: '专职网格员', place: G02, place_name: '张王村第二网格' }] },
  { id: 'u-ye', name: '叶指导', phone: '139****0003', status: 'active', grants: [{ role: 'grid_instructor',
    role_name: '网格指导员', place: G01, place_name: '张王村第一网格' }] },
]
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })
const notAHandler = () => refused(422, 'validation_failed', '提交的内容不符合要求',
  [{ field: 'assignee', code: 'not_a_handler', message: '该人员不能办理这一地点的事项' }])

/** A small case server: the inbox with its filters (a page of `limit`), one case with its timeline, actions. */
function server(initial, { conflicts = new Set() } = {}) {
  const all = [...initial]
  const timelines = Object.fromEntries(all.map((c) => [c.ref, [{ event: 'filed', event_name: '已提交',
    at: c.created_at, by: c.filer || '提交人', by_role: 'filer', status: 'filed', note: null, detail: {} }]]))
  const detail = (c) => ({ ...c, timeline: timelines[c.ref] })
  const f = fakeFetch([
    ['GET', '/api/places', (url) => {
      const u = new URL(url, 'http://x')
      const parent = u.searchParams.get('parent')
      if (parent) return { body: { items: Object.values(PLACES).filter((p) => p.parent === parent), next_cursor: null } }
      return { body: PLACES[decodeURIComponent(u.pathname.split('/').pop())] }
    }],
    ['GET', '/api/cases/types', { body: { items: TYPES } }],
    ['GET', '/api/cases?', (url) => {
      const q = new URL(url, 'http://x').searchParams
      const done = ['resolved', 'closed']
      const items = all.filter((c) => c.place.startsWith(q.get('place'))
        && (!q.get('type') || q.get('type').split(',').includes(c.type))
        && (!q.get('status') || (q.get('status') === 'open' ? !done.includes(c.status) : done.includes(c.status)))
        && (!q.get('category') || c.category === q.get('category'))
        && (!q.get('overdue') || c.sla === 'red'))
      const from = Number(q.get('cursor') || 0)
      const limit = Number(q.get('limit'))
      return { body: { items: items.slice(from, from + limit),
        next_cursor: items.length > from + limit ? String(from + limit) : null } }
    }],
    ['GET', '/api/cases/', (url) => {
      const ref = decodeURIComponent(new URL(url, 'http://x').pathname.split('/').pop())
      return { body: detail(all.find((c) => c.ref === ref)) }
    }],
    ['POST', '/actions', (url, init) => {
      const ref = decodeURIComponent(new URL(url, 'http://x').pathname.split('/').at(-2))
      const c = all.find((x) => x.ref === ref)
      const b = JSON.parse(init.body)
      if (!init.headers['Idempotency-Key']) return refused(400, 'idempotency_key_required', '缺少幂等键')
      if (conflicts.has(ref)) {
        conflicts.delete(ref)
        Object.assign(c, { status: 'resolved', status_name: '已办结', actions: ['note', 'close', 'hide'], sla: null })
        return refused(409, 'invalid_transition', '该事项已办结，不能派单')
      }
      const event = (e, extra = {}) => timelines[ref].push({ event: e, event_name: { assigned: '已派单',
        accepted: '已受理', resolved: '已办结' }[e] || e, at: '2020-06-15T02:00:00Z', by: '张村管', by_role: 'staff',
      status: c.status, note: b.note || null, detail: {}, ...extra })
      if (b.action === 'assign') {
        const who = STAFF.find((s) => s.id === b.assignee)
        if (!who.grants.some((g) => g.place === c.place) || who.grants[0].role === 'grid_instructor') return notAHandler()
        Object.assign(c, { status: 'assigned', status_name: '已派单', assignee: who.name })
        event('assigned', { detail: { assignee: who.name } })
      } else if (b.action === 'resolve') {
        if (!b.note) {
          return refused(422, 'validation_failed', '提交的内容不符合要求',
            [{ field: 'note', code: 'required', message: '请填写答复内容' }])
        }
        Object.assign(c, { status: 'resolved', status_name: '已办结', outcome: b.outcome || null,
          outcome_name: TYPES[1].outcomes[b.outcome] || null, note: b.note, sla: null, actions: ['note', 'close', 'hide'] })
        event('resolved')
      } else if (b.action === 'accept') {
        Object.assign(c, { status: 'accepted', status_name: '处理中' })
        event('accepted')
      }
      return { body: detail(c) }
    }],
    ['GET', '/api/staff?', (url) => {
      const place = new URL(url, 'http://x').searchParams.get('place')
      return { body: { items: STAFF.filter((s) => s.grants.some((g) => g.place.startsWith(place))), next_cursor: null } }
    }],
  ])
  f.all = all
  return f
}

async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}
const debounce = () => vi.advanceTimersByTimeAsync(200) // Element Plus shows a form item's error after a debounce

function mountAs(me) {
  const pinia = createPinia()
  useAuth(pinia).me = me
  return mountConsole(CasesPage, { pinia, stubs: nativeSelects })
}

const inboxCalls = (f) => f.calls.filter((c) => c.method === 'GET' && c.url.includes('/api/cases?'))
const lastQuery = (f) => Object.fromEntries(new URL(inboxCalls(f).at(-1).url, 'http://x').searchParams)
const rows = (w) => w.findAll('.el-table__body tr')
const posts = (f) => f.calls.filter((c) => c.method === 'POST')
const drawer = () => document.querySelector('.el-drawer')
const dialog = () => [...document.querySelectorAll('.el-dialog')].find((d) => d.offsetParent !== null
  || d.closest('.el-overlay')?.style.display !== 'none')
const buttonIn = (root, text) => [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === text)
function choose(root, label, value) {
  const select = root.querySelector(`select[aria-label="${label}"]`)
  select.value = value
  select.dispatchEvent(new Event('change'))
}
function type(root, selector, text) {
  const el = root.querySelector(selector)
  el.value = text
  el.dispatchEvent(new Event('input'))
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  clearPlaceCache()
  document.body.innerHTML = ''
})

describe('CasesPage', () => {
  it('the filters build the inbox query; types and categories come from /cases/types, readable ones only',
    async () => {
      const f = server([kase(), kase({ type: 'tipoff', place: VILLAGE, place_name: '张王村', category: 'gathering' }),
        kase({ category: 'road', extra: { facility: 'streetlight' }, sla: 'red' })])
      vi.stubGlobal('fetch', f)
      const w = mountAs(VILLAGE_ADMIN)
      await settle()
      expect(w.find('[data-place-only]').text()).toBe('张王村') // the one place: named, not picked
      expect(lastQuery(f)).toEqual({ place: VILLAGE, limit: '20', status: 'open' })
      expect(rows(w)).toHaveLength(3)
      const typeSelect = w.find('select[aria-label="事项类型"]')
      // 村民信箱 is the county's, but this person may not read it
      expect(typeSelect.findAll('option').map((o) => o.text()).filter(Boolean)).toEqual(['疫情举报', '随手拍'])
      expect(w.find('select[aria-label="类别"]').exists()).toBe(false) // a category belongs to one type

      await typeSelect.setValue('snap')
      await settle()
      expect(lastQuery(f)).toEqual({ place: VILLAGE, limit: '20', status: 'open', type: 'snap' })
      expect(rows(w)).toHaveLength(2)
      const category = w.find('select[aria-label="类别"]')
      expect(category.findAll('option').map((o) => o.text()).filter(Boolean)).toEqual(['环境卫生', '道路设施'])
      await category.setValue('road')
      await settle()
      expect(lastQuery(f)).toMatchObject({ type: 'snap', category: 'road' })
      expect(rows(w)).toHaveLength(1)

      await w.find('input[type=radio][value=done]').setValue(true)
      await settle()
      expect(lastQuery(f)).toEqual({ place: VILLAGE, limit: '20', status: 'done', type: 'snap', category: 'road' })
      await w.find('input[type=radio][value=all]').setValue(true)
      await settle()
      expect(lastQuery(f).status).toBeUndefined()
      const overdue = w.findAll('label.el-checkbox').find((l) => l.text() === '只看超时')
      await overdue.find('input').setValue(true)
      await settle()
      expect(lastQuery(f)).toEqual({ place: VILLAGE, limit: '20', type: 'snap', category: 'road', overdue: 'true' })

      // Another type: its own categories, the old category dropped.
      await typeSelect.setValue('tipoff')
      await settle()
      expect(lastQuery(f)).toEqual({ place: VILLAGE, limit: '20', type: 'tipoff', overdue: 'true' })
      expect(w.find('select[aria-label="类别"]').findAll('option').map((o) => o.text()).filter(Boolean))
        .toEqual(['返乡人员', '聚集活动'])
      w.unmount()
    })

  it('the county admin starts with the whole county; a grid worker with their grid and 随手拍 only', async () => {
    let f = server([kase()])
    vi.stubGlobal('fetch', f)
    let w = mountAs(COUNTY_ADMIN)
    await settle()
    expect(lastQuery(f).place).toBe('330825')
    const place = w.find('select[aria-label="地点"]')
    expect(place.findAll('option').map((o) => o.text()).filter(Boolean)).toEqual(['龙游县（全部）',
      '东华街道（全部）', '张王村', '龙洲街道（全部）', '团石村'])
    await place.setValue('330825002201')
    await settle()
    expect(lastQuery(f).place).toBe('330825002201')
    w.unmount()
    clearPlaceCache()

    f = server([kase()])
    vi.stubGlobal('fetch', f)
    w = mountAs(GRID_WORKER)
    await settle()
    expect(w.find('[data-place-only]').text()).toBe('张王村第一网格')
    expect(lastQuery(f).place).toBe(G01)
    expect(w.find('select[aria-label="事项类型"]').findAll('option').map((o) => o.text()).filter(Boolean))
      .toEqual(['随手拍'])
    w.unmount()
  })

  it('rows: type, category, place, cut words, filer or 匿名, status, SLA colour with words, assignee, Shanghai time',
    async () => {
      const f = server([
        kase({ sla: 'green' }),
        kase({ sla: 'amber', assignee: '汪专网', status: 'assigned', status_name: '已派单' }),
        kase({ sla: 'red' }),
        kase({ type: 'tipoff', sla: null, anonymous: true, filer: null, text: '祠堂有人聚餐', category: 'gathering' }),
      ])
      vi.stubGlobal('fetch', f)
      const w = mountAs(VILLAGE_ADMIN)
      await settle()
      const cells = (i) => rows(w)[i].findAll('td').map((td) => td.text())
      expect(cells(0).slice(1)).toEqual([f.all[0].ref, '随手拍', '环境卫生', '张王村第一网格',
        f.all[0].text, '王村民', '待受理', '正常', '—', '2020/06/15 09:00'])
      expect(rows(w)[0].find('[data-sla=green] .sla__dot').exists()).toBe(true)
      expect(cells(1)[7]).toBe('已派单')
      expect(cells(1)[8]).toBe('即将超时')
      expect(cells(1)[9]).toBe('汪专网')
      expect(cells(2)[8]).toBe('已超时')
      expect(rows(w)[2].find('[data-sla=red]').exists()).toBe(true)
      expect(cells(3).slice(2, 4)).toEqual(['疫情举报', '聚集活动'])
      expect(cells(3)[6]).toBe('匿名')
      expect(cells(3)[8]).toBe('—') // no time limit
      expect(rows(w)[3].find('.sla__dot').exists()).toBe(false)
      // long words are cut in the table (the drawer has them all)
      f.all.push(kase({ text: '很长'.repeat(30) }))
      await w.find('button.el-button').trigger('click') // 刷新
      await settle()
      expect(cells(4)[5]).toBe(`${'很长'.repeat(20)}…`)
      w.unmount()
    })

  it('a row opens the case: extra fields with labels, photos, the timeline, and buttons for exactly its actions',
    async () => {
      const snap = kase({ category: 'road', extra: { facility: 'streetlight' },
        photos: [{ id: 'k1', url: 'http://s3/k1.jpg' }, { id: 'k2', url: 'http://s3/k2.jpg' }] })
      const tip = kase({ type: 'tipoff', category: 'returnee', anonymous: true, filer: null,
        actions: ['accept', 'note', 'resolve', 'duplicate', 'hide'] })
      const f = server([snap, tip])
      vi.stubGlobal('fetch', f)
      const w = mountAs(VILLAGE_ADMIN)
      await settle()
      await rows(w)[0].findAll('td')[3].trigger('click') // anywhere on the row
      await settle()
      const d = drawer()
      expect(d.textContent).toContain(`事项详情 ${snap.ref}`)
      expect([...d.querySelectorAll('[data-action]')].map((b) => b.dataset.action)).toEqual(SNAP_ACTIONS)
      expect([...d.querySelectorAll('[data-action]')].map((b) => b.textContent.trim())).toEqual(['派单', '受理', '回复',
        '上报上级', '办结', '关闭', '合并重复', '屏蔽'])
      expect(d.querySelector('[data-extra=facility]').textContent).toBe('路灯')
      expect(d.textContent).toContain('设施类型')
      expect(d.querySelectorAll('[data-test=photos] .case-detail__thumb')).toHaveLength(2)
      expect(d.querySelector('[data-field=filer]').textContent).toBe('王村民')
      expect([...d.querySelectorAll('[data-event]')].map((e) => e.dataset.event)).toEqual(['filed'])

      // The tip-off: only its own actions.
      w.findAll('button').find((b) => b.attributes('aria-label') === `查看 ${tip.ref}`).trigger('click')
      await settle()
      expect([...drawer().querySelectorAll('[data-action]')].map((b) => b.textContent.trim())).toEqual(['受理', '回复',
        '办结', '合并重复', '屏蔽'])
      expect(drawer().querySelector('[data-field=filer]').textContent).toBe('匿名')
      w.unmount()
    })

  it('a 网上代办 application opens its own page (its steps answer the whole application), not the drawer',
    async () => {
      const snap = kase()
      const errand = { ...kase(), type: 'errand', type_name: '网上代办', category: 'apply', category_name: '在线申请',
        ref: 'DB-330825-000123', text: '申请办理：生育登记（县卫生健康局）', actions: ['accept', 'resolve'] }
      vi.stubGlobal('fetch', server([snap, errand]))
      routerPush.mockClear()
      const w = mountAs(VILLAGE_ADMIN)
      await settle()
      await rows(w)[1].findAll('td')[3].trigger('click')
      await settle()
      expect(routerPush).toHaveBeenCalledWith({ name: 'errandApplication', params: { ref: 'DB-330825-000123' } })
      expect(drawer()?.textContent || '').not.toContain('事项详情 DB-330825-000123')
      w.findAll('button').find((b) => b.attributes('aria-label') === `查看 ${errand.ref}`).trigger('click')
      await settle()
      expect(routerPush).toHaveBeenCalledTimes(2)
      await rows(w)[0].findAll('td')[3].trigger('click') // any other case: the drawer, as before
      await settle()
      expect(routerPush).toHaveBeenCalledTimes(2)
      expect(drawer().textContent).toContain(`事项详情 ${snap.ref}`)
      w.unmount()
    })

  it('resolves with an outcome and an answer (Idempotency-Key; the 422 by its field); a 409 reloads the case',
    async () => {
      const one = kase()
      const two = kase()
      const f = server([one, two], { conflicts: new Set([two.ref]) })
      vi.stubGlobal('fetch', f)
      const w = mountAs(VILLAGE_ADMIN)
      await settle()
      w.findAll('button').find((b) => b.attributes('aria-label') === `查看 ${one.ref}`).trigger('click')
      await settle()
      buttonIn(drawer(), '办结').click()
      await settle()
      const dlg = document.querySelector('.case-action').closest('.el-dialog')
      const outcomes = dlg.querySelector('select[aria-label="处理结果"]')
      expect([...outcomes.options].map((o) => o.text).filter(Boolean)).toEqual(['已整改', '已解释说明'])
      choose(dlg, '处理结果', 'fixed')
      await settle()
      buttonIn(dlg.querySelector('.el-dialog__footer'), '办结').click()
      await settle()
      await debounce()
      expect(dlg.querySelector('.el-form-item__error').textContent).toContain('请填写答复内容') // the server's
      type(dlg, '#case-note', '已清运，并提醒村民定点投放')
      await settle()
      buttonIn(dlg.querySelector('.el-dialog__footer'), '办结').click()
      await settle()
      const sent = posts(f).at(-1)
      expect(JSON.parse(sent.init.body)).toEqual({ action: 'resolve', outcome: 'fixed', note: '已清运，并提醒村民定点投放' })
      expect(sent.init.headers['Idempotency-Key']).toMatch(/.{8,}/)
      expect(posts(f)[0].init.headers['Idempotency-Key']).not.toBe(sent.init.headers['Idempotency-Key'])
      expect(drawer().querySelector('[data-field=status]').textContent).toBe('已办结')
      expect(drawer().querySelector('[data-field=outcome]').textContent).toBe('已整改')
      expect([...drawer().querySelectorAll('[data-event]')].map((e) => e.dataset.event)).toEqual(['filed', 'resolved'])
      expect([...drawer().querySelectorAll('[data-action]')].map((b) => b.dataset.action)).toEqual(['note', 'close',
        'hide'])
      expect(document.body.textContent).toContain('已办结，提交人会收到答复')
      expect(rows(w).map((r) => r.text())).not.toContain(one.ref) // no longer open
      expect(rows(w)).toHaveLength(1)

      // Someone else resolved the other one meanwhile: 409, said, and the case reloaded with what is left to do.
      w.findAll('button').find((b) => b.attributes('aria-label') === `查看 ${two.ref}`).trigger('click')
      await settle()
      buttonIn(drawer(), '受理').click()
      await settle()
      const accept = document.querySelectorAll('.case-action')
      buttonIn(accept[accept.length - 1].closest('.el-dialog').querySelector('.el-dialog__footer'), '受理').click()
      await settle()
      const reloads = f.calls.filter((c) => c.method === 'GET' && c.url.endsWith(`/api/cases/${two.ref}`))
      expect(reloads).toHaveLength(2)
      expect(drawer().querySelector('[role=alert]').textContent).toContain('该事项已办结，不能派单')
      expect([...drawer().querySelectorAll('[data-action]')].map((b) => b.dataset.action)).toEqual(['note', 'close',
        'hide'])
      expect(rows(w)).toHaveLength(0) // it left the open list
      w.unmount()
    })

  it('assigns from the drawer: staff of the case\'s place only; not_a_handler shown by the field', async () => {
    const one = kase()
    const f = server([one])
    vi.stubGlobal('fetch', f)
    const w = mountAs(VILLAGE_ADMIN)
    await settle()
    w.findAll('button').find((b) => b.attributes('aria-label') === `查看 ${one.ref}`).trigger('click')
    await settle()
    buttonIn(drawer(), '派单').click()
    await settle()
    const dlg = document.querySelector('.case-action').closest('.el-dialog')
    expect(new URL(f.calls.find((c) => c.url.includes('/api/staff?')).url, 'http://x').searchParams.get('place'))
      .toBe(VILLAGE)
    const select = dlg.querySelector('select[aria-label="办理人"]')
    expect([...select.options].map((o) => o.text).filter(Boolean)).toEqual([
      '汪专网（专职网格员 · 张王村第一网格）', '叶指导（网格指导员 · 张王村第一网格）']) // not the other grid's
    choose(dlg, '办理人', 'u-ye')
    await settle()
    buttonIn(dlg.querySelector('.el-dialog__footer'), '派单').click()
    await settle()
    await debounce()
    expect(dlg.querySelector('.el-form-item__error').textContent).toContain('该人员不能办理这一地点的事项')
    choose(dlg, '办理人', 'u-wang')
    await settle()
    buttonIn(dlg.querySelector('.el-dialog__footer'), '派单').click()
    await settle()
    expect(JSON.parse(posts(f).at(-1).init.body)).toEqual({ action: 'assign', assignee: 'u-wang' })
    expect(drawer().querySelector('[data-field=assignee]').textContent).toBe('汪专网')
    expect(rows(w)[0].text()).toContain('汪专网')
    w.unmount()
  })

  it('bulk assign: one idempotent request per ticked case, how many went, and why the others did not', async () => {
    const cases = [kase(), kase({ place: G02, place_name: '张王村第二网格' }), kase(), kase(),
      kase({ status: 'resolved', status_name: '已办结', actions: ['note', 'close', 'hide'] })]
    const f = server(cases, { conflicts: new Set([cases[3].ref]) })
    vi.stubGlobal('fetch', f)
    const w = mountAs(VILLAGE_ADMIN)
    await settle()
    await w.find('input[type=radio][value=all]').setValue(true)
    await settle()
    expect(rows(w)).toHaveLength(5)
    const tickBox = (ref) => w.find(`label[aria-label="选择 ${ref}"] input`)
    expect(tickBox(cases[4].ref).exists()).toBe(false) // nothing to assign any more
    const bulk = w.findAll('button').find((b) => b.text().startsWith('批量派单'))
    expect(bulk.attributes('disabled')).toBeDefined()
    for (const c of cases.slice(0, 4)) await tickBox(c.ref).setValue(true)
    await settle()
    expect(w.text()).toContain('已勾选 4 件')
    await bulk.trigger('click')
    await settle()
    const dlg = [...document.querySelectorAll('.el-dialog')].find((d) => d.textContent.includes('批量派单'))
    expect(dlg.textContent).toContain('将以下 4 件事项派给同一名办理人')
    expect([...dlg.querySelector('select[aria-label="办理人"]').options].map((o) => o.value).filter(Boolean))
      .toEqual(['u-wang', 'u-li', 'u-ye']) // posted at one of their grids
    buttonIn(dlg, '派单（4 件）').click()
    await settle()
    await debounce()
    expect(dlg.querySelector('.el-form-item__error').textContent).toContain('请选择办理人')
    expect(posts(f)).toHaveLength(0)
    choose(dlg, '办理人', 'u-wang')
    await settle()
    buttonIn(dlg, '派单（4 件）').click()
    await settle()

    expect(posts(f).map((c) => [decodeURIComponent(c.url.split('/').at(-2)), JSON.parse(c.init.body)])).toEqual(
      cases.slice(0, 4).map((c) => [c.ref, { action: 'assign', assignee: 'u-wang' }]))
    const keys = posts(f).map((c) => c.init.headers['Idempotency-Key'])
    expect(new Set(keys).size).toBe(4)
    expect(dlg.querySelector('[data-test=bulk-summary]').textContent).toBe('成功 2 件，失败 2 件')
    expect([...dlg.querySelectorAll('[data-test=bulk-failed] li')].map((li) => li.textContent)).toEqual([
      `${cases[1].ref}：该人员不能办理这一地点的事项`, `${cases[3].ref}：该事项已办结，不能派单`])
    expect(rows(w)[0].text()).toContain('汪专网')
    expect(rows(w)[2].text()).toContain('汪专网')

    // Again: only the two that failed, with their own keys as before.
    buttonIn(dlg, '重试失败的 2 件').click()
    await settle()
    const again = posts(f).slice(4)
    expect(again.map((c) => decodeURIComponent(c.url.split('/').at(-2)))).toEqual([cases[1].ref, cases[3].ref])
    expect(again[0].init.headers['Idempotency-Key']).toBe(keys[1])
    expect(again[1].init.headers['Idempotency-Key']).toBe(keys[3])
    w.unmount()
  })
})
