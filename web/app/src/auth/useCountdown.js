// "59 秒后重发": seconds left until a deadline, ticking once a second while the component lives.
import { onBeforeUnmount, ref } from 'vue'

export function useCountdown() {
  const remaining = ref(0)
  let timer = null
  let until = 0

  function tick() {
    remaining.value = Math.max(0, Math.ceil((until - Date.now()) / 1000))
    if (!remaining.value) stop()
  }

  function stop() {
    clearInterval(timer)
    timer = null
  }

  function start(seconds) {
    until = Date.now() + seconds * 1000
    stop()
    tick()
    if (remaining.value) timer = setInterval(tick, 1000)
  }

  onBeforeUnmount(stop)
  return { remaining, start }
}
