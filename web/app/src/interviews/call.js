// The two-party video call of an online interview: WebRTC with signalling through our API, exactly the handshake of
// the interviews contract —
//  1. GET the room → RTCPeerConnection({iceServers: room.ice_servers}); camera and microphone, every track added;
//     the other party's stream arrives through ontrack.
//  2. Each signal is one POST …/signals with its own Idempotency-Key (a retry after a lost answer reuses it), sent
//     one after another on a promise chain, so my signals reach the other party in the order I made them.
//  3. The host offers; the guest posts nothing until it has read an offer, then answers it.
//  4. Both poll GET …/signals?after=<cursor> (about every second until connected, then every 4 s; at once again when
//     a full page of 50 came back); ICE candidates that arrive before the remote description wait in a queue.
//  5. On `failed` the host restarts ICE (a new offer, iceRestart); the guest answers whatever offer comes.
//  6. Hanging up posts `bye` and stops the tracks; the other party's `bye` ends the call (对方已离开).
//  7. Rejoining starts again from step 1 with no cursor: the host's fresh offer is the one the guest answers (it
//     answers the last offer it reads; what came before that offer belongs to an older session; an offer already
//     followed by bye is over), and the host ignores the guest's signals older than its offer. A connection told
//     from another by its DTLS fingerprint: an offer from a new connection of the host's gets a new connection of
//     the guest's; an answer from a new connection of the guest's (it reloaded) makes the host offer afresh.
// The page (CallPage.vue) shows `state`; tests (call.test.js) drive it with fakes of RTCPeerConnection and fetch.
import { NetworkError, api, newIdempotencyKey } from '@shared/api.js'

export const POLL_CONNECTING_MS = 1000
export const POLL_CONNECTED_MS = 4000
export const PAGE = 50 // the server's page of signals
const POST_RETRIES = 3

// States the page shows (interview.state.* in the locales):
// starting → camera → waiting → connecting → connected (⇄ reconnecting) → left | ended | failed | closed | error
/** The DTLS fingerprint of an SDP: one per RTCPeerConnection, so it tells a new connection from the same one. */
export const fingerprint = (sdp) => /a=fingerprint:\S+ (\S+)/.exec(String(sdp ?? ''))?.[1] ?? null
const idOf = (sig) => String(sig?.id ?? '').slice(0, 13) // epoch ms of a signal id ({13 digits}{6 hex})

