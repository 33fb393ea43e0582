// Places from the API: one place, and every child of a place (following next_cursor).
import { api } from '@shared/api.js'

export function getPlace(code) {
  return api.get(`/places/${encodeURIComponent(code)}`)
}

export async function childrenOf(code) {
  const out = []
  let cursor = null
  do {
    const qs = new URLSearchParams({ parent: code, limit: '100' })
    if (cursor) qs.set('cursor', cursor)
    const page = await api.get(`/places?${qs}`)
    out.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return out
}

export function createPlace(body, idempotencyKey) {
  return api.post('/places', body, { idempotencyKey })
}
