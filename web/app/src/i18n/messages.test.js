// @vitest-environment node
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import en from './en.js'
import zhCN from './zh-CN.js'

const SRC = fileURLToPath(new URL('..', import.meta.url))

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(vue|js)$/.test(name) && !name.endsWith('.test.js') ? [path] : []
  })
}

describe('messages', () => {
  it('has every message in both languages', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })

  it('has a message for every key the screens use', () => {
    const known = new Set(keys(zhCN))
    const namespaces = Object.keys(zhCN).join('|')
    const used = new Set()
    // A permission asked of /api/me (holds(me, 'party.duties'), placesOf(...)) looks like a key but is none.
    const notPermission = '(?<!(?:holds|placesOf)\\([^()]*)'
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8')
      for (const [, key] of text.matchAll(new RegExp(`${notPermission}'((?:${namespaces})\\.[a-zA-Z]+)'`, 'g'))) {
        used.add(key)
      }
    }
    expect([...used].filter((k) => !known.has(k))).toEqual([])
    expect(used.size).toBeGreaterThan(100)
  })

  it('uses no vue-i18n special syntax by accident', () => {
    for (const text of keys(zhCN).map((k) => k.split('.').reduce((o, p) => o[p], zhCN))) {
      expect(text).not.toMatch(/[@|$]/)
    }
  })
})
