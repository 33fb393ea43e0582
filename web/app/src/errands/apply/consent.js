// 代办: a grid worker (or the village clerk) applies on a household's behalf. The family consents by a 6-digit code
// texted to the household's phone (POST /errands/consents); the worker types in the code the family reads out, and it
// goes with the application (consent_code). What the server says about the code lands under the code field, in words
// that say what to do next.
import { api, ApiError } from '@shared/api.js'

const CODE = /^\d{6}$/

/** POST /errands/consents {household} → {phone (masked), expires_in, resend_after}. */
export function askConsent(hid) {
  return api.post('/errands/consents', { household: hid })
}

/** What is wrong with the code before sending, as {consent_code: i18n key}. */
export function consentProblems(form) {
  const code = String(form.consent_code ?? '').trim()
  if (!code) return { consent_code: 'errandProxy.codeRequired' }
  if (!CODE.test(code)) return { consent_code: 'errandProxy.codeInvalid' }
  return {}
}

// The server's refusals about the code (400 on submit, 429/422 on sending it), by code: the i18n key of what to say.
const SAID = {
  consent_wrong: 'errandProxy.codeWrong',
  consent_used: 'errandProxy.codeUsed',
  consent_expired: 'errandProxy.codeExpired',
  consent_locked: 'errandProxy.codeLocked',
  consent_missing: 'errandProxy.codeMissing',
  consent_resend_throttled: 'errandProxy.resendThrottled',
  consent_daily_limit: 'errandProxy.dailyLimit',
  no_household_phone: 'errandProxy.noPhone',
}

/** The words for a refusal about the consent code (translated with `t`), or null when it is about something else. */
export function consentError(e, t) {
  if (!(e instanceof ApiError) || !SAID[e.code]) return null
  if (e.code === 'consent_wrong') {
    const left = e.details?.tries_left
    return left == null ? t(SAID[e.code]) : t('errandProxy.codeWrongLeft', { n: left })
  }
  if (e.code === 'consent_resend_throttled') return t(SAID[e.code], { n: e.retryAfter ?? 60 })
  return t(SAID[e.code])
}

/** The code was used up (or never sent): the worker must send a new one. */
export function needsNewCode(e) {
  return e instanceof ApiError && ['consent_used', 'consent_expired', 'consent_locked', 'consent_missing'].includes(e.code)
}
