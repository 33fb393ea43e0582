// The call's handshake against fakes of RTCPeerConnection, the camera and fetch (the real API client on top): the
// host offers first and its candidates follow the offer; the guest answers only after reading an offer (the last
// one it reads); candidates wait for the remote description; one Idempotency-Key per signal, kept on retry; bye both
// ways; the polling pace.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { session } from '@shared/api.js'
import { apiError, fakeFetch, offline } from '../test-support.js'
import { InterviewCall, POLL_CONNECTED_MS, POLL_CONNECTING_MS } from './call.js'

const ROOM = 'a1b2c3d4e5f60718293a'
const OPEN = {
  id: ROOM, at: '2026-12-10T02:00:00Z', mode: 'online', title: '面试：叉车司机', admit: null, admitted_at: null,
  opens_at: '2026-12-10T01:45:00Z', closes_at: '2026-12-10T04:00:00Z', open: true, ice_servers: [],
}
const sig = (ms, type, data) => ({ id: `${ms}abcdef`, type, data, at: '2026-12-10T02:00:00Z' })
const tick = () => new Promise((r) => setTimeout(r, 0))

let log
class FakePeer {
  constructor(config) {
    this.config = config
    this.tracks = []
    this.remoteDescription = null
    this.localDescription = null
    this.signalingState = 'stable'
    this.connectionState = 'new'
    this.closed = false
    FakePeer.last = this
  }
  addTrack(track, stream) {
    this.tracks.push([track, stream])
  }
  async createOffer(opts) {
    log.push(['createOffer', opts ?? null])
    return { type: 'offer', sdp: `offer-sdp${opts?.iceRestart ? '-restart' : ''}` }
  }
  async createAnswer() {
    log.push(['createAnswer'])
    return { type: 'answer', sdp: 'answer-sdp' }
  }
  async setLocalDescription(d) {
    log.push(['setLocal', d.type])
    this.localDescription = d
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable'
  }
  async setRemoteDescription(d) {
    log.push(['setRemote', d.type, d.sdp])
    this.remoteDescription = d
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable'
  }
  async addIceCandidate(c) {
    if (!this.remoteDescription) throw new Error('no remote description') // as a browser does
    log.push(['addCandidate', c.candidate])
  }
  close() {
    this.closed = true
    log.push(['close'])
  }
  // what the browser would do
  gather(candidate) {
    this.onicecandidate?.({ candidate: { toJSON: () => ({ candidate, sdpMid: '0', sdpMLineIndex: 0 }) } })
  }
  become(state) {
    this.connectionState = state
    this.onconnectionstatechange?.()
  }
}

function camera() {
  const tracks = [{ kind: 'video', stop: vi.fn() }, { kind: 'audio', stop: vi.fn() }]
  const stream = { getTracks: () => tracks }
  return { stream, tracks, media: { getUserMedia: vi.fn(async () => stream) } }
}

/** A fake API for one party: the room, the signals it posted, and the other party's signals to read. */
function server({ room = OPEN, inbox = [], postHook } = {}) {
  const posted = []
  const reads = []
  const fetchFn = fakeFetch(async (req) => {
    if (req.method === 'GET' && req.path === `/interviews/${ROOM}`) return { body: room }
    if (req.method === 'POST' && req.path === `/interviews/${ROOM}/signals`) {
      const hooked = await postHook?.(req)
      if (hooked) return hooked
      const id = `${1765332000000 + posted.length}00000${posted.length % 10}`
      posted.push({ ...req.body, key: req.headers['Idempotency-Key'], id })
      return { status: 201, body: { id, type: req.body.type, at: '2026-12-10T02:00:00Z' } }
    }
    if (req.method === 'GET' && req.path.startsWith(`/interviews/${ROOM}/signals`)) {
      const after = new URLSearchParams(req.path.split('?')[1] ?? '').get('after')
      reads.push(after)
      const items = inbox.filter((s) => !after || s.id > after).slice(0, 50)
      return { body: { items, cursor: items.length ? items.at(-1).id : after, sender: 'x' } }
    }
    return apiError(404, 'not_found', '找不到')
  })
  return { posted, reads, fetchFn, inbox }
}

