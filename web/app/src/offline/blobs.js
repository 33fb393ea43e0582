// Files waiting in the outbox (the shrunk photos of a 随手拍 made without a signal) live in IndexedDB: localStorage
// holds strings only, and six photos of 300 KB would fill it. Keyed by `${outbox key}.${n}`, so an outbox item names
// its own photos; they are deleted with the item. Where IndexedDB cannot be opened (a locked-down browser) the photos
// are kept in memory: they are sent while the app stays open, and lost if it is closed.

const DB = 'cqt-outbox'
const STORE = 'blobs'

function memoryStore() {
  const m = new Map()
  return {
    put: async (id, blob) => void m.set(id, blob),
    get: async (id) => m.get(id) ?? null,
    del: async (id) => void m.delete(id),
  }
}

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

function indexedStore() {
  let opening = null
  const db = () => {
    opening ||= new Promise((resolve, reject) => {
      const r = indexedDB.open(DB, 1)
      r.onupgradeneeded = () => r.result.createObjectStore(STORE)
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    return opening
  }
  const run = async (mode, fn) => {
    const tx = (await db()).transaction(STORE, mode)
    const result = request(fn(tx.objectStore(STORE)))
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve
      tx.onerror = () => reject(tx.error)
      tx.onabort = () => reject(tx.error)
    })
    return result
  }
  return {
    put: (id, blob) => run('readwrite', (s) => s.put(blob, id)).then(() => undefined),
    get: (id) => run('readonly', (s) => s.get(id)).then((b) => b ?? null),
    del: (id) => run('readwrite', (s) => s.delete(id)).then(() => undefined),
  }
}

let store = null
let fallback = null

function current() {
  store ||= globalThis.indexedDB ? indexedStore() : memoryStore()
  return store
}

/** Use another store ({put, get, del}, all async): tests. */
export function setBlobStore(s) {
  store = s
}

async function withFallback(op, ...args) {
  try {
    return await current()[op](...args)
  } catch {
    fallback ||= memoryStore()
    return fallback[op](...args)
  }
}

export const putBlob = (id, blob) => withFallback('put', id, blob)
export async function getBlob(id) {
  return (await withFallback('get', id)) ?? (fallback ? fallback.get(id) : null)
}
export const deleteBlobs = (ids) => Promise.all(ids.map((id) => withFallback('del', id).catch(() => {})))
