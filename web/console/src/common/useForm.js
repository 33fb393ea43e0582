// Submitting a form: field errors from a 422 go next to their fields, other errors above the buttons, and a
// network failure offers a retry that reuses the same Idempotency-Key (same body → same key).
import { reactive, ref, shallowRef, watch } from 'vue'
import { newIdempotencyKey } from '@shared/api.js'
import { fieldErrorsOf, noticeAuth } from './errors.js'

export function useForm() {
  const fieldErrors = reactive({})
  const error = shallowRef(null)
  const busy = ref(false)
  let keyBody = null
  let key = null
  let last = null

  /** The Idempotency-Key for this body: kept while the body is unchanged, so a retry cannot create twice. */
  function keyFor(body) {
    const json = JSON.stringify(body)
    if (json !== keyBody) {
      keyBody = json
      key = newIdempotencyKey()
    }
    return key
  }

  function clear() {
    for (const k of Object.keys(fieldErrors)) delete fieldErrors[k]
    error.value = null
  }

  function reset() {
    clear()
    keyBody = null
    key = null
  }

  async function submit(fn) {
    last = fn
    clear()
    busy.value = true
    try {
      const out = await fn()
      keyBody = null // the next submission is a new action
      return { ok: true, value: out }
    } catch (e) {
      noticeAuth(e)
      const fields = fieldErrorsOf(e)
      Object.assign(fieldErrors, fields)
      error.value = e // ApiErrorAlert shows the message, and the details that have no field on the form
      return { ok: false, error: e }
    } finally {
      busy.value = false
    }
  }

  /** When a field of `model` changes, its messages (ours in `local`, the API's) go away. */
  function track(model, local) {
    watch(() => ({ ...model }), (now, before) => {
      for (const k of Object.keys(now)) {
        if (JSON.stringify(now[k]) === JSON.stringify(before[k])) continue
        if (local && k in local) local[k] = ''
        delete fieldErrors[k]
      }
    })
  }

  return { fieldErrors, error, busy, submit, retry: () => (last ? submit(last) : null), keyFor, clear, reset, track }
}