function call(extra = {}) {
  const cam = camera()
  const states = []
  const remote = []
  const c = new InterviewCall(ROOM, {
    Peer: FakePeer,
    media: cam.media,
    poll: false,
    sleep: async () => {},
    onState: (s) => states.push(s),
    onRemote: (s) => remote.push(s),
    ...extra,
  })
  return { c, cam, states, remote }
}

beforeEach(() => {
  log = []
  session.save({ access_token: 'tok', refresh_token: 'r', expires_at: Date.now() + 3600_000 })
})
afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
})

describe('host', () => {
  it('opens the camera, adds every track, offers, and its candidates follow the offer in order', async () => {
    let releaseOffer
    const s = server({
      room: { ...OPEN, role: 'host' },
      postHook: (req) => (req.body.type === 'offer' ? new Promise((r) => (releaseOffer = () => r(null))) : null),
    })
    const { c, cam, states } = call()
    const started = c.start()
    await vi.waitFor(() => expect(releaseOffer).toBeTypeOf('function'))
    expect(cam.media.getUserMedia).toHaveBeenCalledWith({ video: true, audio: true })
    expect(FakePeer.last.config).toEqual({ iceServers: [] })
    expect(FakePeer.last.tracks.map(([t]) => t.kind)).toEqual(['video', 'audio'])
    FakePeer.last.gather('cand-1') // gathered while the offer is still on its way
    FakePeer.last.gather('cand-2')
    await tick()
    expect(s.posted).toEqual([]) // nothing overtakes the offer
    releaseOffer()
    await started
    await vi.waitFor(() => expect(s.posted.map((p) => p.type)).toEqual(['offer', 'candidate', 'candidate']))
    expect(s.posted[0].data).toEqual({ type: 'offer', sdp: 'offer-sdp' })
    expect(s.posted.slice(1).map((p) => p.data.candidate)).toEqual(['cand-1', 'cand-2'])
    expect(new Set(s.posted.map((p) => p.key)).size).toBe(3) // one Idempotency-Key per signal
    expect(states).toEqual(['starting', 'camera', 'waiting'])
  })

  it('queues candidates until the answer, then applies them in order; the cursor moves on', async () => {
    const s = server({ room: { ...OPEN, role: 'host' } })
    const { c, states } = call()
    await c.start()
    const after = Number(s.posted[0].id.slice(0, 13)) + 5
    s.inbox.push(sig(after, 'candidate', { candidate: 'g-1' }), sig(after + 1, 'answer', { type: 'answer', sdp: 'A' }),
      sig(after + 2, 'candidate', { candidate: 'g-2' }))
    await c.pollOnce()
    expect(log.filter((l) => l[0] !== 'createOffer' && l[0] !== 'setLocal')).toEqual([
      ['setRemote', 'answer', 'A'], ['addCandidate', 'g-1'], ['addCandidate', 'g-2'],
    ])
    expect(states.at(-1)).toBe('connecting')
    await c.pollOnce()
    expect(s.reads).toEqual([null, `${after + 2}abcdef`])
    FakePeer.last.become('connected')
    expect(c.state).toBe('connected')
  })

  it('ignores what the guest sent before its offer (an older session) and answers to no offer of its own', async () => {
    const s = server({
      room: { ...OPEN, role: 'host' },
      inbox: [sig(1765331000000, 'answer', { type: 'answer', sdp: 'OLD' }), sig(1765331000001, 'bye', null)],
    })
    const { c } = call()
    await c.start()
    await c.pollOnce()
    expect(log.some((l) => l[0] === 'setRemote')).toBe(false)
    expect(c.state).toBe('waiting') // the old bye did not end this call
    s.inbox.push(sig(1765332000100, 'answer', { type: 'answer', sdp: 'NEW' }))
    await c.pollOnce()
    expect(log.filter((l) => l[0] === 'setRemote')).toEqual([['setRemote', 'answer', 'NEW']])
    s.inbox.push(sig(1765332000200, 'answer', { type: 'answer', sdp: 'AGAIN' })) // stable: no offer to answer
    await c.pollOnce()
    expect(log.filter((l) => l[0] === 'setRemote')).toHaveLength(1)
  })

  it('restarts ICE with a new offer when the connection fails', async () => {
    const s = server({ room: { ...OPEN, role: 'host' } })
    const { c } = call()
    await c.start()
    FakePeer.last.become('failed')
    await vi.waitFor(() => expect(s.posted.map((p) => p.type)).toEqual(['offer', 'offer']))
    expect(s.posted[1].data.sdp).toBe('offer-sdp-restart')
    expect(log).toContainEqual(['createOffer', { iceRestart: true }])
  })
})

