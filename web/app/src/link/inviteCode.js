// Invite codes are 8 characters from an alphabet without look-alikes (no 0/O, 1/I).
export const normalizeInviteCode = (s) => String(s || '').replace(/\s/g, '').toUpperCase().slice(0, 8)
export const isInviteCode = (s) => /^[2-9A-HJ-NP-Z]{8}$/.test(s)
