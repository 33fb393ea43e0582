// 专题授课's console routes (chalicelib/lectures/api.py): courses (draft / published), a course with its videos, the
// video upload in parts straight to S3 (web/shared/multipart.js), the comments awaiting a decision, the numbers.
import { api } from '@shared/api.js'

const e = encodeURIComponent

/** GET /lectures/courses?status → {items: Course[] (newest first), next_cursor}. */
export const listCourses = (status, cursor = null) =>
  api.get(`/lectures/courses?status=${e(status)}&limit=20${cursor ? `&cursor=${e(cursor)}` : ''}`)

/** GET /lectures/courses/{cid} → Course + {videos}. */
export const getCourse = (cid) => api.get(`/lectures/courses/${e(cid)}`)

/** POST /lectures/courses {title, description, audience} (Idempotency-Key) → Course (draft). */
export const createCourse = (body, idempotencyKey) => api.post('/lectures/courses', body, { idempotencyKey })

/** PUT /lectures/courses/{cid} {title, description, audience, status, videos, version} → the course's detail. */
export const updateCourse = (cid, body) => api.put(`/lectures/courses/${e(cid)}`, body)

/** Where a course's uploads go (POST to start, GET …/{id} to resume, POST …/{id}/complete, DELETE …/{id}). */
export const uploadsBase = (cid) => `/lectures/courses/${e(cid)}/videos/uploads`

/** DELETE …/uploads/{id}: the parts are freed (errors ignored: the upload may be gone already). */
export const abandonUpload = (cid, uploadId) => api.del(`${uploadsBase(cid)}/${e(uploadId)}`).catch(() => {})

/** GET /lectures/comments/pending?place → {items (oldest first), next_cursor}. */
export const listPending = (place, cursor = null) =>
  api.get(`/lectures/comments/pending?place=${e(place)}&limit=20${cursor ? `&cursor=${e(cursor)}` : ''}`)

/** POST /lectures/comments/{id}/decision {action: approve|hide} → the comment. */
export const decide = (id, action) => api.post(`/lectures/comments/${e(id)}/decision`, { action })

/** GET /lectures/courses/{cid}/stats?place → {views, completions, completion_rate, videos, children}. */
export const courseStats = (cid, place = '') =>
  api.get(`/lectures/courses/${e(cid)}/stats${place ? `?place=${e(place)}` : ''}`)