describe('guest', () => {
  it('posts nothing before an offer, then answers the last offer it reads and its candidates after it', async () => {
    const s = server({ room: { ...OPEN, role: 'guest' } })
    const { c, states } = call()
    await c.start()
    await c.pollOnce()
    expect(s.posted.filter((p) => p.type !== 'candidate')).toEqual([])
    s.inbox.push(
      sig(1765332000001, 'offer', { type: 'offer', sdp: 'OLD' }),
      sig(1765332000002, 'candidate', { candidate: 'old-c' }),
      sig(1765332000003, 'bye', null),
      sig(1765332000004, 'candidate', { candidate: 'h-1' }), // before the new offer: of the old session
      sig(1765332000005, 'offer', { type: 'offer', sdp: 'NEW' }),
      sig(1765332000006, 'candidate', { candidate: 'h-2' }),
    )
    await c.pollOnce()
    expect(log.filter((l) => ['setRemote', 'createAnswer', 'addCandidate'].includes(l[0]))).toEqual([
      ['setRemote', 'offer', 'NEW'], ['createAnswer'], ['addCandidate', 'h-2'],
    ])
    await vi.waitFor(() => expect(s.posted.map((p) => p.type)).toContain('answer'))
    expect(s.posted.find((p) => p.type === 'answer').data).toEqual({ type: 'answer', sdp: 'answer-sdp' })
    expect(states).toEqual(['starting', 'camera', 'waiting', 'connecting'])
  })

  it('applies candidates queued before the offer once the offer is set', async () => {
    const s = server({ room: { ...OPEN, role: 'guest' } })
    const { c } = call()
    await c.start()
    s.inbox.push(sig(1765332000001, 'offer', { type: 'offer', sdp: 'O' }))
    // a candidate in the next page (after the offer): added at once
    await c.pollOnce()
    s.inbox.push(sig(1765332000002, 'candidate', { candidate: 'h-1' }))
    await c.pollOnce()
    expect(log.filter((l) => l[0] === 'addCandidate')).toEqual([['addCandidate', 'h-1']])
    // candidates read before any offer wait in the queue until the offer comes
    const t = call()
    server({ room: { ...OPEN, role: 'guest' }, inbox: [sig(1765332000001, 'candidate', { candidate: 'q-1' })] })
    log = []
    await t.c.start()
    await t.c.pollOnce()
    expect(log.filter((l) => l[0] === 'addCandidate')).toEqual([])
    expect(t.c.queued).toEqual([{ candidate: 'q-1' }])
    await t.c.handle(sig(1765332000002, 'offer', { type: 'offer', sdp: 'O' }))
    expect(log.filter((l) => l[0] === 'addCandidate')).toEqual([['addCandidate', 'q-1']])
  })

  it('waits for the end of a run of full pages before answering (the newest offer may be on a later page)', async () => {
    const inbox = [sig(1765332000000, 'offer', { type: 'offer', sdp: 'OLD' })]
    for (let i = 1; i < 60; i++) inbox.push(sig(1765332000000 + i, 'candidate', { candidate: `c${i}` }))
    inbox.push(sig(1765332000100, 'offer', { type: 'offer', sdp: 'NEW' }))
    server({ room: { ...OPEN, role: 'guest' }, inbox })
    const { c } = call()
    await c.start()
    expect((await c.pollOnce()).full).toBe(true)
    expect(log.some((l) => l[0] === 'setRemote')).toBe(false)
    await c.pollOnce()
    expect(log.filter((l) => l[0] === 'setRemote')).toEqual([['setRemote', 'offer', 'NEW']])
  })

  it("ends on the host's bye: 对方已离开, the connection closed and the camera off, no more polling", async () => {
    const s = server({ room: { ...OPEN, role: 'guest' } })
    const { c, cam } = call()
    await c.start()
    s.inbox.push(sig(1765332000001, 'offer', { type: 'offer', sdp: 'O' }))
    await c.pollOnce()
    s.inbox.push(sig(1765332000002, 'bye', null))
    await c.pollOnce()
    expect(c.state).toBe('left')
    expect(FakePeer.last.closed).toBe(true)
    expect(cam.tracks.every((t) => t.stop.mock.calls.length === 1)).toBe(true)
    const reads = s.reads.length
    await c.pollOnce()
    expect(s.reads.length).toBe(reads)
  })
})

