import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { mount } from '@vue/test-utils'
import { usePolling } from './usePolling.js'

afterEach(() => vi.useRealTimers())

describe('usePolling', () => {
  it('calls now, then every interval, one call at a time, and stops with the component', async () => {
    vi.useFakeTimers()
    let calls = 0
    let release
    const fn = vi.fn(() => {
      calls += 1
      return calls === 2 ? new Promise((r) => { release = r }) : Promise.resolve()
    })
    let polling
    const w = mount(defineComponent({ setup() {
      polling = usePolling(fn, 5000)
      polling.start()
      return () => h('p')
    } }))
    expect(fn).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(5000)
    expect(fn).toHaveBeenCalledTimes(2) // this one hangs (slow network)
    await vi.advanceTimersByTimeAsync(20000)
    expect(fn).toHaveBeenCalledTimes(2) // nothing piles up
    polling.now() // asked while busy: runs as soon as the slow one settles
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(fn).toHaveBeenCalledTimes(3)
    w.unmount()
    await vi.advanceTimersByTimeAsync(60000)
    expect(fn).toHaveBeenCalledTimes(3)
    expect(polling.running.value).toBe(false)
  })

  it('keeps polling after a failure', async () => {
    vi.useFakeTimers()
    const fn = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue(null)
    const p = usePolling(fn, 1000)
    p.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(fn).toHaveBeenCalledTimes(2)
    p.stop()
  })
})
