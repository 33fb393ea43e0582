// Who is signed in: the session (tokens, kept by @shared/api.js in localStorage) and /api/me.
import { defineStore } from 'pinia'
import { api, session, signOut as apiSignOut } from '@shared/api.js'
import { holds, placesOf, rootsOf } from '@shared/permissions.js'
import { invitableRoles, mayRemove, roleName } from './roles.js'

export const useAuth = defineStore('auth', {
  state: () => ({ session: session.load(), me: null, notice: '' }),
  getters: {
    signedIn: (s) => Boolean(s.session?.access_token),
    /** Signed in but with several counties and none chosen yet. */
    needsCounty: (s) => Boolean(s.session?.access_token) && !s.session?.tenant,
    grants: (s) => s.me?.grants || [],
    memberships: (s) => s.me?.memberships || s.session?.memberships || [],
  },
  actions: {
    // What the person may do, as /api/me says (see @shared/permissions.js and ./roles.js): the menu, the place trees,
    // the role select and the remove buttons are built from these.
    /** Do they hold `permission` somewhere, or at `place`? (A list of permissions: any one of them.) */
    can(permission, place) {
      return [].concat(permission).some((p) => holds(this.me, p, place))
    },
    /** The topmost places where they hold `permission` (or any of a list): where their trees and selects start. */
    roots(permission) {
      if (!Array.isArray(permission)) return rootsOf(this.me, permission)
      const any = [...new Set(permission.flatMap((p) => placesOf(this.me, p)))]
      return rootsOf({ permissions: { any } }, 'any')
    },
    /** The roles they may appoint at `place`. */
    invitableRoles(place) {
      return invitableRoles(this.me, place)
    },
    /** May they take away at least one of these (another person's) staff roles? */
    mayRemove(otherGrants) {
      return mayRemove(this.me, otherGrants)
    },
    roleName(role, locale) {
      return roleName(this.me, role, locale)
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
