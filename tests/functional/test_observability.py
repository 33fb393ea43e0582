import io
import json

from chalicelib.core.observability import logger


def test_one_json_access_line_per_request_with_tenant_and_roles(client, county, capsys):
    buf = io.StringIO()
    old = logger.registered_handler.setStream(buf)
    try:
        capsys.readouterr()
        assert client.get("/me", token=county.tokens["village_admin"]).status_code == 200
    finally:
        logger.registered_handler.setStream(old)
    access = [json.loads(line) for line in buf.getvalue().splitlines() if line.startswith("{")]
    assert len(access) == 1 and access[0]["message"] == "request"
    assert access[0]["tenant"] == county.code and access[0]["roles"] == "village_admin"
    assert access[0]["status"] == 200 and access[0]["route"] == "/me" and "latency_ms" in access[0]
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert len(emf) == 1 and emf[0]["tenant"] == county.code and emf[0]["Requests"] == [1.0]
