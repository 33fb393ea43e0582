"""Text from Excel, Chinese IMEs and copy-paste: one canonical form, no invisible characters, bounded shape."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import text
from chalicelib.core.pii import normalise_id_number, normalise_phone

ID = "33082519800101904X"  # a valid GB 11643 number (check character X)
FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_full_width_digits_and_letters_fold_to_ascii_and_punctuation_stays():
    assert text.fold("３３０８２５　ＡＢｃ") == "330825 ABc"
    assert text.fold("张王村３号，共５人。") == "张王村3号，共5人。"  # Chinese punctuation is how Chinese is written


def test_id_numbers_and_phones_in_full_width_have_one_canonical_form():
    assert normalise_id_number(ID.translate(FULL)) == ID
    assert normalise_id_number(ID[:17] + "x") == ID
    assert normalise_id_number(" 330825 19800101 904X ") == ID
    assert normalise_phone("１３８ ００００ ００００") == "13800000000"
    assert normalise_phone("＋８６－１３８－００００－００００") == "13800000000"


@pytest.mark.parametrize("value", ["3.30825E+17", "3.30825198001019E+17", "330825198001019040.0", "3.3e17"])
def test_an_id_number_a_spreadsheet_turned_into_a_number_says_so(value):
    with pytest.raises(ValueError, match="表格转换成了数字"):
        normalise_id_number(value)


@pytest.mark.parametrize("digits", ["٣٣٠٨٢٥١٩٨٠٠١٠١٩٠٤X", "३३०८२५१९८००१०१९०४X"])
def test_digits_of_other_scripts_are_not_taken_as_an_id_number(digits):
    """`\\d` matches Arabic-Indic and Devanagari digits; such a value must not be stored as an ID number."""
    with pytest.raises(ValueError):
        normalise_id_number(digits)


@pytest.mark.parametrize("bad", ["\u202eABC", "a\u2066b", "x\u200fy", "nul\x00", "bell\x07", "\u200bhidden",
                                 "\ud800"])
def test_control_bidi_and_zero_width_characters_are_refused_in_free_text(bad):
    assert text.bad_character(bad) is not None


@pytest.mark.parametrize("ok", ["第一行\n第二行\t缩进", "👨‍👩‍👧 一家三口", "普通文字，标点。", "Mixed ASCII 123"])
def test_ordinary_text_line_breaks_and_emoji_sequences_are_allowed(ok):
    assert text.bad_character(ok) is None


@pytest.mark.parametrize("bad", ["张\u200d三", "张\u00ad三", "李四\n", "王\u2028五"])
def test_names_refuse_every_format_or_line_character(bad):
    assert text.bad_character(bad, name=True) is not None


def test_shape_is_bounded_before_parsing():
    text.check_shape(json.dumps({"a": [[[[1]]]], "s": "[[[[[[[[[[[[[[[[[[[[[[[[[["}))  # brackets inside strings
    with pytest.raises(text.BodyShapeError) as e:
        text.check_shape("[" * 100_000 + "]" * 100_000)
    assert e.value.code == "body_too_deep"
    with pytest.raises(text.BodyShapeError) as e:
        text.check_shape(json.dumps({"a": list(range(text.MAX_ELEMENTS + 1))}))
    assert e.value.code == "body_too_many_elements"
    with pytest.raises(text.BodyShapeError):
        text.check_shape('{"a":"\\"' + "[" * 50 + '"}' + "[" * 50)  # an escaped quote does not end the string


def test_clean_reports_the_field_path():
    data, errors = text.clean({"members": [{"name": "ok"}, {"name": "坏\u202e名"}], "ｎ": "１"})
    assert data == {"members": [{"name": "ok"}, {"name": "坏\u202e名"}], "n": "1"}
    assert [e["field"] for e in errors] == ["members.1.name"] and "U+202E" in errors[0]["message"]


@given(st.text(max_size=50))
def test_fold_is_idempotent_and_never_lengthens(s):
    once = text.fold(s)
    assert text.fold(once) == once and len(once) == len(s)