export class InterviewCall {
  /**
   * @param {string} roomId
   * @param {object} opts
   *   onState(state, detail), onLocal(stream), onRemote(stream): what the page shows;
   *   Peer (RTCPeerConnection), media (navigator.mediaDevices), sleep(ms), poll (false in tests: call pollOnce()).
   */
  constructor(roomId, opts = {}) {
    this.roomId = roomId
    this.path = `/interviews/${encodeURIComponent(roomId)}`
    this.onState = opts.onState ?? (() => {})
    this.onLocal = opts.onLocal ?? (() => {})
    this.onRemote = opts.onRemote ?? (() => {})
    this.onLog = opts.onLog ?? (() => {})
    this.Peer = opts.Peer ?? globalThis.RTCPeerConnection
    this.media = opts.media ?? globalThis.navigator?.mediaDevices
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)))
    this.autoPoll = opts.poll ?? true
    this.state = 'idle'
    this.error = null
    this.room = null
    this.pc = null
    this.stream = null
    this.cursor = null
    this.queued = [] // remote ICE candidates that came before the remote description
    this.chain = Promise.resolve() // my signals, one after another
    this.offerId = null // the host's current offer (its id): older signals of the guest are of another session
    this.stopped = false
    this.pending = [] // a guest's signals read while pages came back full (handled once caught up)
    this.answered = false // the guest has answered an offer in this call
  }

  setState(state, detail = null) {
    if (this.state === state) return
    this.state = state
    this.onState(state, detail)
  }

  /** Steps 1–3, then the polling loop (unless poll: false). Resolves once the call is set up (not when it ends). */
  async start() {
    this.setState('starting')
    try {
      this.room = await api.get(this.path)
    } catch (e) {
      return this.fail(e)
    }
    if (this.room.mode !== 'online') return this.fail(new Error('not_online'), 'error')
    if (!this.room.open) return this.setState('closed', { opens_at: this.room.opens_at, closes_at: this.room.closes_at })
    this.setState('camera')
    try {
      this.stream = await this.media.getUserMedia({ video: true, audio: true })
    } catch (e) {
      this.error = e
      return this.setState('no_camera')
    }
    if (this.stopped) return this.stopTracks()
    this.onLocal(this.stream)
    this.buildPeer()
    this.setState('waiting')
    if (this.room.role === 'host') await this.offer(false)
    if (this.autoPoll) this.loop()
  }

  /** A peer connection with my tracks (again when the other party came back with a new one of theirs). */
  buildPeer() {
    if (this.pc) this.dropPeer()
    const pc = new this.Peer({ iceServers: this.room.ice_servers ?? [] })
    this.pc = pc
    this.queued = []
    for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream)
    pc.ontrack = (e) => this.onRemote(e.streams?.[0] ?? null, e)
    pc.onicecandidate = (e) => {
      if (e.candidate && this.pc === pc) this.post('candidate', e.candidate.toJSON ? e.candidate.toJSON() : e.candidate)
    }
    pc.onconnectionstatechange = () => this.pc === pc && this.connectionChanged()
    pc.oniceconnectionstatechange = () => this.onLog(`ice ${pc.iceConnectionState}`)
    return pc
  }

  dropPeer() {
    const pc = this.pc
    pc.ontrack = pc.onicecandidate = pc.onconnectionstatechange = pc.oniceconnectionstatechange = null
    try {
      pc.close()
    } catch {
      // already closed
    }
  }

  /** The host's offer (step 3; with iceRestart on a failed connection, step 5). */
  async offer(iceRestart) {
    const pc = this.pc
    const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined)
    await pc.setLocalDescription(offer)
    const sent = await this.post('offer', { type: offer.type, sdp: offer.sdp })
    if (sent?.id) this.offerId = sent.id
  }

  /**
   * Post one signal after the ones before it. Each has its own Idempotency-Key, kept across retries (a lost answer
   * or a dropped connection: sent again with the same key, so it counts once). Resolves the server's {id, type, at}.
   */
  post(type, data) {
    const key = newIdempotencyKey()
    const send = async () => {
      for (let attempt = 0; ; attempt++) {
        if (this.stopped && type !== 'bye') return null
        try {
          return await api.post(`${this.path}/signals`, { type, data }, { idempotencyKey: key })
        } catch (e) {
          const again = e instanceof NetworkError || e?.status >= 500 || e?.status === 429
          if (!again || attempt >= POST_RETRIES) {
            this.problem(e)
            return null
          }
          await this.sleep(POLL_CONNECTING_MS * (attempt + 1))
        }
      }
    }
    const next = this.chain.then(send)
    this.chain = next.catch(() => null)
    return next
  }

  /** Step 4, once: read the other party's signals after the cursor and handle them in order. */
  async pollOnce() {
    if (this.stopped || !this.pc) return { full: false }
    let page
    try {
      const q = this.cursor ? `?after=${encodeURIComponent(this.cursor)}` : ''
      page = await api.get(`${this.path}/signals${q}`)
    } catch (e) {
      if (e instanceof NetworkError || e?.status >= 500 || e?.status === 429) return { full: false } // next time
      this.problem(e)
      return { full: false }
    }
    if (this.stopped) return { full: false }
    this.cursor = page.cursor ?? this.cursor
    const items = page.items ?? []
    const full = items.length >= PAGE
    if (this.room.role === 'guest') {
      // The guest answers the last offer it reads: hold what came while pages are full (catching up), then drop
      // everything before the last offer (an older session's offer, candidates, bye).
      this.pending.push(...items)
      if (full) return { full }
      let batch = this.pending
      this.pending = []
      const last = batch.map((s) => s.type).lastIndexOf('offer')
      if (last > 0) batch = batch.slice(last)
      // Just come in, and the last offer was hung up already: a session that is over. Wait for the host's next.
      if (!this.answered && last >= 0 && batch.some((s) => s.type === 'bye')) batch = []
      for (const s of batch) if (!(await this.handle(s))) break
    } else {
      for (const s of items) {
        if (this.offerId && idOf(s) < idOf({ id: this.offerId })) continue // before my offer: another session
        if (!(await this.handle(s))) break
      }
    }
    return { full }
  }

  /** One signal of the other party; false once the call is over. */
  async handle(s, pc = this.pc) {
    if (!pc || this.stopped) return false
    try {
      if (s.type === 'offer' && this.room.role === 'guest') {
        // An offer of another connection of the host's (its page reloaded): start a new one of mine to answer it.
        // The same connection's offer (an ICE restart, a renegotiation) is answered on this one.
        if (pc.remoteDescription && fingerprint(pc.remoteDescription.sdp) !== fingerprint(s.data?.sdp)) {
          this.onLog('new offer from a new connection: starting again')
          return this.handle(s, this.buildPeer())
        }
        await pc.setRemoteDescription(s.data)
        const answer = await pc.createAnswer()
        await pc.setLocalDescription(answer)
        this.post('answer', { type: 'answer', sdp: answer.sdp })
        this.answered = true
        if (this.state === 'waiting') this.setState('connecting')
        await this.flushCandidates()
      } else if (s.type === 'answer' && this.room.role === 'host') {
        if (pc.signalingState !== 'have-local-offer') {
          // Connected already, and an answer from another connection of the guest's (its page reloaded and it
          // answered my last offer): offer again from a new connection of mine, which its new one will answer.
          const known = pc.remoteDescription && fingerprint(pc.remoteDescription.sdp)
          if (known && fingerprint(s.data?.sdp) && known !== fingerprint(s.data?.sdp)) {
            this.onLog('answer from a new connection of the guest: offering again')
            this.buildPeer()
            this.setState('connecting')
            await this.offer(false)
          }
          return true // else an answer to an older offer of mine
        }
        await pc.setRemoteDescription(s.data)
        if (this.state === 'waiting') this.setState('connecting')
        await this.flushCandidates()
      } else if (s.type === 'candidate') {
        if (!s.data) return true
        if (pc.remoteDescription) await this.addCandidate(s.data)
        else this.queued.push(s.data)
      } else if (s.type === 'bye') {
        this.onLog('bye')
        this.close()
        this.setState('left')
        return false
      }
    } catch (e) {
      this.onLog(`signal ${s.type} failed: ${e?.message ?? e}`)
    }
    return true
  }

  async addCandidate(c) {
    try {
      await this.pc.addIceCandidate(c)
    } catch (e) {
      this.onLog(`candidate refused: ${e?.message ?? e}`) // of another session (ufrag differs): harmless
    }
  }

  async flushCandidates() {
    const waiting = this.queued.splice(0)
    for (const c of waiting) await this.addCandidate(c)
  }

  connectionChanged() {
    const s = this.pc?.connectionState
    this.onLog(`connection ${s}`)
    if (this.stopped || !s) return
    if (s === 'connected') this.setState('connected')
    else if (s === 'disconnected') this.setState('reconnecting')
    else if (s === 'connecting' && this.state !== 'reconnecting') this.setState('connecting')
    else if (s === 'failed') {
      this.setState('failed')
      if (this.room?.role === 'host') this.offer(true).catch((e) => this.onLog(`restart failed: ${e?.message}`))
    }
  }

  /** Step 4's loop: every second until connected, then every 4 s; at once after a full page. */
  async loop() {
    while (!this.stopped) {
      const { full } = await this.pollOnce()
      if (this.stopped) break
      if (!full) await this.sleep(this.state === 'connected' ? POLL_CONNECTED_MS : POLL_CONNECTING_MS)
    }
  }

  /** An answer the call cannot go on after (room closed, not mine): stop and say it. */
  problem(e) {
    if (e?.code === 'room_closed') {
      this.close()
      this.setState('closed', e.details ?? null)
    } else if (e?.status === 404 || e?.status === 403 || e?.code === 'not_online') {
      this.fail(e)
    } else {
      this.onLog(`signal problem: ${e?.message ?? e}`)
    }
  }

  fail(e, state = 'error') {
    this.error = e
    this.close()
    this.setState(e?.code === 'room_closed' ? 'closed' : state, e?.details ?? null)
  }

  /** Step 6: 挂断 — bye to the other party, then my tracks and the connection closed. */
  async hangUp() {
    const connectedBefore = Boolean(this.pc)
    this.stopped = true
    const bye = connectedBefore ? this.post('bye', null) : null
    this.close()
    this.setState('ended')
    await bye
  }

  close() {
    this.stopped = true
    this.stopTracks()
    if (this.pc) this.dropPeer()
  }

  stopTracks() {
    for (const t of this.stream?.getTracks?.() ?? []) t.stop()
  }
}
