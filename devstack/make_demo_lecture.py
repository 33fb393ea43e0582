"""Make devstack/demo_lecture.webm, the demo county's lecture video (10 s, 320×180, VP8, no sound), in the
local Chromium: a canvas animation recorded by MediaRecorder. Run once; the file is committed (≈ 100 KB).

    .venv/bin/python -m devstack.make_demo_lecture
"""

from __future__ import annotations

import base64
from pathlib import Path

OUT = Path(__file__).with_name("demo_lecture.webm")
CHROMIUM = "/usr/bin/chromium"
SECONDS = 10

PAGE = """<!doctype html><meta charset="utf-8"><canvas id="c" width="320" height="180"></canvas><script>
async function record(seconds) {
  const c = document.getElementById('c'), g = c.getContext('2d');
  const stream = c.captureStream(25);
  const rec = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 80000});
  const chunks = []; rec.ondataavailable = e => chunks.push(e.data);
  const t0 = performance.now();
  function frame() {
    const t = (performance.now() - t0) / 1000;
    g.fillStyle = '#2f6b3a'; g.fillRect(0, 0, 320, 180);
    g.fillStyle = '#f4d35e'; g.fillRect(0, 150, 320 * Math.min(1, t / seconds), 8);
    g.fillStyle = '#fff'; g.font = 'bold 26px sans-serif'; g.textAlign = 'center';
    g.fillText('春耕技术讲座', 160, 70);
    g.font = '16px sans-serif'; g.fillText('第一讲：水稻育秧  ' + t.toFixed(1) + ' 秒', 160, 110);
  }
  frame(); const timer = setInterval(frame, 40); rec.start(1000);
  await new Promise(r => setTimeout(r, seconds * 1000));
  clearInterval(timer); rec.stop(); await new Promise(r => rec.onstop = r);
  const buf = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let s = ''; for (const b of buf) s += String.fromCharCode(b);
  return btoa(s);
}
</script>"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page()
        page.set_content(PAGE)
        data = base64.b64decode(page.evaluate(f"record({SECONDS})"))
        browser.close()
    OUT.write_bytes(data)
    print(f"{OUT}: {len(data)} bytes")


if __name__ == "__main__":
    main()
