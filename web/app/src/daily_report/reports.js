// 每日上报 on the phone: the form's state, the request body, the checks made before sending, and sending through
// the outbox (a report made without a signal waits as 待发送 with its Idempotency-Key and is sent exactly once).
import { reactive } from 'vue'
import { holds } from '@shared/permissions.js'
import { discard, myItems, submit } from '../offline/outbox.js'
import { shanghaiToday } from './time.js'

export const COLOURS = ['green', 'yellow', 'red']
export const MAX_OUTSIDE_GROUPS = 10
export const MAX_OUTSIDE_COUNT = 50

export const blankGroup = () => ({ from_place: '', count: 1 })

/**
 * The form for `members` ([{id, name}]), filled from `previous` ({members: [{member, colour}], outside}) when the
 * household re-fills today's report or fixes a refused one: a colour per member id, the outside-person groups.
 */
export function newForm(members, previous = null) {
  const before = new Map((previous?.members ?? []).map((m) => [m.member, m.colour]))
  const outside = previous?.outside ?? []
  return reactive({
    colours: Object.fromEntries(members.map((m) => [m.id, COLOURS.includes(before.get(m.id)) ? before.get(m.id) : null])),
    hasOutside: outside.length > 0,
    outside: outside.length ? outside.map((o) => ({ from_place: o.from_place, count: o.count })) : [blankGroup()],
  })
}

/** The POST /reports body: every member once, in the household's order; outside groups only when switched on. */
export function reportBody(household, members, form) {
  return {
    household,
    members: members.map((m) => ({ member: m.id, colour: form.colours[m.id] })),
    outside: form.hasOutside
      ? form.outside.map((o) => ({ from_place: String(o.from_place ?? '').trim(), count: Number(o.count) }))
      : [],
  }
}

/** What is wrong before sending, as {field: i18n key} with the server's field names (members.0.colour, ...). */
export function reportProblems(body) {
  const out = {}
  body.members.forEach((m, i) => {
    if (!COLOURS.includes(m.colour)) out[`members.${i}.colour`] = 'report.pickColour'
  })
  body.outside.forEach((o, i) => {
    if (!o.from_place) out[`outside.${i}.from_place`] = 'validate.required'
    if (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_OUTSIDE_COUNT) {
      out[`outside.${i}.count`] = 'report.countRange'
    }
  })
  return out
}

/** The members with a yellow or red code ([{name, colour}], red first): the county command hears of them at once. */
export function alertMembers(body, members) {
  const names = new Map(members.map((m) => [m.id, m.name]))
  return body.members
    .filter((m) => m.colour === 'yellow' || m.colour === 'red')
    .map((m) => ({ name: names.get(m.member) ?? '', colour: m.colour }))
    .sort((a, b) => (a.colour === b.colour ? 0 : a.colour === 'red' ? -1 : 1))
}

export const outsidePersons = (outside) => (outside ?? []).reduce((n, o) => n + (Number(o.count) || 0), 0)

/** Reports waiting in (or refused by) the outbox, for one household when `hid` is given; oldest first. */
export function queuedReports(hid = null) {
  return myItems().filter((i) => i.meta.kind === 'report' && (!hid || i.body.household === hid))
}

/**
 * Send a report now, or queue it without a signal. A new report of a household supersedes the ones still waiting
 * for it (sending those later would replace the newer one), so they are dropped first.
 * `meta`: {address, head_name, grid, proxy} to show the queued item.
 */
export function sendReport(body, meta) {
  for (const item of queuedReports(body.household)) discard(item.key)
  return submit('POST', '/reports', body, { kind: 'report', ...meta })
}

/** Proxy reports sent from this phone in the last seconds: completion counters follow a moment later. */
export const recent = { sentAt: 0 }

// Households reported from this phone today (hid → Asia/Shanghai day). The server's unreported list follows a
// report by a moment (the household's day status is written from the report's stream record), so the list leaves
// these out meanwhile.
const sentToday = new Map()

export function markReported(hid) {
  sentToday.set(hid, shanghaiToday())
}

export function reportedHere() {
  const today = shanghaiToday()
  return new Set([...sentToday].filter(([, day]) => day === today).map(([hid]) => hid))
}

/** May this person report on a household's behalf (代报) in `grid` (/api/me reports.proxy; the grid instructor only
 * oversees)? */
export const mayProxy = (me, grid) => holds(me, 'reports.proxy', grid)

/** 党员联户: does this person look after households as a party member? */
export const isPartyMember = (me) => holds(me, 'party.duties')
