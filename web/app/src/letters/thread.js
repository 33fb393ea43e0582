// A letter's timeline as a conversation: words said by the writer (their replies, a reopening, a rating) on one side,
// words said by staff (notes, the answer) on the other, named by the office answering at that moment (村里 / 乡镇 /
// 县里: a letter moves up when left unanswered), and what happened without words (filed, accepted, escalated...) as
// short notices between them.

const LEVELS = ['grid', 'village', 'township', 'county']
const below = (level) => LEVELS[Math.max(0, LEVELS.indexOf(level) - 1)]

/** The level a letter started at: before its first escalation (if any), else where it is now. */
function startLevel(events, level) {
  const first = events.find((e) => e.event === 'escalated' && e.detail?.to)
  if (!first) return level
  return first.detail.top ? first.detail.to : below(first.detail.to)
}

/**
 * [{kind: 'message', side: 'mine' | 'theirs', role, level, event, name, at, by, note, rating}
 *  | {kind: 'notice', role, level, event, name, at, by, note, to}] in order, for a case `{level, timeline}`.
 * `side`: the writer's words are 'mine', staff's 'theirs' (whoever reads it: the filer or staff).
 */
export function threadOf(item) {
  const events = item?.timeline ?? []
  const first = startLevel(events, item?.level)
  let level = first
  return events.map((e) => {
    if (e.event === 'escalated' && e.detail?.to) level = e.detail.to
    else if (e.event === 'reopened') level = first // a reopened letter starts again where it began
    const base = { event: e.event, name: e.event_name, role: e.by_role, level, at: e.at, by: e.by, note: e.note || '' }
    if (e.by_role === 'filer' && (e.note || e.event === 'rated')) {
      return { ...base, kind: 'message', side: 'mine', rating: e.event === 'rated' ? (e.detail?.rating ?? null) : null }
    }
    if (e.by_role === 'staff' && e.note && e.event !== 'hidden') return { ...base, kind: 'message', side: 'theirs' }
    return { ...base, kind: 'notice', to: e.event === 'escalated' ? (e.detail?.to ?? null) : null }
  })
}
