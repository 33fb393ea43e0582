"""扫码通行: a personal pass QR per member, scanned at checkpoints."""

from ..core.modules import Module
from ..core.tenancy import CHECKPOINT, EPIDEMIC_COMMAND, OFFICE_ROLES

MODULE = Module(
    id="scan_pass", name="扫码通行", name_en="Scan-to-pass", icon="qr", packages=("chalicelib.passes",),
    summary="每人一张通行码，卡口扫码核验健康码与当日上报",
    blueprints=("chalicelib.passes.api",),
    permissions={
        "passes.scan": frozenset({CHECKPOINT}),
        # Offices and the command read the scan logs of the checkpoints in their places.
        "passes.logs": frozenset({CHECKPOINT}) | OFFICE_ROLES | {EPIDEMIC_COMMAND},
    })
