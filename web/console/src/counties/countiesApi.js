import { api } from '@shared/api.js'

export async function allCounties() {
  const out = []
  let cursor = null
  do {
    const qs = new URLSearchParams({ limit: '100' })
    if (cursor) qs.set('cursor', cursor)
    const page = await api.get(`/counties?${qs}`)
    out.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return out
}

export const moduleCatalogue = () => api.get('/modules', { auth: false }).then((r) => r.items)
export const onboard = (body, idempotencyKey) => api.post('/counties', body, { idempotencyKey })
export const setStatus = (code, enable) => api.post(`/counties/${code}/${enable ? 'enable' : 'disable'}`)
export const setModules = (code, modules) => api.put(`/counties/${code}/modules`, { modules })
export const editCounty = (code, changes) => api.patch(`/counties/${code}`, changes)
