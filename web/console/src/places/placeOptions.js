// The places a person may pick for a feature, as select options: from the topmost places of their grants with the
// permission down to villages, grouped by township. `levels` says which levels are offered (e.g. only villages for a
// checkpoint; the county, townships and villages for statistics; with 'grid', a person whose grant is at a grid gets
// that grid).
import { levelOf } from '@shared/placeCodes.js'
import { loadChildren, loadPlace } from './placeCache.js'

const ORDER = ['county', 'township', 'village']

/**
 * roots: place codes (auth.roots(permission)); levels: subset of ORDER, and 'grid' for roots that are grids.
 * → [{ code, name, options: [{ code, name, level }] }] (a group per township or root; `code` null for the county's
 *   own option group).
 */
export async function placeOptions(roots, levels) {
  const want = new Set(levels)
  const deepest = Math.max(...levels.map((l) => (l === 'grid' ? ORDER.length - 1 : ORDER.indexOf(l))))
  const groups = []
  const opt = (p) => ({ code: p.code, name: p.name, level: p.level || levelOf(p.code) })
  const below = (level) => ORDER.indexOf(level) < deepest

  async function township(t) {
    const options = want.has('township') ? [opt(t)] : []
    if (below('township')) options.push(...(await loadChildren(t.code)).filter((v) => v.level === 'village').map(opt))
    return options.length ? { code: t.code, name: t.name, options } : null
  }

  for (const code of roots) {
    const level = levelOf(code)
    if (level === 'grid' && want.has('grid')) {
      // a grid of one's own (grid staff): offered as it is
      const root = await loadPlace(code)
      groups.push({ code: root.code, name: root.name, options: [opt(root)] })
      continue
    }
    if (!ORDER.includes(level)) continue
    const root = await loadPlace(code)
    if (level === 'county') {
      if (want.has('county')) groups.push({ code: null, name: root.name, options: [opt(root)] })
      if (below('county')) {
        const townships = (await loadChildren(code)).filter((t) => t.level === 'township')
        // one request per township, side by side; the groups keep the townships' order
        groups.push(...(await Promise.all(townships.map(township))).filter(Boolean))
      }
    } else if (level === 'township') {
      const g = await township(root)
      if (g) groups.push(g)
    } else if (want.has('village')) {
      groups.push({ code: root.code, name: root.name, options: [opt(root)] })
    }
  }
  return groups
}