describe('rejoining (a page reloaded)', () => {
  const sdp = (fp) => `v=0\r\na=fingerprint:sha-256 ${fp}\r\n`

  it('the guest just come in ignores an offer already hung up, and answers the next', async () => {
    const s = server({
      room: { ...OPEN, role: 'guest' },
      inbox: [sig(1765332000001, 'offer', { type: 'offer', sdp: sdp('AA') }), sig(1765332000002, 'bye', null)],
    })
    const { c } = call()
    await c.start()
    await c.pollOnce()
    expect(c.state).toBe('waiting')
    expect(log.some((l) => l[0] === 'setRemote')).toBe(false)
    s.inbox.push(sig(1765332000003, 'offer', { type: 'offer', sdp: sdp('BB') }))
    await c.pollOnce()
    expect(log.filter((l) => l[0] === 'setRemote').map((l) => l[2])).toEqual([sdp('BB')])
    expect(c.state).toBe('connecting')
  })

  it("the guest answers an offer of the host's new connection from a new connection of its own", async () => {
    const s = server({ room: { ...OPEN, role: 'guest' }, inbox: [sig(1765332000001, 'offer', { type: 'offer', sdp: sdp('AA') })] })
    const { c, remote } = call()
    await c.start()
    await c.pollOnce()
    const first = FakePeer.last
    s.inbox.push(sig(1765332000002, 'offer', { type: 'offer', sdp: sdp('AA') })) // an ICE restart: same connection
    await c.pollOnce()
    expect(FakePeer.last).toBe(first)
    s.inbox.push(sig(1765332000003, 'offer', { type: 'offer', sdp: sdp('CC') })) // the host reloaded
    await c.pollOnce()
    expect(FakePeer.last).not.toBe(first)
    expect(first.closed).toBe(true)
    expect(FakePeer.last.tracks.map(([t]) => t.kind)).toEqual(['video', 'audio'])
    expect(FakePeer.last.remoteDescription.sdp).toBe(sdp('CC'))
    await vi.waitFor(() => expect(s.posted.filter((p) => p.type === 'answer')).toHaveLength(3))
    FakePeer.last.ontrack({ streams: [{ id: 'new' }] })
    expect(remote.at(-1)).toEqual({ id: 'new' })
  })

  it("the host offers again from a new connection when the guest's new connection answers", async () => {
    const s = server({ room: { ...OPEN, role: 'host' } })
    const { c } = call()
    await c.start()
    const after = Number(s.posted[0].id.slice(0, 13)) + 5
    s.inbox.push(sig(after, 'answer', { type: 'answer', sdp: sdp('G1') }))
    await c.pollOnce()
    const first = FakePeer.last
    FakePeer.last.become('connected')
    s.inbox.push(sig(after + 1, 'answer', { type: 'answer', sdp: sdp('G1') })) // a repeat: nothing to do
    await c.pollOnce()
    expect(s.posted.filter((p) => p.type === 'offer')).toHaveLength(1)
    s.inbox.push(sig(after + 2, 'answer', { type: 'answer', sdp: sdp('G2') })) // the guest reloaded
    await c.pollOnce()
    expect(first.closed).toBe(true)
    expect(FakePeer.last).not.toBe(first)
    expect(s.posted.filter((p) => p.type === 'offer')).toHaveLength(2)
    expect(c.state).toBe('connecting')
    first.become('failed') // the old connection's events no longer count
    expect(c.state).toBe('connecting')
  })
})

