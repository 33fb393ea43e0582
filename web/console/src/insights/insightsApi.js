// 问题分析's routes (chalicelib/insights/api.py): the county's or a township's cases by category × place × week, the
// villages as map points, the frequent words, the villages whose week jumped, and each table as a workbook.
import { api } from '@shared/api.js'

const query = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v != null && v !== '')).toString()

/** GET /insights/cases → {place, level, weeks, previous_weeks, types, rows: [{week, place, type, category, count}],
 * total: Change, trend: {categories, places}, place_names} */
export const insightCases = (place, weeks) => api.get(`/insights/cases?${query({ place, weeks })}`)

/** GET /insights/hotspots → {points: [{village, name, township, township_name, count, lng, lat}], unplaced, max} */
export const insightHotspots = (place, weeks) => api.get(`/insights/hotspots?${query({ place, weeks })}`)

/** GET /insights/words → {cases, words: [{word, count}]} (the county or a township) */
export const insightWords = (place, weeks) => api.get(`/insights/words?${query({ place, weeks })}`)

/** GET /insights/anomalies → {week, history_weeks, rule, items: [{village, name, township_name, count, mean, sd,
 * threshold, history}]} (this week) */
export const insightAnomalies = (place) => api.get(`/insights/anomalies?${query({ place })}`)

/** POST /insights/export {table, place, weeks} → {url (10 minutes), filename} */
export const exportInsight = (table, place, weeks) => api.post('/insights/export', { table, place, weeks })
