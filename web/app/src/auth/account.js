// Who is signed in: the session (tokens, county) and /api/me (name, roles and places, switched-on modules).
// /api/me is kept in localStorage too, so the app knows who you are (and shows field mode) without a signal.
// What the person may do is read from its `permissions` (@shared/permissions.js), never from role names; a copy kept
// by an older version of the app has none, and holds nothing until /me answers again.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, session, signOut as endSession } from '@shared/api.js'
import { placesOf } from '@shared/permissions.js'
import { isGrid } from '@shared/placeCodes.js'

const ME = 'cqt.me'
const FRESH_MS = 5 * 60 * 1000 // a me the server gave this recently is not asked for again

/** The grids of my field work: the grids where I may read the households (grid staff are placed at a grid). */
export const fieldGrids = (me) => placesOf(me, 'households.read').filter(isGrid)

function cachedMe(s) {
  try {
    const m = JSON.parse(localStorage.getItem(ME))
    return m && s && m.user_id === s.user_id && m.tenant === s.tenant ? m : null
  } catch {
    return null
  }
}

const unique = (xs) => [...new Set(xs)]

export const useAccount = defineStore('account', () => {
  const current = ref(session.load())
  const me = ref(cachedMe(current.value))
  let answeredAt = null // when the server last said who I am, in this page's life (the kept copy: never)

  const grants = computed(() => me.value?.grants ?? [])
  const households = computed(() => unique(grants.value.map((g) => g.household).filter(Boolean)))
  const grids = computed(() => fieldGrids(me.value))

  /** A place's name from my grants (/api/me names them): 张王村第一网格 rather than its code. */
  function placeName(code) {
    return grants.value.find((g) => g.place === code && g.place_name)?.place_name || code
  }

  function forget() {
    current.value = session.load()
    me.value = null
    answeredAt = null
    localStorage.removeItem(ME)
  }

  /** Start using a session that /auth/token, /auth/switch or /links returned. */
  function start(s) {
    session.save(s)
    forget()
  }

  /** Use and keep a /me answer (GET /me, or the `me` of GET /home). */
  function keepMe(m) {
    me.value = m
    answeredAt = Date.now()
    localStorage.setItem(ME, JSON.stringify(m))
    return m
  }

  async function loadMe() {
    return keepMe(await api.get('/me'))
  }

  /** The known me at once (refreshed in the background unless the server answered it in the last minutes: the
   * home's GET /home did, so the screens opened from it ask nothing), or the server's answer when none is known yet.
   * A kept me from before /me said what one may do (no `permissions`) waits for the server, and is used only without
   * a signal. */
  async function ensureMe() {
    if (!me.value) return loadMe()
    if (!me.value.permissions) return loadMe().catch(() => me.value)
    if (answeredAt === null || Date.now() - answeredAt > FRESH_MS || Date.now() < answeredAt) loadMe().catch(() => {})
    return me.value
  }

  /** PUT /me/settings (e.g. {sms_updates: true}); the answer is the whole /me, kept like loadMe's. */
  async function saveSettings(settings) {
    const m = await api.put('/me/settings', settings)
    me.value = m
    localStorage.setItem(ME, JSON.stringify(m))
    return m
  }

  async function switchCounty(tenant) {
    start(await api.post('/auth/switch', { tenant }))
    return loadMe()
  }

  async function signOut() {
    await endSession()
    forget()
  }

  /** The server refused the session (expired, revoked): drop it locally. */
  function ended() {
    session.clear()
    forget()
  }

  return { current, me, households, grids, placeName, start, keepMe, loadMe, ensureMe, saveSettings, switchCounty, signOut, ended }
})
