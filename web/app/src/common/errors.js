// What a person reads when something fails: the server's own Chinese message, or a plain sentence — never JSON.
import { ApiError, NetworkError } from '@shared/api.js'

/** A sentence for `err` (t is vue-i18n's translate function). */
export function errorText(err, t) {
  if (err instanceof NetworkError) return t('error.network')
  if (err instanceof ApiError) {
    if (err.status === 503 || err.status >= 500) return t('error.server')
    return err.message
  }
  return t('error.unknown')
}

/** Trying the same thing again may work (no signal, a busy or broken server). */
export function retryable(err) {
  return err instanceof NetworkError || (err instanceof ApiError && (err.status >= 500 || err.status === 429))
}

/** {field: message} for a 422 (keys like "members.0.id_number"), plus extra codes that concern one field. */
export function fieldErrorsOf(err, codeFields = {}) {
  if (!(err instanceof ApiError)) return {}
  const out = err.fieldErrors()
  if (codeFields[err.code]) out[codeFields[err.code]] = err.message
  return out
}

/** The field errors that no input on the form shows, so the form lists them itself. */
export function unplacedErrors(fieldErrors, shownFields) {
  return Object.entries(fieldErrors)
    .filter(([field]) => !shownFields.includes(field))
    .map(([, message]) => message)
}
