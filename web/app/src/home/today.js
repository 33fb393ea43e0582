// Today's report of the phone's households, for the home page: GET /reports/today per household (a villager has
// one: one request), the last answer kept on the phone for the rest of the day (so a home opened without a signal
// still knows), and the report waiting in the outbox (待发送), which wins over both.
import { NetworkError, api } from '@shared/api.js'
import { readMine, writeMine } from '@shared/kept.js'
import { shanghaiToday } from '../daily_report/time.js'

const KEY = 'cqt.home.today'

function kept() {
  const stored = readMine(KEY)
  return stored?.date === shanghaiToday() ? stored.items ?? {} : {}
}

/** Keep a household's today answer on the phone for the rest of the day (GET /home brings it too). */
export function keep(hid, today) {
  if (today?.date !== shanghaiToday()) return
  writeMine(KEY, { date: today.date, items: { ...kept(), [hid]: today } })
}

/** Today's answer kept on this phone for a household (`offline: true`), or null. */
export function keptToday(hid) {
  const k = kept()[hid]
  return k ? { ...k, offline: true } : null
}

/** GET /reports/today for one household; without a signal, today's answer kept on the phone (`offline: true`) or
 * null when there is none. */
export async function loadToday(hid) {
  try {
    const today = await api.get(`/reports/today?household=${encodeURIComponent(hid)}`)
    keep(hid, today)
    return today
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e
    const k = kept()[hid]
    return k ? { ...k, offline: true } : null
  }
}

/**
 * Where a household's day stands: {state, report, queued, cutoff}, state one of
 * queued (待发送: waiting on this phone), failed (the server refused the queued report), done (已报), todo (未报),
 * unknown (no answer and nothing kept: no signal, say).
 */
export function dayState(today, queued = null) {
  const base = { report: today?.report ?? null, queued, cutoff: today?.cutoff ?? null }
  if (queued) return { ...base, state: queued.error ? 'failed' : 'queued' }
  if (today?.report) return { ...base, state: 'done' }
  if (today) return { ...base, state: 'todo' }
  return { ...base, state: 'unknown' }
}

/**
 * The members' colours in today's report, for the card: {ok: all green, stopped: [{name, colour}] not green}.
 * What the checkpoint will say is the server's to tell (GET /passes/{pid}/status, on the pass page): the card
 * links there instead of applying the rule a second time.
 */
export function colourSummary(report) {
  const stopped = (report?.members ?? []).filter((m) => m.colour !== 'green').map((m) => ({ name: m.name, colour: m.colour }))
  return { ok: stopped.length === 0, stopped }
}
