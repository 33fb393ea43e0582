"""Scan-to-pass (扫码通行): personal passes and the scan log. Items in the `submissions` table."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from ..core.db import SubmissionsItem, key


class Pass(SubmissionsItem, discriminator="pass"):
    """`{t}#PASS#{pid}` / `P`: what a pass code points to. The code holds only the county, this id, the expiry and
    a signature; the member is found here. Issuing a member a new pass revokes the previous one."""

    pid = UnicodeAttribute()
    hid = UnicodeAttribute()
    mid = UnicodeAttribute()
    issued_at = UnicodeAttribute()
    issued_by = UnicodeAttribute()
    expires_at = NumberAttribute()
    revoked = BooleanAttribute(default=False)
    short = UnicodeAttribute(null=True)  # the pass's short code (passes issued before short codes have none)

    @staticmethod
    def keys(tenant: str, pid: str) -> tuple[str, str]:
        return key(tenant, "PASS", pid), "P"


class PassCode(SubmissionsItem, discriminator="pass_code"):
    """`{t}#PASSCODE#{short}` / `S`: the short code of a live pass (8 characters that checkpoint staff can type when
    the camera fails) -> the pass. Written with the pass in one TransactWrite, unique by condition, deleted when the
    pass is revoked or renewed, and gone by TTL when the pass expires. Keyed by the county: a short code is found
    only within its own county."""

    pid = UnicodeAttribute()
    expires_at = NumberAttribute()

    @staticmethod
    def keys(tenant: str, short: str) -> tuple[str, str]:
        return key(tenant, "PASSCODE", short), "S"


class CurrentPass(SubmissionsItem, discriminator="pass_current"):
    """`{t}#PASSM#{mid}` / `C`: a member's current pass (to revoke it, and drop its short code, when a new one is
    issued)."""

    pid = UnicodeAttribute()
    short = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)

    @staticmethod
    def keys(tenant: str, mid: str) -> tuple[str, str]:
        return key(tenant, "PASSM", mid), "C"


class Scan(SubmissionsItem, discriminator="pass_scan"):
    """`{t}#SCAN#{checkpoint}#{date}` / `{epoch ms}#{sid}`: every scan at a checkpoint (a village), passed,
    stopped or refused, newest last."""

    sid = UnicodeAttribute()
    checkpoint = UnicodeAttribute()
    at = UnicodeAttribute()
    by_user = UnicodeAttribute()
    result = UnicodeAttribute()  # pass | stop | invalid
    reasons = UnicodeAttribute()  # comma-separated reason codes
    pid = UnicodeAttribute(null=True)
    hid = UnicodeAttribute(null=True)
    holder = UnicodeAttribute(null=True)  # masked name
    village = UnicodeAttribute(null=True)
    village_name = UnicodeAttribute(null=True)
    colour = UnicodeAttribute(null=True)
    via = UnicodeAttribute(null=True)  # code (the signed code: scanned, photographed or pasted) | short (typed)

    @staticmethod
    def partition(tenant: str, checkpoint: str, date: str) -> str:
        return key(tenant, "SCAN", checkpoint, date)
