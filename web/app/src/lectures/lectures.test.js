// 专题授课 on the phone: what a heartbeat reports as played since the previous one (video.played only grows; a seek
// plays nothing), and the times shown.
import { describe, expect, it } from 'vitest'
import { clock, hlsUrl, newlyPlayed, rangesOf } from './lectures.js'

const timeRanges = (list) => ({ length: list.length, start: (i) => list[i][0], end: (i) => list[i][1] })

describe('专题授课: the heartbeat’s ranges', () => {
  it('reports only what was played since the previous heartbeat', () => {
    expect(newlyPlayed([[120, 150]], [])).toEqual([[120, 150]])
    // played on from 150 to 180: only that is new
    expect(newlyPlayed([[120, 180]], [[120, 150]])).toEqual([[150, 180]])
    // sought back to 10 and played 20 s: a new range; the old one is not sent again
    expect(newlyPlayed([[10, 30], [120, 180]], [[120, 180]])).toEqual([[10, 30]])
    // a seek plays nothing; slivers under half a second are dropped
    expect(newlyPlayed([[120, 180.3]], [[120, 180]])).toEqual([])
    // two earlier ranges merged by playing across the gap
    expect(newlyPlayed([[0, 100]], [[0, 40], [60, 70]])).toEqual([[40, 60], [70, 100]])
  })

  it('reads video.played rounded to a tenth of a second; times as m:ss or h:mm:ss', () => {
    expect(rangesOf(timeRanges([[1.234, 5.678]]))).toEqual([[1.2, 5.7]])
    expect(rangesOf(null)).toEqual([])
    expect(clock(65)).toBe('1:05')
    expect(clock(3725)).toBe('1:02:05')
  })
})

describe('专题授课: the HLS source', () => {
  it('is the API path the server names, under the API, or null without renditions', () => {
    expect(hlsUrl({ sources: { hls: '/lectures/hls/tok/index', original: 'https://s3/x' } }))
      .toBe('/api/lectures/hls/tok/index')
    expect(hlsUrl({ sources: { hls: null, original: 'https://s3/x' } })).toBeNull()
    expect(hlsUrl(null)).toBeNull()
  })
})
