// Turning API failures into something a person understands: the server's Chinese message, per-field messages next
// to the fields, and a retry for network failures. A 401 that survived the token refresh means "sign in again".
import { ApiError, NetworkError } from '@shared/api.js'

let unauthorized = () => {}

export function onUnauthorized(fn) {
  unauthorized = fn
}

export function isNetwork(err) {
  return err instanceof NetworkError || err?.name === 'NetworkError' || err?.network === true
}

/** Called by every loader and form on failure. */
export function noticeAuth(err) {
  if (err instanceof ApiError && err.status === 401) unauthorized(err)
}

/** The sentence to show for an error (the API's zh-CN message, or ours for the network). */
export function errorMessage(err, t) {
  if (!err) return ''
  if (isNetwork(err)) return t('common.networkError')
  if (err instanceof ApiError) return err.message || t('common.unknownError')
  return err.message || t('common.unknownError')
}

/** 422 details → {field: message}; nested locations (members.0.name) are kept as they are. */
export function fieldErrorsOf(err) {
  if (err instanceof ApiError) return err.fieldErrors()
  return {}
}
