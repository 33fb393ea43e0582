// Run `fn` now and then every `ms` milliseconds until stopped (or the component using it is unmounted). One call at a
// time: the next one is scheduled when the previous one has settled, so a slow network never piles up requests.
import { getCurrentInstance, onBeforeUnmount, ref } from 'vue'

export function usePolling(fn, ms) {
  const running = ref(false)
  let timer = null
  let busy = false
  let again = false
  let stopped = true

  async function tick() {
    timer = null
    if (stopped) return
    if (busy) {
      again = true // a call is in flight: go again as soon as it settles
      return
    }
    busy = true
    try {
      await fn()
    } catch {
      // the caller shows its own errors; polling goes on (the network may come back)
    } finally {
      busy = false
    }
    if (stopped) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(tick, again ? 0 : ms)
    again = false
  }

  /** Start polling: now, or (immediate = false) after the first interval. */
  function start(immediate = true) {
    if (!stopped) return
    stopped = false
    running.value = true
    if (immediate) tick()
    else timer = setTimeout(tick, ms)
  }

  function stop() {
    stopped = true
    again = false
    running.value = false
    if (timer) clearTimeout(timer)
    timer = null
  }

  /** Poll now (e.g. after an action), keeping the rhythm afterwards. */
  function now() {
    if (stopped) return
    if (timer) clearTimeout(timer)
    tick()
  }

  if (getCurrentInstance()) onBeforeUnmount(stop)
  return { start, stop, now, running }
}