describe('both', () => {
  it('hanging up posts bye (no data), stops the tracks and closes the connection', async () => {
    const s = server({ room: { ...OPEN, role: 'host' } })
    const { c, cam } = call()
    await c.start()
    await c.hangUp()
    expect(s.posted.map((p) => [p.type, p.data])).toEqual([['offer', { type: 'offer', sdp: 'offer-sdp' }], ['bye', null]])
    expect(cam.tracks.every((t) => t.stop.mock.calls.length === 1)).toBe(true)
    expect(FakePeer.last.closed).toBe(true)
    expect(c.state).toBe('ended')
  })

  it('sends a signal again with the same Idempotency-Key after a lost answer', async () => {
    let failures = 1
    const s = server({
      room: { ...OPEN, role: 'host' },
      postHook: (req) => {
        if (req.body.type === 'offer' && failures-- > 0) {
          s.lost.push(req.headers['Idempotency-Key'])
          return offline()
        }
        return null
      },
    })
    s.lost = []
    const { c } = call()
    await c.start()
    expect(s.posted.map((p) => p.type)).toEqual(['offer'])
    expect(s.posted[0].key).toBe(s.lost[0])
  })

  it('a closed room: the window to show, no camera opened', async () => {
    server({ room: { ...OPEN, role: 'guest', open: false, ice_servers: [] } })
    const { c, cam, states } = call()
    await c.start()
    expect(states).toEqual(['starting', 'closed'])
    expect(cam.media.getUserMedia).not.toHaveBeenCalled()
  })

  it('the room closing under the call stops it (409 room_closed)', async () => {
    server({
      room: { ...OPEN, role: 'host' },
      postHook: () => apiError(409, 'room_closed', '面试间未开放', { opens_at: 'a', closes_at: 'b' }),
    })
    const { c } = call()
    await c.start()
    expect(c.state).toBe('closed')
    expect(FakePeer.last.closed).toBe(true)
  })

  it('polls about every second while connecting, every 4 s once connected', async () => {
    server({ room: { ...OPEN, role: 'guest' } })
    const waits = []
    let c
    const t = call({
      poll: true,
      sleep: async (ms) => {
        waits.push(ms)
        if (waits.length === 2) FakePeer.last.become('connected')
        if (waits.length === 4) c.close()
        await tick()
      },
    })
    c = t.c
    await c.start()
    await vi.waitFor(() => expect(waits.length).toBe(4))
    expect(waits).toEqual([POLL_CONNECTING_MS, POLL_CONNECTING_MS, POLL_CONNECTED_MS, POLL_CONNECTED_MS])
  })

  it('the remote stream goes to the page', async () => {
    server({ room: { ...OPEN, role: 'guest' } })
    const { c, remote } = call()
    await c.start()
    const stream = { id: 'remote' }
    FakePeer.last.ontrack({ streams: [stream] })
    expect(remote).toEqual([stream])
  })
})
