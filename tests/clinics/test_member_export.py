import csv
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinics.models import Clinic, MemberImport
from tests import factories

pytestmark = pytest.mark.django_db

HEADERS = [
    "医療機関名",
    "フリガナ",
    "開設主体",
    "法人番号",
    "開設者・代表者",
    "郵便番号",
    "都道府県",
    "住所",
    "電話番号",
    "常時使用する従業員数",
    "保険医療機関コード",
]


@pytest.fixture
def members():
    """Three members of 東京都 (a corporation, an individual, one imported with little known)
    and one of 大阪府."""
    return [
        factories.clinic(
            name="医療法人社団青葉会 青葉内科クリニック",
            name_kana="イリョウホウジンシャダンアオバカイ アオバナイカクリニック",
            corporate_number="8011105000001",
            insurance_code="1312345678",
        ),
        factories.clinic(
            name="さくら耳鼻咽喉科",
            name_kana="サクラジビインコウカ",
            legal_form="individual",
            phone="03-2345-6789",
            employees=0,
        ),
        Clinic.objects.create(association=factories.association(), name="=名前だけの医院"),
        factories.clinic(prefecture="大阪府", name="なにわ総合病院"),
    ]


@pytest.fixture
def staff_client(client):
    client.force_login(factories.staff("東京都"))
    return client


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def reimport(client, content: bytes, name: str) -> str:
    response = client.post("/staff/members/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"]).content.decode()


def test_it_exports_csv_with_bom_crlf_and_japanese_headers(staff_client, members):
    response = staff_client.get("/staff/members/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.count(b"\r\n") == 4 and b"\n" not in content.replace(b"\r\n", b"")
    rows = csv_rows(content)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == [  # as the member list: by フリガナ
        "'=名前だけの医院",  # Excel must not run it as a formula
        "医療法人社団青葉会 青葉内科クリニック",
        "さくら耳鼻咽喉科",
    ]
    assert rows[1][1:] == [""] * 10
    assert rows[2][2:4] == ["医療法人", "8011105000001"] and rows[2][10] == "1312345678"
    assert rows[3][2:4] == ["個人開業医", ""] and rows[3][9] == "0"


def test_it_names_the_file_after_the_association_and_the_day(staff_client, members):
    response = staff_client.get("/staff/members/export.csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="members-13-')
    utf8_name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert utf8_name.startswith("members-東京都医師会-") and utf8_name.endswith(".csv")
    assert len(utf8_name) == len("members-東京都医師会-20261125.csv")


def test_the_export_re_imports_with_no_changes(staff_client, members):
    html = reimport(staff_client, staff_client.get("/staff/members/export.csv").content, "a.csv")
    assert "変更なし 3件" in html and "新規 0件" in html and "更新 0件" in html
    assert "エラー 0件" in html


def test_it_exports_xlsx_with_the_same_rows(staff_client, members):
    response = staff_client.get("/staff/members/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="members-13-' in response["Content-Disposition"]
    assert "filename*=UTF-8''members-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["G"].width >= 8
    rows = xlsx_rows(response.content)
    from_csv = csv_rows(staff_client.get("/staff/members/export.csv").content)
    from_csv[1][0] = from_csv[1][0].removeprefix("'")  # the xlsx cell is plain text
    assert rows == from_csv
    assert sheet["A2"].data_type == "s" and sheet["D3"].value == "8011105000001"


def test_the_xlsx_export_re_imports_with_no_changes(staff_client, members):
    content = staff_client.get("/staff/members/export.xlsx").content
    html = reimport(staff_client, content, "a.xlsx")
    assert "変更なし 3件" in html and "エラー 0件" in html
    assert MemberImport.objects.get().columns["ignored"] == []


def test_it_exports_only_the_staffs_own_members(client, members):
    client.force_login(factories.staff("大阪府"))
    rows = csv_rows(client.get("/staff/members/export.csv").content)
    assert [row[0] for row in rows[1:]] == ["なにわ総合病院"]
    assert (
        'filename="members-27-' in client.get("/staff/members/export.xlsx")["Content-Disposition"]
    )


def test_an_association_without_members_exports_the_header_row(staff_client):
    assert csv_rows(staff_client.get("/staff/members/export.csv").content) == [HEADERS]


def test_it_knows_only_csv_and_xlsx(staff_client):
    assert staff_client.get("/staff/members/export.pdf").status_code == 404


def test_it_rejects_post(staff_client):
    assert staff_client.post("/staff/members/export.csv").status_code == 405


def test_it_is_for_staff_only(client):
    response = client.get("/staff/members/export.csv")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(factories.clinic_user())
    assert client.get("/staff/members/export.xlsx").status_code == 403
