"""Make devstack/demo_hls/: the HLS renditions the demo county's 春耕技术讲座 video has on the local stack, as AWS
Elemental MediaConvert would leave them in AWS (a master playlist, one playlist per rendition, its segments, a poster
frame). There is no transcoder locally, so they are made once here and committed (≈ 100 KB): the same 10-second
animation as devstack/demo_lecture.webm, recorded by the local Chromium's MediaRecorder as fragmented MP4 (H.264
baseline, a keyframe every 2 s) at 320×180 / 200 kbps and 160×90 / 60 kbps, then cut at its fragments: the `ftyp`
+ `moov` boxes are the init segment (`EXT-X-MAP`), each `moof` + `mdat` pair one 2-second segment whose length comes
from the fragments' decode times (`tfdt`) and the track's timescale (`mdhd`).

    .venv/bin/python -m devstack.make_demo_hls
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

from devstack.make_demo_lecture import CHROMIUM, SECONDS

OUT = Path(__file__).with_name("demo_hls")
RENDITIONS = [("180p", 320, 180, 200_000), ("90p", 160, 90, 60_000)]  # (name, width, height, bits per second)
CODEC = "avc1.42e01e"

PAGE = """<!doctype html><meta charset="utf-8"><canvas id="c"></canvas><script>
async function record(seconds, w, h, bps) {
  const c = document.getElementById('c'); c.width = w; c.height = h;
  const g = c.getContext('2d'), k = w / 320;
  const rec = new MediaRecorder(c.captureStream(25), {mimeType: 'video/mp4;codecs=avc1.42E01E',
                                videoBitsPerSecond: bps, videoKeyFrameIntervalDuration: 2000});
  const chunks = []; rec.ondataavailable = e => chunks.push(e.data);
  const t0 = performance.now();
  function frame() {
    const t = (performance.now() - t0) / 1000;
    g.fillStyle = '#2f6b3a'; g.fillRect(0, 0, w, h);
    g.fillStyle = '#f4d35e'; g.fillRect(0, 150 * k, w * Math.min(1, t / seconds), 8 * k);
    g.fillStyle = '#fff'; g.textAlign = 'center';
    g.font = `bold ${Math.round(26 * k)}px sans-serif`; g.fillText('春耕技术讲座', w / 2, 70 * k);
    g.font = `${Math.round(16 * k)}px sans-serif`;
    g.fillText(`第一讲：水稻育秧  ${t.toFixed(1)} 秒  ${h}p`, w / 2, 110 * k);
  }
  frame(); const timer = setInterval(frame, 40); rec.start(2000);
  await new Promise(r => setTimeout(r, seconds * 1000));
  clearInterval(timer); rec.stop(); await new Promise(r => rec.onstop = r);
  const buf = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let s = ''; for (const b of buf) s += String.fromCharCode(b);
  return btoa(s);
}
function poster(w, h) {
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const g = c.getContext('2d'), k = w / 320;
  g.fillStyle = '#2f6b3a'; g.fillRect(0, 0, w, h);
  g.fillStyle = '#fff'; g.textAlign = 'center';
  g.font = `bold ${Math.round(26 * k)}px sans-serif`; g.fillText('春耕技术讲座', w / 2, 70 * k);
  g.font = `${Math.round(16 * k)}px sans-serif`; g.fillText('第一讲：水稻育秧', w / 2, 110 * k);
  return c.toDataURL('image/jpeg', 0.8).split(',')[1];
}
</script>"""


def boxes(data: bytes, start: int = 0, end: int | None = None):
    """(type, offset, size, header size) of each ISO BMFF box between start and end."""
    end = len(data) if end is None else end
    off = start
    while off < end:
        size, kind = struct.unpack(">I4s", data[off:off + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[off + 8:off + 16])[0], 16
        elif size == 0:
            size = end - off
        yield kind.decode("latin-1"), off, size, header
        off += size


def child(data: bytes, off: int, size: int, header: int, path: list[str]) -> tuple[int, int, int]:
    """The box at `path` under the box at off (offset, size, header)."""
    for kind, o, s, h in boxes(data, off + header, off + size):
        if kind == path[0]:
            return (o, s, h) if len(path) == 1 else child(data, o, s, h, path[1:])
    raise ValueError(f"no {path[0]} box")


def split(data: bytes) -> tuple[bytes, list[tuple[bytes, float]]]:
    """The init segment and the (segment, seconds) of a fragmented MP4 of one video track."""
    top = list(boxes(data))
    moov = next(b for b in top if b[0] == "moov")
    o, _, h = child(data, moov[1], moov[2], moov[3], ["trak", "mdia", "mdhd"])
    version = data[o + h]
    timescale = struct.unpack(">I", data[o + h + (20 if version == 1 else 12):][:4])[0]
    init = b"".join(data[b[1]:b[1] + b[2]] for b in top if b[0] in ("ftyp", "moov"))
    fragments, starts = [], []
    for i, b in enumerate(top):
        if b[0] != "moof":
            continue
        mdat = top[i + 1]
        fragments.append(data[b[1]:mdat[1] + mdat[2]])
        o, _, h = child(data, b[1], b[2], b[3], ["traf", "tfdt"])
        v = data[o + h]
        starts.append(struct.unpack(">Q" if v == 1 else ">I", data[o + h + 4:o + h + (12 if v == 1 else 8)])[0])
    ends = starts[1:] + [max(starts[-1] + 1, int(SECONDS * timescale))]
    return init, [(f, (e - s) / timescale) for f, s, e in zip(fragments, starts, ends, strict=True)]


def playlist(name: str, segments: list[tuple[bytes, float]]) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", f"#EXT-X-TARGETDURATION:{max(round(d + 0.5) for _, d in segments)}",
             "#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-INDEPENDENT-SEGMENTS",
             f'#EXT-X-MAP:URI="index_{name}_init.mp4"']
    for i, (_, seconds) in enumerate(segments, start=1):
        lines += [f"#EXTINF:{seconds:.3f},", f"index_{name}_{i:05d}.m4s"]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    master = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page()
        page.set_content(PAGE)
        for name, w, h, bps in RENDITIONS:
            data = base64.b64decode(page.evaluate(f"record({SECONDS}, {w}, {h}, {bps})"))
            init, segments = split(data)
            (OUT / f"index_{name}_init.mp4").write_bytes(init)
            for i, (seg, _) in enumerate(segments, start=1):
                (OUT / f"index_{name}_{i:05d}.m4s").write_bytes(seg)
            (OUT / f"index_{name}.m3u8").write_text(playlist(name, segments))
            peak = max(len(s) * 8 / d for s, d in segments)
            average = sum(len(s) for s, _ in segments) * 8 / sum(d for _, d in segments)
            master += [f'#EXT-X-STREAM-INF:BANDWIDTH={int(peak)},AVERAGE-BANDWIDTH={int(average)},'
                       f'CODECS="{CODEC}",RESOLUTION={w}x{h}', f"index_{name}.m3u8"]
        (OUT / "poster.0000000.jpg").write_bytes(base64.b64decode(page.evaluate("poster(640, 360)")))
        browser.close()
    (OUT / "index.m3u8").write_text("\n".join([*master, ""]))
    print(f"{OUT}: {sum(f.stat().st_size for f in OUT.iterdir())} bytes in {len(list(OUT.iterdir()))} files")


if __name__ == "__main__":
    main()
