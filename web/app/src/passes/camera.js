// The camera and photo readers of 扫码核验, on qr-scanner (nimiq). The library and its decoding worker are fetched
// only when the scan page first needs them: never with the app's first screen.
let loading = null

export function loadQrScanner() {
  loading ||= import('qr-scanner').then((m) => m.default).catch((e) => {
    loading = null
    throw e
  })
  return loading
}

/** Whether this browser can open a camera at all (a secure page with getUserMedia). */
export const cameraSupported = () => Boolean(window.isSecureContext !== false && navigator.mediaDevices?.getUserMedia)

/**
 * Start reading codes from the back camera into `video`; `onCode(text)` for each code read, `onProblem(error)` when
 * frames cannot be decoded at all (say, the decoding worker is refused) — not for frames without a code.
 * Resolves the scanner ({pause, start, stop, destroy}); rejects when no camera can be opened.
 */
export async function startCamera(video, onCode, onProblem = () => {}) {
  const QrScanner = await loadQrScanner()
  const scanner = new QrScanner(video, (result) => onCode(result.data), {
    preferredCamera: 'environment',
    maxScansPerSecond: 8,
    returnDetailedScanResult: true,
    onDecodeError: (e) => {
      if (e !== QrScanner.NO_QR_CODE_FOUND && String(e?.message ?? e) !== QrScanner.NO_QR_CODE_FOUND) onProblem(e)
    },
  })
  try {
    await scanner.start()
  } catch (e) {
    scanner.destroy()
    throw e
  }
  return scanner
}

/** The text of the QR code in a photo (a File); rejects when there is none. */
export async function readPhoto(file) {
  const QrScanner = await loadQrScanner()
  const result = await QrScanner.scanImage(file, { returnDetailedScanResult: true, alsoTryWithoutScanRegion: true })
  return result.data
}
