// Errors of a form: {field: message} shown under the inputs (server keys like "members.0.id_number"), plus the
// whole-form error (with the messages of fields no input shows) in an ErrorBlock.
import { computed, nextTick, ref, shallowRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { fieldErrorsOf, unplacedErrors } from '../common/errors.js'

export function useFormErrors(shownFields) {
  const { t } = useI18n()
  const fields = ref({})
  const form = shallowRef(null)

  /** Scroll the first error into view (on a long form it may be far above the button). */
  async function reveal() {
    await nextTick()
    document.querySelector('.van-field__error-message, .error-block')?.scrollIntoView?.({ block: 'center' })
  }

  function clear() {
    fields.value = {}
    form.value = null
  }

  /** Problems found on the phone ({field: i18n key}); false (and shown) when there are any. */
  function check(problems) {
    fields.value = Object.fromEntries(Object.entries(problems).map(([k, key]) => [k, t(key)]))
    if (Object.keys(problems).length) reveal()
    return !Object.keys(problems).length
  }

  function fromServer(err, codeFields) {
    fields.value = fieldErrorsOf(err, codeFields)
    form.value = err
    reveal()
  }

  const unplaced = computed(() => unplacedErrors(fields.value, shownFields()))
  return { fields, form, unplaced, clear, check, fromServer }
}
