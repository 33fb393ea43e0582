"""The households backfill (chalicelib/households/migrate.py): data written the way earlier versions wrote it —
sort key `{grid}#{hid}`, no number, address or member-phone index items, members without grid or name-index keys,
households without their head's member id — works like new data once the backfill has run, and a second run
changes nothing (embedded AWS)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from tests.conftest import new_phone, unique_id_number
from tests.functional.test_imports import HH_HEADER, _csv_bytes, _preview, _upload


def _old_household(county, grid: str, ref: str | None, address: str, members: list[tuple]) -> dict:
    """Raw items with the key shapes of before household numbers (commit 6dcf5fa^): household, members and their
    ID-number index items, nothing else. members: (name, relation, phone or None). Their blind indexes use the
    platform key, so the county is one from before per-county keys: not yet re-indexed."""
    from chalicelib.core import clock, pii
    from chalicelib.households.models import Household, IdNumberIndex, Member

    _from_before_county_keys(county.code)

    t, hid, now = county.code, uuid.uuid4().hex[:16], clock.iso()
    Household(*Household.keys(t, hid), hid=hid, grid=grid, village=grid[:12], address=address,
              head_name=members[0][0], ref=ref, member_count=len(members), follower_count=0, created_at=now,
              updated_at=now, gsi1pk=Household.village_index(t, grid[:12]), gsi1sk=f"{grid}#{hid}").save()
    out = {"id": hid, "ref": ref, "members": []}
    for name, relation, phone in members:
        mid, idno = uuid.uuid4().hex[:12], unique_id_number(t)
        bidx = pii.blind_index("idno", idno)
        Member(*Member.keys(t, hid, mid), mid=mid, hid=hid, name=name, relation=relation,
               idno_enc=pii.encrypt(t, idno), idno_bidx=bidx, phone_enc=pii.encrypt(t, phone) if phone else None,
               phone_bidx=pii.blind_index("phone", phone) if phone else None, created_at=now, updated_at=now).save()
        IdNumberIndex(*IdNumberIndex.keys(t, bidx), hid=hid, mid=mid).save()
        out["members"].append({"id": mid, "name": name, "relation": relation, "id_number": idno, "phone": phone})
    return out


def _from_before_county_keys(code: str) -> None:
    """The county as one onboarded before per-county blind-index keys: not marked re-indexed (lookups also try the
    platform key until households/reindex.py runs). Onboarding marks a new county at once."""
    from chalicelib.core import pii
    from chalicelib.core.keyring import BlindIndexKey

    pii.keys.ring.blind_key(code)  # the county's key exists (made at first use)
    BlindIndexKey(*BlindIndexKey.keys(code)).update(actions=[BlindIndexKey.reindexed_at.remove()])
    pii.keys.clear()


def _snapshot(county, hids: list[str]) -> list:
    """Every item of these households and of their index partitions, and the village's sequence, as stored."""
    from chalicelib.core.db import HouseholdsItem
    from chalicelib.households.migrate import _wanted
    from chalicelib.households.models import Household, HouseholdSeq, Member

    items = []
    for hid in sorted(hids):
        part = list(HouseholdsItem.query(f"{county.code}#HH#{hid}", consistent_read=True))
        hh = next(x for x in part if isinstance(x, Household))
        members = [x for x in part if isinstance(x, Member)]
        items += [x.serialize() for x in part]
        for k in _wanted(county.code, hh, members):
            try:
                items.append(HouseholdsItem.get(*k, consistent_read=True).serialize())
            except HouseholdsItem.DoesNotExist:
                items.append(("missing", k))
    items.append(HouseholdSeq.get(*HouseholdSeq.keys(county.code, county.village)).serialize())
    return items


def _find(client, token, q: str):
    r = client.get(f"/members?q={quote(q)}", token=token)
    assert r.status_code == 200, r.json
    return r.json["items"]


WRITES = ("written", "sort_keys", "heads", "members", "refs", "addresses", "phones", "sequences")


