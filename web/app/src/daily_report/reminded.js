// The households this person reminded today (the server sends one SMS a day per household; the button then says
// 已提醒 even after the app is reopened). Per person, reset each day (Asia/Shanghai).
import { ref } from 'vue'
import { session } from '@shared/api.js'
import { shanghaiToday } from './time.js'

const KEY = 'cqt.reminded'
const changes = ref(0) // renders that read remindedAt() follow markReminded()

function scope() {
  const s = session.load()
  return `${s?.tenant}:${s?.user_id}:${shanghaiToday()}`
}

function load() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY))
    return stored?.scope === scope() ? stored.at : {}
  } catch {
    return {}
  }
}

/** When the household was reminded today (ISO), or null. Reactive. */
export function remindedAt(hid) {
  void changes.value
  return load()[hid] ?? null
}

export function markReminded(hid, at) {
  localStorage.setItem(KEY, JSON.stringify({ scope: scope(), at: { ...load(), [hid]: at } }))
  changes.value += 1
}
