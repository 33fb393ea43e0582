import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import pii
from chalicelib.core.observability import redact


@given(st.from_regex(r"[0-9]{6}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True))
def test_check_digit_round_trip(first17):
    full = first17 + pii.id_check_digit(first17)
    assert pii.normalise_id_number(full.lower()) == full
    wrong = first17 + next(c for c in "0123456789X" if c != full[-1])
    with pytest.raises(ValueError, match="校验位"):
        pii.normalise_id_number(wrong)


def test_known_id_number():
    assert pii.id_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("bad", ["", "123", "33082519801301123X", "3308251980010112", "330825198001011X2X"])
def test_bad_id_numbers(bad):
    with pytest.raises(ValueError):
        pii.normalise_id_number(bad)


@pytest.mark.parametrize("raw", ["13800000000", "+86 138 0000 0000", "0086-138-0000-0000", "86 13800000000"])
def test_phone_forms(raw):
    assert pii.normalise_phone(raw) == "13800000000"


@pytest.mark.parametrize("bad", ["12800000000", "1380000000", "138000000000", "+1 4155550100", "abc"])
def test_bad_phones(bad):
    with pytest.raises(ValueError):
        pii.normalise_phone(bad)


def test_masks():
    assert pii.mask_phone("13800001234") == "138****1234"
    assert pii.mask_id_number("330825198001011234") == "330825********1234"
    assert pii.mask_phone(None) is None


def test_log_redaction():
    line = redact("call 13812345678 about 33082519800101123X please")
    assert "13812345678" not in line and "33082519800101123X" not in line
    assert re.search(r"138\*{4}5678", line) and "330825********123X" in line
