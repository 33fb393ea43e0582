"""扫码通行: a personal pass QR per member, scanned at checkpoints."""

from ..core.modules import Module

MODULE = Module(id="scan_pass", name="扫码通行", name_en="Scan-to-pass", icon="qr", packages=("chalicelib.passes",),
                summary="每人一张通行码，卡口扫码核验健康码与当日上报")
