"""Sign-in items: people, phone indexes, memberships, one-time codes, refresh tokens and rate counters.

A person is identified across counties by the blind index of their phone number (`platform#PHONE#{bidx}`), with
one membership item per county they belong to; within a county they are a user (`{tenant}#USER#{uid}`).
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from ..db import PLATFORM, HouseholdsItem, key


class User(HouseholdsItem, discriminator="user"):
    """A person in a county: name, encrypted phone, grants (role@place), status."""

    uid = UnicodeAttribute()
    name = UnicodeAttribute()
    phone_enc = UnicodeAttribute()
    phone_bidx = UnicodeAttribute()
    # 138****0000, kept beside the ciphertext: answers that show the mask need no decryption (no KMS, no AES);
    # people created before it have none (their phone is decrypted and masked as before)
    phone_mask = UnicodeAttribute(null=True)
    grants = UnicodeAttribute(default="[]")  # JSON list of {role, place, household?}
    status = UnicodeAttribute(default="active")  # active | removed
    sms_updates = BooleanAttribute(null=True)  # opted in to SMS when a case of theirs changes status
    invited_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, uid: str) -> tuple[str, str]:
        return key(tenant, "USER", uid), "USER"



class StaffPost(HouseholdsItem, discriminator="staff_post"):
    """`{t}#USER#{uid}` / `POST#{place}`: a person holds staff roles at a place; gsi1 `{t}#STAFF` / `{place}#{uid}`
    lists the staff at or below a place (a person with roles at two places is listed at both)."""

    uid = UnicodeAttribute()
    place = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, uid: str, place: str) -> tuple[str, str]:
        return key(tenant, "USER", uid), f"POST#{place}"

    @staticmethod
    def index(tenant: str) -> str:
        return key(tenant, "STAFF")


class PhoneIndex(HouseholdsItem, discriminator="phone_index"):
    """`{tenant}#PHONE#{bidx}`: one user per phone per county."""

    uid = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, bidx: str) -> tuple[str, str]:
        return key(tenant, "PHONE", bidx), "PHONE"


class Identity(HouseholdsItem, discriminator="identity"):
    """`platform#PHONE#{bidx}` / `ID`: a signed-in phone, encrypted, for registering it in a county later."""

    phone_enc = UnicodeAttribute()
    last_sign_in = UnicodeAttribute()

    @staticmethod
    def keys(bidx: str) -> tuple[str, str]:
        return key(PLATFORM, "PHONE", bidx), "ID"


class Membership(HouseholdsItem, discriminator="membership"):
    """`platform#PHONE#{bidx}` / `MEMBER#{tenant}`: the counties a phone belongs to (for sign-in)."""

    tenant = UnicodeAttribute()
    uid = UnicodeAttribute()

    @staticmethod
    def keys(bidx: str, tenant: str) -> tuple[str, str]:
        return key(PLATFORM, "PHONE", bidx), f"MEMBER#{tenant}"


class OtpChallenge(HouseholdsItem, discriminator="otp"):
    code_hash = UnicodeAttribute()
    issued_at = NumberAttribute()
    tries = NumberAttribute(default=0)
    day = UnicodeAttribute()
    sent_today = NumberAttribute(default=1)

    @staticmethod
    def keys(bidx: str) -> tuple[str, str]:
        return key(PLATFORM, "OTP", bidx), "OTP"


class RefreshToken(HouseholdsItem, discriminator="refresh"):
    secret_hash = UnicodeAttribute()
    family = UnicodeAttribute()
    status = UnicodeAttribute(default="active")  # active | rotated
    created_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, uid: str, rtid: str) -> tuple[str, str]:
        return key(tenant, "USER", uid), f"RT#{rtid}"


class RateCounter(HouseholdsItem, discriminator="rate"):
    count = NumberAttribute(default=0)

    @staticmethod
    def keys(bucket: str, subject: str, window: int) -> tuple[str, str]:
        return key(PLATFORM, "RATE", bucket, subject), f"W#{window}"
