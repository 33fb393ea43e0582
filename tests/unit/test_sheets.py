import io

import pytest
from openpyxl import Workbook

from chalicelib.imports import sheets
from tests.conftest import xlsx_bytes


def test_csv_utf8_bom_and_gbk():
    text = "编码,名称\n330825001,东华街道\n\n330825001201,张王村\n"
    for data in (("\ufeff" + text).encode("utf-8"), text.encode("gbk")):
        rows = sheets.read_rows(data, "x.csv", sheets.PLACE_COLUMNS, 100)
        assert rows == [{"row": 2, "code": "330825001", "name": "东华街道"},
                        {"row": 4, "code": "330825001201", "name": "张王村"}]


def test_xlsx_numbers_become_text():
    wb = Workbook()
    ws = wb.active
    ws.append(["编码", "名称"])
    ws.append([330825001, "东华街道"])
    buf = io.BytesIO()
    wb.save(buf)
    assert sheets.read_rows(buf.getvalue(), "x.xlsx", sheets.PLACE_COLUMNS, 10)[0]["code"] == "330825001"


@pytest.mark.parametrize("data,name,msg", [
    (b"a,b\n1,2\n", "x.csv", "表头"), (b"", "x.csv", "空"), (b"x", "x.txt", "xlsx"),
    (b"not a zip", "x.xlsx", "Excel"),
])
def test_unreadable(data, name, msg):
    with pytest.raises(sheets.SheetError, match=msg):
        sheets.read_rows(data, name, sheets.PLACE_COLUMNS, 10)


def test_row_limit():
    data = ("编码,名称\n" + "".join(f"33082500{i % 10},x\n" for i in range(20))).encode()
    with pytest.raises(sheets.SheetError, match="最多"):
        sheets.read_rows(data, "x.csv", sheets.PLACE_COLUMNS, 5)




def test_header_hints_marks_spaces_and_full_width_are_ignored_and_synonyms_accepted():
    header = "＊户编号,与户主关系（户主/配偶/子女）, 身份证号码 (18位),手机号码,是否党员(是/否),姓名\n"
    sheet = sheets.read_sheet((header + "H1,户主,x,y,是,张三\n").encode(), "x.csv", sheets.HOUSEHOLD_COLUMNS, 10,
                              sheets.HOUSEHOLD_REQUIRED)
    assert sheet.issues == []
    assert sheet.rows == [{"row": 2, "ref": "H1", "relation": "户主", "id_number": "x", "phone": "y",
                           "party_member": "是", "name": "张三"}]


def test_unknown_duplicate_and_missing_columns_are_reported():
    data = "编码,名称,备注,联系电话,电话\n1,2,3,4,5\n".encode()
    places = sheets.read_sheet(data, "x.csv", sheets.PLACE_COLUMNS, 10, sheets.PLACE_REQUIRED)
    assert [(i["code"], i["level"], i["field"]) for i in places.issues] == [
        ("unknown_column", "warning", "备注"), ("unknown_column", "warning", "联系电话"),
        ("unknown_column", "warning", "电话")]
    assert places.rows == [{"row": 2, "code": "1", "name": "2"}]
    data = "户编号,姓名,手机号,联系电话,户主姓名\nH1,张三,1,2,李四\n".encode()
    hh = sheets.read_sheet(data, "x.csv", sheets.HOUSEHOLD_COLUMNS, 10, sheets.HOUSEHOLD_REQUIRED)
    codes = [(i["code"], i["field"]) for i in hh.issues]
    assert ("duplicate_column", "phone") in codes and ("missing_column", "relation") in codes
    assert ("missing_column", "id_number") in codes
    unknown = next(i for i in hh.issues if i["code"] == "unknown_column")
    assert unknown["field"] == "户主姓名" and "姓名" in unknown["message"]
    assert {i["level"] for i in hh.errors} == {"error"} and len(hh.warnings) == 1


def test_an_id_number_in_a_number_cell_is_flagged_and_the_sample_row_skipped():
    data = xlsx_bytes([["户编号", "姓名", "与户主关系", "身份证号", "手机号"],
                  ["示例-001", "张三", "户主", "330825198001010011", "13800000000"],
                  ["H1", "李四", "户主", 3.30825198001011e17, 13800000001],
                  ["H2", "王五", "户主", "330825198001010011", None]])
    sheet = sheets.read_sheet(data, "x.xlsx", sheets.HOUSEHOLD_COLUMNS, 10, sheets.HOUSEHOLD_REQUIRED)
    assert [(i["row"], i["code"]) for i in sheet.issues] == [(2, "sample_row")]
    assert [r["row"] for r in sheet.rows] == [3, 4]
    assert sheet.rows[0]["_numeric"] == {"id_number"} and sheet.rows[0]["phone"] == "13800000001"
    assert "_numeric" not in sheet.rows[1]


def test_full_width_digits_in_cells_become_ascii():
    data = "户编号,身份证号\nＨ０１,３３０８２５\n".encode()
    assert sheets.read_rows(data, "x.csv", sheets.HOUSEHOLD_COLUMNS, 10) == [
        {"row": 2, "ref": "H01", "id_number": "330825"}]
