"""Per-county blind indexes (core/keyring.py BlindIndexKey, core/pii.county_blind_index) and the re-indexing of
members written with the platform key (chalicelib/households/reindex.py), on the embedded AWS."""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.core import pii
from chalicelib.core.db import HouseholdsItem
from chalicelib.households import reindex
from chalicelib.households.models import IdNumberIndex, Member, MemberPhoneIndex
from tests.conftest import new_phone, unique_id_number
from tests.functional.test_backfill import _old_household


def _members(county, hid: str) -> list[Member]:
    return [x for x in HouseholdsItem.query(f"{county.code}#HH#{hid}", consistent_read=True) if isinstance(x, Member)]


def _find(client, county, q: str) -> list[dict]:
    r = client.get(f"/members?q={quote(q)}", token=county.tokens["grid_worker"])
    assert r.status_code == 200, r.json
    return r.json["items"]


def test_the_same_numbers_have_unrelated_indexes_in_two_counties(client, county, other_county):
    phone, idno = new_phone(), unique_id_number("330825")
    hids = []
    for c in (county, other_county):
        r = client.post("/households", {"grid": c.grid, "address": "同号村1号", "members": [
            {"name": "同号人", "relation": "户主", "id_number": idno, "phone": phone}]}, token=c.tokens["grid_worker"])
        assert r.status_code == 201, r.json
        hids.append(r.json["id"])
    (a,), (b,) = _members(county, hids[0]), _members(other_county, hids[1])
    assert a.idno_bidx != b.idno_bidx and a.phone_bidx != b.phone_bidx
    platform = (pii.blind_index("idno", idno), pii.blind_index("phone", phone))
    assert a.idno_bidx not in platform and a.phone_bidx not in platform  # not the cross-county key either
    assert a.idno_bidx == pii.county_blind_index(county.code, "idno", idno)
    # Each county finds its own member by either number.
    for c, hid in ((county, hids[0]), (other_county, hids[1])):
        assert [p["household"]["id"] for p in _find(client, c, idno)] == [hid]
        assert [p["household"]["id"] for p in _find(client, c, phone)] == [hid]


def test_the_county_key_is_wrapped_per_county_and_cached(client, county):
    from chalicelib.core.keyring import BlindIndexKey

    county.household()
    item = BlindIndexKey.get(*BlindIndexKey.keys(county.code), consistent_read=True)
    assert item.wrapped and item.reindexed_at is not None  # onboarded now: nothing indexed the old way
    first = pii.keys.ring.blind_key(county.code)[0]
    pii.keys.clear()  # a cold container unwraps the same key
    assert pii.keys.ring.blind_key(county.code)[0] == first and len(first) == 32


def test_members_indexed_the_old_way_are_found_before_and_after_reindexing(client, county):
    phone = new_phone()
    old = _old_household(county, county.grid, None, "旧村1号", [("旧户主", "户主", phone), ("旧子女", "子女", None)])
    from chalicelib.households import migrate

    migrate.backfill(county.code)  # the households-v2 backfill writes the phone item (with the old index)
    head, child = old["members"]
    # Before: the county is not re-indexed, so lookups also try the platform key.
    assert not reindex.done(county.code)
    assert [p["id"] for p in _find(client, county, head["id_number"])] == [head["id"]]
    assert [p["id"] for p in _find(client, county, phone)] == [head["id"]]
    # Registering the same ID number again is refused: the old index item is seen.
    r = client.post(f"/households/{old['id']}/members", {"name": "重复", "relation": "子女",
                                                         "id_number": child["id_number"]},
                    token=county.tokens["grid_worker"])
    assert r.status_code == 409, r.json

    counts = reindex.run_pending([county.code])[county.code]
    assert counts["moved"] >= 2 and counts["conflicts"] == [] and counts["failed"] == []
    assert reindex.done(county.code)
    by_id = {m.mid: m for m in _members(county, old["id"])}
    assert by_id[head["id"]].idno_bidx == pii.county_blind_index(county.code, "idno", head["id_number"])
    assert by_id[head["id"]].phone_bidx == pii.county_blind_index(county.code, "phone", phone)
    # The old index items are gone; the new ones name the members.
    legacy = IdNumberIndex.keys(county.code, pii.blind_index("idno", head["id_number"]))
    assert not list(IdNumberIndex.batch_get([legacy]))
    assert not list(MemberPhoneIndex.query(MemberPhoneIndex.partition(county.code, pii.blind_index("phone", phone))))
    pii.keys.clear()  # a container that learns the county is re-indexed: the county's index only
    assert pii.county_blind_indexes(county.code, "idno", head["id_number"]) == [by_id[head["id"]].idno_bidx]
    assert [p["id"] for p in _find(client, county, head["id_number"])] == [head["id"]]
    assert [p["id"] for p in _find(client, county, child["id_number"])] == [child["id"]]
    assert [p["id"] for p in _find(client, county, phone)] == [head["id"]]
    # A second run writes nothing.
    again = reindex.reindex(county.code)
    assert again["moved"] == 0 and again["current"] == counts["moved"] + counts["current"]


def test_the_reindex_script_moves_a_county_once_and_a_dry_run_writes_nothing(client, county, capsys):
    from chalicelib.households import migrate
    from scripts.reindex_blind_indexes import main

    _old_household(county, county.grid, None, "脚本村1号", [("脚本户主", "户主", new_phone())])
    migrate.backfill(county.code)
    assert main(["--county", county.code, "--dry-run"]) == 0 and not reindex.done(county.code)
    assert main(["--county", county.code]) == 0 and reindex.done(county.code)
    first, second = capsys.readouterr().out.strip().splitlines()[-2:]
    assert '"dry_run": true' in first and '"dry_run": false' in second
