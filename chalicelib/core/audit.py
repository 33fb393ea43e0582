"""Privileged reads, recorded: who saw what personal data (an application's materials, an unmasked number), when,
in what role. One PutItem a read, in the county's month partition; the county searches them (issue 17)."""

from __future__ import annotations

import secrets

from pynamodb.attributes import UnicodeAttribute

from . import clock
from .db import SubmissionsItem, key


class AuditEntry(SubmissionsItem, discriminator="audit"):
    """`{t}#AUDIT#{YYYY-MM}` (Asia/Shanghai) / `{epoch ms}#{rand}`: one privileged read. Kept 3 years (TTL)."""

    uid = UnicodeAttribute()
    roles = UnicodeAttribute()  # the reader's roles where they read, comma-separated
    what = UnicodeAttribute()  # e.g. application_materials
    subject = UnicodeAttribute()  # e.g. the case id
    at = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, month: str) -> str:
        return key(tenant, "AUDIT", month)


KEEP_SECONDS = 3 * 366 * 86400


def entry(tenant: str, ctx, what: str, subject: str) -> AuditEntry:
    """The record of a privileged read, not yet stored: for the transaction of a write whose answer shows it."""
    now = clock.now()
    month = now.astimezone(clock.SHANGHAI).strftime("%Y-%m")
    roles = ",".join(sorted({g.role for g in ctx.grants}))
    return AuditEntry(AuditEntry.partition(tenant, month), f"{int(now.timestamp() * 1000)}#{secrets.token_hex(4)}",
                      uid=ctx.user_id, roles=roles, what=what, subject=subject, at=clock.iso(now),
                      expires=clock.epoch() + KEEP_SECONDS)


def record(tenant: str, ctx, what: str, subject: str) -> None:
    """Store the record of a read before its data is answered (a read whose record fails answers nothing)."""
    entry(tenant, ctx, what, subject).save()


def entries(tenant: str, month: str) -> list[AuditEntry]:
    return list(AuditEntry.query(AuditEntry.partition(tenant, month)))
