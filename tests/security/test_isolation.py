import time
from chalice.test import Client
from tests.conftest import Api, County


def test_probe(app, operator):
    with Client(app) as c:
        api = Api(c)
        t0 = time.time()
        op = api.sign_in(operator, "platform")["access_token"]
        a = County(api, op)
        print("county", time.time() - t0)
        t0 = time.time()
        # prefix grid
        r = api.post("/places", {"code": a.village + "G011", "name": "十一"}, token=a.tokens["county_admin"])
        print(r.status_code, r.json)
        w01 = a.tokens["grid_worker"]
        a.add_staff("grid_worker", a.village + "G011")
        hh = a.household(grid=a.village + "G011")
        r = api.get(f"/households/{hh['id']}", token=w01)
        print("G01 worker reads G011 household:", r.status_code, r.json and r.json.get("members", [{}])[0])
        r = api.get(f"/households?place={a.village}G011", token=w01)
        print("G01 lists G011:", r.status_code, r.json)
        r = api.get(f"/households?place={a.village}G01", token=w01)
        print("G01 lists own G01:", r.status_code, r.json)
        print("probe", time.time() - t0)
        r = api.get("/me")
        print(r.status_code, r.body, r.headers)
        r = api.get("/me", token="garbage")
        print(r.status_code, r.body)
        r = api.get("/openapi.json")
        print(r.status_code, len(r.body))
        print(sorted((m, p) for p, d in app.routes.items() for m in d))
        t0 = time.time()
        for _ in range(20):
            api.get("/me", token=a.tokens["county_admin"])
        print("20 /me", time.time() - t0)
