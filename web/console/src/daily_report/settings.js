// The checks of PUT /reports/settings (chalicelib/daily_report/schemas.py SettingsIn), made before sending.

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

/** {field: i18n key} of what is wrong with `body` ({cutoff, party_reminder_at, grid_reminder_at}); {} when fine. */
export function checkSettings(body) {
  const out = {}
  for (const f of ['cutoff', 'party_reminder_at', 'grid_reminder_at']) {
    if (!HHMM.test(body[f] || '')) out[f] = 'reportSettings.required'
  }
  if (!out.party_reminder_at && !out.grid_reminder_at && !(body.party_reminder_at < body.grid_reminder_at)) {
    out.grid_reminder_at = 'reportSettings.order'
  }
  return out
}
