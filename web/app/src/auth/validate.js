// Checks a phone makes before asking the server, so that mistakes show at once, even without a signal.
export const normalizePhone = (s) => (s || '').replace(/[\s-]/g, '')
export const isMobile = (s) => /^1[3-9]\d{9}$/.test(normalizePhone(s))
export const isOtp = (s) => /^\d{6}$/.test(s || '')
