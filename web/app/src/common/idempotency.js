// One Idempotency-Key per action: retrying the same body (after a lost answer) reuses the key, so the server
// returns the first answer instead of creating twice; a changed body, or the next action after done(), gets a new one.
import { newIdempotencyKey } from '@shared/api.js'

export function idempotencyKeys() {
  let last = null
  return {
    for(body) {
      const text = JSON.stringify(body)
      if (last?.text !== text) last = { text, key: newIdempotencyKey() }
      return last.key
    },
    done() {
      last = null
    },
  }
}
