// 上传视频 for a course: read the file's length with a hidden <video>, then upload it in 16 MiB parts straight to S3
// (web/shared/multipart.js, 3 parts at a time). What is needed to carry on after a failure or a reload is kept in
// localStorage — {upload_id, name, size, lastModified, title, duration_s} per course (the file itself cannot be
// kept: the person picks the same file again, and it must match name, size and lastModified); carrying on asks the
// server what S3 holds (GET …/uploads/{id}) and sends only the missing parts.
import { uploadParts } from '@shared/multipart.js'
import { uploadsBase } from './lecturesApi.js'

export const MAX_BYTES = 2 * 1024 ** 3
export const TYPES = ['video/mp4', 'video/webm', 'video/quicktime']
const key = (cid) => `cqt.lectureUpload.${cid}`

/** The kept upload of a course, or null. */
export const keptUpload = (cid, storage = globalThis.localStorage) => {
  try {
    return JSON.parse(storage.getItem(key(cid))) || null
  } catch {
    return null
  }
}
export const keepUpload = (cid, kept, storage = globalThis.localStorage) => storage.setItem(key(cid), JSON.stringify(kept))
export const forgetUpload = (cid, storage = globalThis.localStorage) => storage.removeItem(key(cid))

/** Is `file` the one the kept upload was made from (name, size and lastModified)? */
export const sameFile = (kept, file) => !!kept && !!file && kept.name === file.name && kept.size === file.size
  && kept.lastModified === file.lastModified

/** The title a file suggests: its name without the extension. */
export const titleOf = (name) => String(name || '').replace(/\.[^.]+$/, '').slice(0, 60)

/**
 * The length of a video file in whole seconds (at least 1), from a hidden <video>'s metadata. A recording without a
 * length in its header (MediaRecorder webm) reports Infinity until the browser is asked to seek past the end.
 */
export function readDuration(file, doc = globalThis.document, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const v = doc.createElement('video')
    const url = URL.createObjectURL(file)
    let timer = null
    const done = (fn, arg) => {
      clearTimeout(timer)
      v.removeAttribute('src')
      v.load?.()
      URL.revokeObjectURL(url)
      fn(arg)
    }
    const check = () => {
      if (Number.isFinite(v.duration) && v.duration > 0) done(resolve, Math.max(1, Math.ceil(v.duration)))
      else if (v.duration === Infinity) v.currentTime = 1e7
    }
    v.preload = 'metadata'
    v.muted = true
    v.addEventListener('loadedmetadata', check)
    v.addEventListener('durationchange', check)
    v.addEventListener('error', () => done(reject, new Error('unreadable')))
    timer = setTimeout(() => done(reject, new Error('unreadable')), timeoutMs)
    v.src = url
  })
}

/**
 * Upload `file` to course `cid` as a video titled `title` of `duration_s`; `kept` (keptUpload) carries on that
 * upload instead of starting one. `onProgress(fraction, bytes)`. Returns the new Video; the kept record is cleared.
 */
export async function uploadLecture(cid, file, { title, duration_s, kept = null, onProgress, fetchFn, client,
  wait, storage = globalThis.localStorage, attempts = 3 } = {}) {
  const job = { blob: file, etags: {} }
  if (kept) Object.assign(job, { upload_id: kept.upload_id, part_size: kept.part_size, parts_count: kept.parts_count })
  const record = { name: file.name, size: file.size, lastModified: file.lastModified, title, duration_s }
  const store = {
    save: async (j) => keepUpload(cid, { ...record, upload_id: j.upload_id, part_size: j.part_size,
      parts_count: j.parts_count }, storage),
    clear: async () => forgetUpload(cid, storage),
  }
  return uploadParts(job, { base: uploadsBase(cid), store, onProgress, attempts, concurrency: 3,
    startBody: { title, content_type: file.type, size: file.size, duration_s },
    ...(fetchFn ? { fetchFn } : {}), ...(client ? { client } : {}), ...(wait ? { wait } : {}) })
}
