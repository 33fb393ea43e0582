"""The phone app's first load stays within 150 KB compressed (weak signal, cheap phones)."""

import gzip
import re

from tests.conftest import ROOT

DIST = ROOT / "web" / "dist"
BUDGET = 150 * 1024


def _first_load() -> dict[str, int]:
    """index.html plus every script, module preload and stylesheet it references, gzip-compressed."""
    html = (DIST / "index.html").read_text("utf-8")
    refs = set(re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', html))
    sizes = {"index.html": len(gzip.compress(html.encode(), 9))}
    for ref in sorted(refs):
        sizes[ref] = len(gzip.compress((DIST / ref.lstrip("/")).read_bytes(), 9))
    return sizes


def test_first_load_of_the_phone_app_is_within_150_kb_compressed():
    sizes = _first_load()
    assert any(k.endswith(".js") for k in sizes), "index.html references no script: is web/dist built?"
    total = sum(sizes.values())
    assert total <= BUDGET, f"first load {total / 1024:.1f} KB > 150 KB: {sizes}"


def test_the_console_is_not_part_of_the_phone_app_first_load():
    html = (DIST / "index.html").read_text("utf-8")
    assert "/console/" not in html and "element-plus" not in html
