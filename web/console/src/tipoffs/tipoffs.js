// Pure helpers of the tip-off screens: the codes the API uses, what is new, and the statistics as tables and as an
// ECharts option (data → option, testable without a canvas).

export const CATEGORIES = ['returnee', 'gathering', 'other']
export const STATUSES = ['open', 'handling', 'closed']
export const DISPOSITIONS = ['warned', 'quarantine_arranged', 'unfounded', 'other']
/** The tabs of the list: the statuses, then everything. */
export const TABS = [...STATUSES, 'all']

export const CATEGORY_COLOURS = { returnee: '#1d5fb4', gathering: '#c62828', other: '#8a5300' }

/** Tip-offs in `items` whose id is not in `seen` (a Set); adds every id of `items` to `seen`. */
export function freshTipoffs(items, seen) {
  const fresh = (items || []).filter((x) => !seen.has(x.id))
  for (const x of items || []) seen.add(x.id)
  return fresh
}

/** May the list cover the whole county (a grant with the permission at the county itself)? */
export function countyWide(roots) {
  return (roots || []).some((c) => /^\d{6}$/.test(c))
}

/** The Monday of an ISO week ('2020-W25' → '2020-06-15'). */
export function weekStart(week) {
  const m = /^(\d{4})-W(\d{2})$/.exec(week || '')
  if (!m) return ''
  const [year, n] = [Number(m[1]), Number(m[2])]
  const jan4 = new Date(Date.UTC(year, 0, 4))
  const monday1 = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000)
  return new Date(monday1.getTime() + (n - 1) * 7 * 86400000).toISOString().slice(0, 10)
}

const zero = () => Object.fromEntries([...CATEGORIES, 'total'].map((c) => [c, 0]))

/**
 * Statistics ({weeks, rows}) as tables: one row per week (every week asked for, oldest first, zeros included), one
 * row per village with tip-offs (most first), and the totals.
 */
export function statsTables(stats) {
  const weeks = (stats?.weeks || []).map((week) => ({ week, start: weekStart(week), ...zero() }))
  const byWeek = Object.fromEntries(weeks.map((w) => [w.week, w]))
  const villages = new Map()
  const total = zero()
  for (const r of stats?.rows || []) {
    if (!CATEGORIES.includes(r.category)) continue
    const n = r.count || 0
    const w = byWeek[r.week]
    if (w) {
      w[r.category] += n
      w.total += n
    }
    if (!villages.has(r.village)) villages.set(r.village, { village: r.village, name: r.village_name || r.village, ...zero() })
    const v = villages.get(r.village)
    v[r.category] += n
    v.total += n
    total[r.category] += n
    total.total += n
  }
  const byVillage = [...villages.values()].sort((a, b) => b.total - a.total || a.village.localeCompare(b.village))
  return { weeks, villages: byVillage, total }
}

/**
 * Counts per week as bars stacked by category.
 * weeks: statsTables(…).weeks; labels: {categories: {returnee, gathering, other}, count, title}
 */
export function statsOption(weeks, labels) {
  return {
    animation: false,
    aria: { enabled: true, label: { description: labels.title } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { data: CATEGORIES.map((c) => labels.categories[c]), top: 0 },
    grid: { left: 48, right: 24, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: weeks.map((w) => w.week.slice(5)), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', name: labels.count, minInterval: 1 },
    series: CATEGORIES.map((c) => ({
      name: labels.categories[c], type: 'bar', stack: 'categories', barMaxWidth: 36,
      itemStyle: { color: CATEGORY_COLOURS[c] }, data: weeks.map((w) => w[c]),
    })),
  }
}
