import pytest

from chalicelib.core.counties import validate_county_code
from chalicelib.core.tenancy import Grant, TenantContext
from chalicelib.places import codes


@pytest.mark.parametrize("code,level,parent", [
    ("330825001", "township", "330825"), ("330825001201", "village", "330825001"),
    ("330825001201G01", "grid", "330825001201"), ("330825001201G123", "grid", "330825001201"),
])
def test_levels_and_parents(code, level, parent):
    assert codes.validate(code, "330825") == (level, parent)


@pytest.mark.parametrize("code", ["33082500", "330826001", "330825000", "330825001201G1", "3308250012010", "abc"])
def test_bad_place_codes(code):
    with pytest.raises(ValueError):
        codes.validate(code, "330825")


def test_ancestors():
    assert codes.ancestors("330825001201G01") == ["330825", "330825001", "330825001201"]


@pytest.mark.parametrize("code", ["330825", "110101", "500101", "360302"])
def test_county_codes(code):
    assert validate_county_code(code) == code


@pytest.mark.parametrize("code", ["33082", "990101", "330800", "abcdef", "3308251"])
def test_bad_county_codes(code):
    with pytest.raises(ValueError):
        validate_county_code(code)


def test_scope_is_a_prefix_test_and_denies_by_default():
    from chalicelib import manifests

    manifests.register()  # the permissions are the manifests' (app.py registers them; this test imports no app)
    ctx = TenantContext("330825", "u", "i", (Grant("grid_worker", "330825001201G01"),))
    assert ctx.can("households.read", "330825001201G01")
    assert not ctx.can("households.read", "330825001201G02")
    assert not ctx.can("households.read", "330825001201")
    assert not ctx.can("tenants.admin", "330825")
    nobody = TenantContext("330825", "u", "i", ())
    assert not any(nobody.can(p, "330825") for p in ("places.read", "households.read", "staff.read"))
