// Place codes and what they say by themselves: the level (by length: county 6 digits, township 9, village 12, grid
// village + G + 2..3 digits) and which place is within which (a prefix test; a grid covers only itself, since
// G01 is a prefix of G012). The same geometry as chalicelib/core/tenancy.py `within`.

/** The level of a place code, or null for a code of no level. */
export function levelOf(code) {
  if (/^\d{6}$/.test(code || '')) return 'county'
  if (/^\d{9}$/.test(code || '')) return 'township'
  if (/^\d{12}$/.test(code || '')) return 'village'
  if (/^\d{12}G\d{2,3}$/.test(code || '')) return 'grid'
  return null
}

/** The level of the places a place of each level contains. */
export const CHILD_LEVEL = { county: 'township', township: 'village', village: 'grid', grid: null }

/** Is `place` at or below `scope` ('*' covers everything; a grid covers only itself)? */
export function within(place, scope) {
  if (scope === '*') return true
  if (typeof place !== 'string' || typeof scope !== 'string' || !scope) return false
  if (scope.includes('G')) return place === scope
  return place.startsWith(scope)
}

/** Is the code a grid's (the places field work is done in)? */
export const isGrid = (code) => typeof code === 'string' && code.includes('G')
