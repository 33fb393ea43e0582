// Who is signed in: the session (tokens, kept by @shared/api.js in localStorage) and /api/me.
import { defineStore } from 'pinia'
import { api, session, signOut as apiSignOut } from '@shared/api.js'
import { can as canDo, rootPlaces } from './roles.js'

export const useAuth = defineStore('auth', {
  state: () => ({ session: session.load(), me: null, notice: '' }),
  getters: {
    signedIn: (s) => Boolean(s.session?.access_token),
    /** Signed in but with several counties and none chosen yet. */
    needsCounty: (s) => Boolean(s.session?.access_token) && !s.session?.tenant,
    grants: (s) => s.me?.grants || [],
    isOperator: (s) => (s.me?.grants || []).some((g) => g.role === 'platform_operator'),
    memberships: (s) => s.me?.memberships || s.session?.memberships || [],
  },
  actions: {
    can(permission, place) {
      return canDo(this.grants, permission, place)
    },
    roots(permission) {
      return rootPlaces(this.grants, permission)
    },
    async requestCode(phone) {
      return api.post('/auth/code', { phone }, { auth: false })
    },
    async signIn(phone, code) {
      const s = await api.post('/auth/token', { phone, code }, { auth: false })
      this.adopt(s)
      this.notice = ''
      if (s.tenant) await this.loadMe()
      return s
    },
    adopt(s) {
      session.save(s)
      this.session = s
      this.me = null
    },
    async switchTenant(tenant) {
      const s = await api.post('/auth/switch', { tenant })
      this.adopt({ ...s, memberships: s.memberships?.length ? s.memberships : this.memberships })
      await this.loadMe()
    },
    async loadMe() {
      this.me = await api.get('/me')
      this.session = session.load() // the client may have refreshed the tokens meanwhile
      return this.me
    },
    /** The session was dropped by the client (refresh failed): forget it here too. */
    sync() {
      this.session = session.load()
      if (!this.session) this.me = null
    },
    async signOut() {
      await apiSignOut()
      this.session = null
      this.me = null
    },
  },
})
