def test_county_household_and_villager_link(client, county):
    hh = county.household()
    assert hh["members"][0]["id_number"] and not hh["members"][0]["pii_masked"]  # grid worker sees full numbers
    phone, session = county.villager(hh["id"])
    me = client.get("/me", token=session["access_token"]).json
    assert me["tenant"] == county.code and me["grants"][0]["household"] == hh["id"]
    mine = client.get(f"/households/{hh['id']}", token=session["access_token"])
    assert mine.status_code == 200 and mine.json["members"][0]["pii_masked"] is True