def test_households_written_before_numbers_work_like_new_ones_after_the_backfill(client, county):
    from chalicelib.households import migrate

    t, v = county.code, county.village
    admin, worker, vadmin = (county.tokens[r] for r in ("county_admin", "grid_worker", "village_admin"))
    phone_a, phone_b = new_phone(), new_phone()
    a = _old_household(county, county.grid, "R-10", "旧村10号", [("鲍大", "户主", phone_a), ("鲍二", "子女", None)])
    b = _old_household(county, county.grid, "R-2", "旧村2号", [("鲍三", "户主", phone_b)])
    c = _old_household(county, county.grid, f"{v}-0007", "旧村7号", [("鲍四", "户主", None)])
    d = _old_household(county, county.grid2, "r-2", "旧村二组2号", [("鲍五", "户主", None)])  # R-2 twice
    e = _old_household(county, county.grid, None, "旧村无号", [("鲍六", "户主", None)])  # added by hand, no number
    # Before: nobody is found by name or phone, the number is free for another household.
    assert _find(client, admin, "鲍") == [] and _find(client, worker, phone_a) == []

    preview = migrate.backfill(t, dry_run=True)
    assert _find(client, admin, "鲍") == []  # a dry run writes nothing
    counts = migrate.backfill(t)
    assert counts == preview
    assert {k: counts[k] for k in ("households", *WRITES)} == {
        "households": 5, "written": 5, "sort_keys": 5, "heads": 5, "members": 6, "refs": 3, "addresses": 5,
        "phones": 2, "sequences": 1}
    assert counts["conflicts"] == [{"ref": "r-2", "hid": d["id"], "grid": county.grid2, "held_by": b["id"]}]
    assert counts["failed"] == []

    # Lists in household-number order (the unnumbered household last); the unreported list reads the same index.
    r = client.get(f"/households?place={county.grid}&limit=100", token=worker)
    assert [h["ref"] for h in r.json["items"]] == [c["ref"], "R-2", "R-10", None]
    assert [h["id"] for h in r.json["items"]] == [c["id"], b["id"], a["id"], e["id"]]
    # Find a person: by name, by a whole phone number.
    assert sorted(p["name"] for p in _find(client, admin, "鲍")) == ["鲍三", "鲍二", "鲍五", "鲍六", "鲍四", "鲍大"]
    [p] = _find(client, worker, phone_a)
    assert (p["name"], p["household"]["id"], p["grid_name"]) == ("鲍大", a["id"], "第一网格")
    # The daily report's contacts find the head through the head's member id.
    r = client.get(f"/reports/unreported?grid={county.grid}&contacts=true&limit=100", token=worker)
    assert {i["id"]: i["head_phone"] for i in r.json["items"]}[a["id"]] == phone_a

    # A re-import matches the household by its number and its members by ID number: nothing to change.
    rows = [HH_HEADER] + [["R-10", county.grid, "旧村10号", m["name"], m["relation"], m["id_number"],
                           m["phone"] or "", "", "", ""] for m in a["members"]]
    p = _preview(client, admin, "households", _upload(client, admin, "households", "再导入.csv", _csv_bytes(rows)))
    assert p.status_code == 200, p.json
    assert p.json["counts"]["households"] == {"new": 0, "changed": 0, "unchanged": 1}, p.json
    assert [r["action"] for r in p.json["items"]] == ["unchanged", "unchanged"]

    # Its number is taken; its address warns; the next automatic number comes after the one already in use.
    head = {"name": "新户", "relation": "户主", "id_number": unique_id_number(t)}
    r = client.post("/households", {"grid": county.grid, "address": "新1号", "ref": "Ｒ-10", "members": [head]},
                    token=worker)
    assert r.status_code == 409 and r.json["error"]["code"] == "duplicate_ref", r.json
    r = client.post("/households", {"grid": county.grid, "address": "旧村 10 号", "members": [head]}, token=worker)
    assert r.status_code == 201, r.json
    assert r.json["ref"] == f"{v}-0008"
    [w] = r.json["warnings"]
    assert w["code"] == "duplicate_address" and "R-10" in w["message"] and "鲍*" in w["message"], w
    new = r.json

    # A second run changes nothing (the household added since was written complete), and says the same conflict.
    hids = [x["id"] for x in (a, b, c, d, e, new)]
    before = _snapshot(county, hids)
    again = migrate.backfill(t)
    assert {k: again[k] for k in WRITES} == dict.fromkeys(WRITES, 0), again
    assert again["households"] == 6 and again["conflicts"] == counts["conflicts"]
    assert _snapshot(county, hids) == before
    assert client.get(f"/households/{a['id']}", token=vadmin).json["head_name"] == "鲍大"


def test_the_backfill_runs_once_per_county_and_follows_changes_made_meanwhile(client, county):
    from chalicelib.households import migrate
    from chalicelib.households.models import Household

    a = _old_household(county, county.grid, "Q-1", "旧村1号", [("甄大", "户主", None)])
    assert not migrate.done(county.code)
    assert migrate.run_pending([county.code])[county.code]["written"] == 1
    assert migrate.done(county.code) and migrate.run_pending([county.code]) == {}  # marked: skipped

    # A household changed between the backfill's read and its write is read again (its version moved on).
    b = _old_household(county, county.grid, "Q-2", "旧村2号", [("甄二", "户主", None)])
    run = migrate._Run(county.code, dry_run=False)
    hh, members = migrate._load(county.code, b["id"])
    present = migrate._present(county.code, [(hh, members)])
    live = Household.get(*Household.keys(county.code, b["id"]))
    live.address = "旧村2号之一"
    live.save()
    run.household(hh, members, present)
    assert run.counts["written"] == 1 and run.counts["failed"] == []
    r = client.get(f"/households?place={county.grid}&limit=100", token=county.tokens["grid_worker"])
    assert [h["ref"] for h in r.json["items"]] == ["Q-1", "Q-2"] and r.json["items"][1]["address"] == "旧村2号之一"
    head = {"name": "新户", "relation": "户主", "id_number": unique_id_number(county.code)}
    r = client.post("/households", {"grid": county.grid, "address": "旧村2号之一", "members": [head]},
                    token=county.tokens["grid_worker"])
    assert [w["code"] for w in r.json["warnings"]] == ["duplicate_address"], r.json  # the address read again
    assert a["id"] != b["id"]


def test_the_ops_command_prints_what_it_did_and_fails_on_conflicts(client, county, capsys):
    import json

    from chalicelib.households import migrate
    from scripts.backfill_households import main

    _old_household(county, county.grid, "K-1", "旧村1号", [("邝大", "户主", None)])
    _old_household(county, county.grid2, "K-1", "旧村2号", [("邝二", "户主", None)])
    assert main(["--county", county.code, "--dry-run"]) == 1
    dry = json.loads(capsys.readouterr().out)
    assert (dry["county"], dry["dry_run"], dry["written"], len(dry["conflicts"])) == (county.code, True, 2, 1)
    assert not migrate.done(county.code)
    assert main(["--county", county.code]) == 1  # a number held twice: the office has to look
    done = json.loads(capsys.readouterr().out)
    assert done["written"] == 2 and migrate.done(county.code)
    assert main(["--county", county.code]) == 1 and json.loads(capsys.readouterr().out)["written"] == 0
    with pytest.raises(SystemExit):
        main(["--county", "12345"])  # not a county code
