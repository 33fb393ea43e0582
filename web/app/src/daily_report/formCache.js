// The report page as GET /home brought it (its daily_report part's `forms`: household id → GET /reports/form's
// answer), kept in memory for a few minutes so that the morning's report page opens with no request of its own:
// the morning is the home, then the report sent. Taken once: coming back to the page later asks the server again.

const FRESH_MS = 5 * 60 * 1000
const forms = new Map()

/** Keep the forms of GET /home's daily_report part ({hid: form}), as fetched at `now`. */
export function keepForms(byHousehold, now = Date.now()) {
  forms.clear()
  for (const [hid, form] of Object.entries(byHousehold ?? {})) {
    if (form?.household && form.today) forms.set(hid, { form, at: now })
  }
}

/** The form of a household fetched with the home less than 5 minutes ago (then forgotten), or null. */
export function takeForm(hid, now = Date.now()) {
  const kept = forms.get(hid)
  forms.delete(hid)
  return kept && now - kept.at >= 0 && now - kept.at < FRESH_MS ? kept.form : null
}

/** A household's address from a kept form, or null (the home's labels when a phone reports for several). */
export function keptAddress(hid) {
  return forms.get(hid)?.form.household.address ?? null
}

/** The history after the report `sent` (POST /reports' answer): it leads, and replaces the current one of its day. */
export function withSent(history, sent) {
  const items = (history?.items ?? []).filter((r) => r.id !== sent.id)
  return {
    next_cursor: history?.next_cursor ?? null,
    items: [{ ...sent, current: true }, ...items.map((r) => (r.date === sent.date && r.current ? { ...r, current: false } : r))],
  }
}
