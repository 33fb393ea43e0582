"""PIPL: ID and phone numbers are encrypted at rest, looked up by blind index, masked, and never logged."""

import io
import json
import logging

from tests.conftest import new_phone, unique_id_number


def _raw_items():
    from botocore.config import Config

    from chalicelib.core import aws
    from chalicelib.core.config import settings

    # The whole table of this worker's embedded AWS: on a loaded machine a page can take longer than the app's
    # 10-second read timeout, so this test's own client waits longer (and does not retry a slow page).
    s = settings()
    with aws.lock:
        ddb = aws.session().create_client("dynamodb", region_name=s.region, endpoint_url=s.endpoint_url,
                                          config=Config(read_timeout=300, retries={"max_attempts": 1}))
    items, kwargs = [], {"TableName": settings().households_table}
    while True:  # a test may Scan; request paths may not
        page = ddb.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_no_plaintext_at_rest_or_in_logs(client, county, capsys, caplog):
    from chalicelib.core.observability import logger

    caplog.set_level(logging.DEBUG)
    buf = io.StringIO()
    old = logger.registered_handler.setStream(buf)
    try:
        _exercise(client, county, buf, capsys, caplog)
    finally:
        logger.registered_handler.setStream(old)


def _exercise(client, county, buf, capsys, caplog):
    phone, staff_phone = new_phone(), new_phone()
    idno = unique_id_number(county.code)
    r = client.post("/households", {"grid": county.grid, "address": "隐私1号", "members": [
        {"name": "隐私", "relation": "户主", "id_number": idno, "phone": phone}]}, token=county.tokens["grid_worker"])
    assert r.status_code == 201
    hid = r.json["id"]
    # The grid worker's answer carries the full numbers; a county admin's is masked.
    assert r.json["members"][0]["id_number"] == idno and r.json["members"][0]["phone"] == phone
    masked = client.get(f"/households/{hid}", token=county.tokens["county_admin"]).json["members"][0]
    assert masked["id_number"] == idno[:6] + "********" + idno[-4:]
    assert masked["phone"] == phone[:3] + "****" + phone[-4:]
    # Staff invitation and sign-in carry a phone too.
    assert client.post("/staff", {"phone": staff_phone, "name": "隐私网格员", "role": "grid_worker",
                                  "place": county.grid}, token=county.tokens["county_admin"]).status_code == 201
    client.sign_in(staff_phone, county.code)
    raw = json.dumps(_raw_items(), ensure_ascii=False)
    for secret in (phone, idno, staff_phone):
        assert secret not in raw, "plaintext personal data at rest"
    out = capsys.readouterr()
    records = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    logged = buf.getvalue() + out.out + out.err + records
    for secret in (phone, idno, staff_phone):
        assert secret not in logged.replace(f"[sms-outbox] to {staff_phone}", ""), "personal data in a log line"


def test_id_numbers_are_unique_per_county_through_the_blind_index(client, county, other_county):
    idno = unique_id_number(county.code)
    body = {"grid": county.grid, "address": "甲1号", "members": [{"name": "甲", "relation": "户主", "id_number": idno}]}
    assert client.post("/households", body, token=county.tokens["grid_worker"]).status_code == 201
    again = client.post("/households", body, token=county.tokens["grid_worker"])
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate_id_number"
    elsewhere = dict(body, grid=other_county.grid)
    assert client.post("/households", elsewhere, token=other_county.tokens["grid_worker"]).status_code == 201


def test_reading_fifty_members_costs_one_kms_call(client, county, monkeypatch):
    from chalicelib.core import aws, pii

    ms = [{"name": f"成员{i}", "relation": "户主" if i == 0 else "子女", "id_number": unique_id_number(county.code),
           "phone": new_phone()} for i in range(20)]
    hid = client.post("/households", {"grid": county.grid, "address": "大户", "members": ms},
                      token=county.tokens["grid_worker"]).json["id"]
    pii.keys.clear()  # a cold container
    calls = []
    kms = aws.client("kms")
    real = kms.decrypt
    monkeypatch.setattr(kms, "decrypt", lambda **kw: calls.append(1) or real(**kw))
    r = client.get(f"/households/{hid}", token=county.tokens["grid_worker"])
    assert r.status_code == 200 and len(r.json["members"]) == 20
    assert len(calls) == 1


def test_masked_answers_decrypt_nothing(client, county, monkeypatch):
    """Roles that see masked numbers are answered from the masks kept beside the ciphertext: no decryption at all
    (no KMS call, no AES). Members written before the masks were kept are decrypted and masked as before."""
    from chalicelib.core import pii
    from chalicelib.households.models import Member

    idno, phone = unique_id_number(county.code), new_phone()
    hid = client.post("/households", {"grid": county.grid, "address": "掩码1号", "members": [
        {"name": "掩码", "relation": "户主", "id_number": idno, "phone": phone}]},
        token=county.tokens["grid_worker"]).json["id"]
    real, opened = pii.decrypt, []
    monkeypatch.setattr(pii, "decrypt", lambda *a: opened.append(a) or real(*a))
    member = client.get(f"/households/{hid}", token=county.tokens["county_admin"]).json["members"][0]
    assert member["id_number"] == pii.mask_id_number(idno) and member["phone"] == pii.mask_phone(phone)
    me = client.get("/me", token=county.tokens["county_admin"]).json
    assert me["phone"] == pii.mask_phone(county.admin_phone)
    assert opened == []
    # the grid worker (households.pii) still sees the whole numbers
    full = client.get(f"/households/{hid}", token=county.tokens["grid_worker"]).json["members"][0]
    assert full["id_number"] == idno and full["phone"] == phone and opened
    # a member written before masks were kept
    item = next(m for m in Member.query(f"{county.code}#HH#{hid}", Member.sk.startswith("M#")))
    item.update(actions=[Member.idno_mask.remove(), Member.phone_mask.remove()])
    opened.clear()
    member = client.get(f"/households/{hid}", token=county.tokens["county_admin"]).json["members"][0]
    assert member["id_number"] == pii.mask_id_number(idno) and member["phone"] == pii.mask_phone(phone) and opened


def test_a_changed_number_changes_its_mask(client, county):
    from chalicelib.core import pii

    home = county.household(members=1)
    m = home["members"][0]
    phone, idno = new_phone(), unique_id_number(county.code)
    r = client.put(f"/households/{home['id']}/members/{m['id']}", {"phone": phone, "id_number": idno},
                   token=county.tokens["grid_worker"])
    assert r.status_code == 200, r.json
    shown = client.get(f"/households/{home['id']}", token=county.tokens["county_admin"]).json["members"][0]
    assert shown["phone"] == pii.mask_phone(phone) and shown["id_number"] == pii.mask_id_number(idno)
