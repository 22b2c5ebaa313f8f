import io
import tracemalloc

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from clinics import member_files, member_io
from clinics.models import Clinic, MemberImport
from tests import factories
from tests.clinics import hostile_files

pytestmark = pytest.mark.django_db

URL = "/staff/members/import/"
HEADER = (
    "医療機関名,フリガナ,開設主体,法人番号,開設者・代表者,郵便番号,都道府県,住所,電話番号,従業員数"
)
AOBA = "青葉内科クリニック,アオバナイカクリニック,医療法人,8011105000001,青葉 太郎,160-0023,東京都,新宿区西新宿1-2-3,03-1234-5678,40"
SAKURA = "さくら耳鼻咽喉科,サクラジビインコウカ,個人,,桜井 花子,150-0001,東京都,渋谷区神宮前4-5-6,03-2345-6789,3"
BROKEN = "壊れた医院,コワレタイイン,医療法人,1234567890123,壊 一郎,100-0001,東京都,千代田区1-1,03-3333-4444,5"


def csv_bytes(*lines: str, encoding: str = "cp932") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "members.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def preview(client, content: bytes, name: str = "members.csv"):
    """Upload and follow to the preview; (the import, the preview's HTML)."""
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()
    member_import = MemberImport.objects.latest("pk")
    assert response["Location"] == f"{URL}{member_import.pk}/"
    return member_import, client.get(response["Location"]).content.decode()


def confirm(client, member_import, **data):
    return client.post(f"{URL}{member_import.pk}/confirm/", data)


@pytest.fixture
def staff_client(client):
    client.force_login(factories.staff("東京都"))
    return client


def test_it_shows_the_upload_form(staff_client):
    html = staff_client.get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in html and "読み込んで内容を確認する" in html
    assert "ﾌﾘｶﾞﾅ" in html and "施設名" in html


def test_it_previews_a_cp932_file_with_the_row_error_and_saves_nothing(staff_client):
    content = csv_bytes("会員名簿（2026年4月1日現在）", HEADER, AOBA, BROKEN, SAKURA)
    member_import, html = preview(staff_client, content)
    assert Clinic.objects.count() == 0
    assert member_import.columns["header_row"] == 2
    assert "新規 2件" in html and "エラー 1件" in html
    assert "4行目" in html and "エラー" in html
    assert "法人番号：法人番号が正しくありません" in html
    assert "エラーの行を除いて取り込む" in html


def test_it_saves_nothing_when_confirmed_without_the_skip_box(staff_client):
    member_import, _ = preview(staff_client, csv_bytes(HEADER, AOBA, BROKEN, SAKURA))
    response = confirm(staff_client, member_import)
    assert response.status_code == 302
    assert Clinic.objects.count() == 0
    html = staff_client.get(response["Location"]).content.decode()
    assert "エラーの行が1行あるため、取り込みませんでした" in html
    member_import.refresh_from_db()
    assert member_import.confirmed_at is None


def test_it_saves_the_good_rows_when_told_to_leave_out_the_errors(staff_client):
    member_import, _ = preview(staff_client, csv_bytes(HEADER, AOBA, BROKEN, SAKURA))
    response = confirm(staff_client, member_import, skip_errors="on")
    assert sorted(Clinic.objects.values_list("name", flat=True)) == [
        "さくら耳鼻咽喉科",
        "青葉内科クリニック",
    ]
    aoba = Clinic.objects.get(name="青葉内科クリニック")
    assert aoba.association == factories.association("東京都")
    assert (aoba.corporate_number, aoba.legal_form, aoba.employees) == (
        "8011105000001",
        "medical_corporation",
        40,
    )
    html = staff_client.get(response["Location"]).content.decode()
    assert "取り込みが完了しました" in html
    assert "<dt>新規</dt><dd>2件</dd>" in html and "<dt>取り込まなかった行</dt><dd>1件</dd>" in html
    assert "壊れた医院" in html and 'href="/staff/members/"' in html


def test_confirming_twice_does_nothing_the_second_time(staff_client):
    member_import, _ = preview(staff_client, csv_bytes(HEADER, AOBA, SAKURA))
    confirm(staff_client, member_import)
    Clinic.objects.filter(name="さくら耳鼻咽喉科").delete()
    response = confirm(staff_client, member_import)
    assert Clinic.objects.count() == 1
    html = staff_client.get(response["Location"]).content.decode()
    assert "この取り込みはすでに完了しています" in html


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"], ids=["bom", "no-bom", "sjis"])
def test_it_reads_csv_in_each_encoding(staff_client, encoding):
    member_import, html = preview(staff_client, csv_bytes(HEADER, AOBA, SAKURA, encoding=encoding))
    assert "新規 2件" in html and "エラー 0件" in html
    confirm(staff_client, member_import)
    assert Clinic.objects.get(name="さくら耳鼻咽喉科").name_kana == "サクラジビインコウカ"


def test_it_reads_xlsx_with_numbers_and_restores_leading_zeros(staff_client):
    content = xlsx_bytes(
        [
            ["施設名", "カナ", "法人種別", "法人番号", "〒", "所在地", "TEL", "常勤職員数"],
            ["青葉内科クリニック", "アオバ", "医療法人", 8011105000001, 1600023, "東京都新宿区1", "03-1234-5678", 40],
            ["北の診療所", "キタ", "個人", None, 600001, "北海道札幌市中央区1", 112345678, 2.0],
        ]
    )  # fmt: skip
    member_import, html = preview(staff_client, content, "名簿.xlsx")
    assert "新規 2件" in html and "エラー 0件" in html
    confirm(staff_client, member_import)
    aoba = Clinic.objects.get(name="青葉内科クリニック")
    assert (aoba.corporate_number, aoba.postal_code, aoba.prefecture, aoba.address) == (
        "8011105000001",
        "160-0023",
        "東京都",
        "新宿区1",
    )
    north = Clinic.objects.get(name="北の診療所")
    assert (north.postal_code, north.phone, north.prefecture, north.employees) == (
        "060-0001",
        "011-234-5678",
        "北海道",
        2,
    )


def test_importing_twice_makes_no_duplicates(staff_client):
    content = csv_bytes(HEADER, AOBA, SAKURA)
    first, _ = preview(staff_client, content)
    confirm(staff_client, first)
    _, html = preview(staff_client, content)
    assert "変更なし 2件" in html and "新規 0件" in html
    assert "取り込む行（新規・更新）はありません" in html
    assert Clinic.objects.count() == 2


def test_it_updates_on_corporate_number_and_on_name_and_phone(staff_client):
    aoba = factories.clinic(name="旧名 青葉内科", corporate_number="8011105000001", employees=10)
    sakura = factories.clinic(
        name="さくら耳鼻咽喉科", phone="03-2345-6789", legal_form="individual", employees=1
    )
    other_association = factories.clinic(
        prefecture="大阪府", name="さくら耳鼻咽喉科", phone="03-2345-6789", legal_form="individual"
    )
    member_import, html = preview(staff_client, csv_bytes(HEADER, AOBA, SAKURA))
    assert "更新 2件" in html and "新規 0件" in html
    assert "医療機関名：旧名 青葉内科 → <strong>青葉内科クリニック</strong>" in html
    confirm(staff_client, member_import)
    aoba.refresh_from_db()
    sakura.refresh_from_db()
    other_association.refresh_from_db()
    assert (aoba.name, aoba.employees) == ("青葉内科クリニック", 40)
    assert (sakura.employees, sakura.representative) == (3, "桜井 花子")
    assert other_association.employees == 40
    assert Clinic.objects.count() == 3


def test_a_corporate_number_fills_in_a_member_matched_on_name_and_phone(staff_client):
    aoba = factories.clinic(name="青葉内科クリニック", corporate_number="", phone="0312345678")
    member_import, html = preview(staff_client, csv_bytes(HEADER, AOBA))
    assert "更新 1件" in html
    confirm(staff_client, member_import)
    aoba.refresh_from_db()
    assert aoba.corporate_number == "8011105000001"
    assert Clinic.objects.count() == 1


def test_a_blank_cell_keeps_the_stored_value(staff_client):
    sakura = factories.clinic(
        name="さくら耳鼻咽喉科", phone="03-2345-6789", legal_form="individual", employees=3
    )
    _, html = preview(
        staff_client, csv_bytes("医療機関名,電話番号,従業員数", "さくら耳鼻咽喉科,03-2345-6789,")
    )
    assert "変更なし 1件" in html
    sakura.refresh_from_db()
    assert sakura.employees == 3


def test_it_stores_full_width_digits_and_half_width_kana_in_canonical_form(staff_client):
    row = "ｻｸﾗ耳鼻咽喉科,ｻｸﾗｼﾞﾋﾞｲﾝｺｳｶ,個人開業医,,桜井　花子,〒１５０ー０００１,東京都,渋谷区神宮前４－５－６,０３（２３４５）６７８９,３人"
    member_import, _ = preview(staff_client, csv_bytes(HEADER, row))
    confirm(staff_client, member_import)
    clinic = Clinic.objects.get()
    assert clinic.name == "サクラ耳鼻咽喉科"
    assert clinic.name_kana == "サクラジビインコウカ"
    assert clinic.representative == "桜井 花子"
    assert clinic.postal_code == "150-0001"
    assert clinic.address == "渋谷区神宮前4-5-6"
    assert clinic.phone == "03-2345-6789"
    assert clinic.employees == 3
    assert clinic.legal_form == "individual"


@pytest.mark.parametrize(
    "header",
    [
        " 施設名 , ふりがな ,開設主体,法人番号,代表者,〒,都道府県,所在地,ＴＥＬ,常時使用する従業員数",
        "名称,医療機関名（フリガナ）,法人種別,法人番号,開設者,郵便番号,都道府県名,住所,電話,常勤職員数",
    ],
    ids=["spaces-and-widths", "variants"],
)
def test_it_maps_header_variants(staff_client, header):
    member_import, html = preview(staff_client, csv_bytes(header, AOBA))
    assert "新規 1件" in html
    assert {field for _, field in member_import.columns["used"]} == {
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
    }


def test_only_the_name_is_required_but_what_is_present_must_be_valid(staff_client):
    content = csv_bytes(
        "施設名,〒,従業員数,開設主体,法人番号",
        "名前だけの医院,,,,",
        "郵便番号が悪い医院,12345,,,",
        "人数が負の医院,,-3,,",
        "人数が文字の医院,,たくさん,,",
        "人数が漢数字の医院,,三十,,",
        "開設主体が不明の医院,,,株式会社,",
        "開設主体なしで法人番号が悪い医院,,,,8011105000002",
        ",,,,",
        ",100-0001,,,",
    )
    member_import, html = preview(staff_client, content)
    errors = {row["name"]: row["errors"] for row in member_import.rows}
    assert errors["名前だけの医院"] == []
    assert errors["郵便番号が悪い医院"] == [  # the value from the file is shown with the reason
        "〒：郵便番号は7桁の数字で入力してください（例：123-4567）。（ファイルの値：「12345」）"
    ]
    assert errors["人数が負の医院"] == [
        "従業員数：人数は0以上の整数で入力してください。（ファイルの値：「-3」）"
    ]
    assert errors["人数が文字の医院"] == [
        "従業員数：人数は0以上の整数で入力してください。（ファイルの値：「たくさん」）"
    ]
    assert "（ファイルの値：「8011105000002」）" in errors["開設主体なしで法人番号が悪い医院"][0]
    assert errors["人数が漢数字の医院"] == []  # 三十 is read as 30, with a note
    assert "従業員数の「三十」を30人と読みました。" in html
    assert errors["開設主体が不明の医院"][0].startswith("開設主体：「株式会社」は使えません")
    assert errors["開設主体なしで法人番号が悪い医院"][0].startswith(
        "法人番号：法人番号が正しくありません"
    )
    assert errors[""] == ["施設名：空欄です（医療機関名は必ず入れてください）。"]
    assert [row["row"] for row in member_import.rows] == [2, 3, 4, 5, 6, 7, 8, 10]
    assert "新規 2件" in html and "エラー 6件" in html


def test_a_repeated_row_is_an_error_on_the_later_row(staff_client):
    individual_again = SAKURA.replace("03-2345-6789", "０３２３４５６７８９")
    corporation_again = AOBA.replace("青葉内科クリニック", "青葉内科")
    member_import, html = preview(
        staff_client, csv_bytes(HEADER, AOBA, SAKURA, individual_again, corporation_again)
    )
    errors = [row["errors"] for row in member_import.rows]
    assert errors == [[], [], [], []]  # the file's rows are valid; repeats are found on matching
    assert "3行目と同じ医療機関です（医療機関名と電話番号が同じです）" in html
    assert "2行目と同じ医療機関です（法人番号が同じです）" in html
    assert "新規 2件" in html and "エラー 2件" in html


def test_it_refuses_a_file_without_a_name_header(staff_client):
    response = upload(staff_client, csv_bytes("フリガナ,電話番号", "アオバ,03-1234-5678"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "医療機関名の列が見つかりませんでした" in html
    assert (
        "「医療機関名」「施設名」「名称」" in html
        and "このファイルの見出し：「フリガナ」、「電話番号」" in html
    )
    assert MemberImport.objects.count() == 0


def test_it_refuses_an_undecodable_file(staff_client):
    response = upload(staff_client, b"\x81\x20\xff\xfe\x00" * 20)
    assert "文字コードを判別できませんでした（UTF-8 または Shift_JIS の CSV にしてください）" in (
        response.content.decode()
    )
    assert MemberImport.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "old.xls",
            "古い形式のExcelファイル（.xls）",
        ),
        (b"PK\x03\x04broken", "broken.xlsx", "Excelファイルを読み込めませんでした"),
        (b"", "empty.csv", "ファイルが空です"),
        (csv_bytes(HEADER), "header-only.csv", "取り込む行がありません"),
    ],
    ids=["xls", "broken-xlsx", "empty", "header-only"],
)
def test_it_refuses_files_it_cannot_use(staff_client, content, name, message):
    response = upload(staff_client, content, name)
    assert response.status_code == 200 and message in response.content.decode()
    assert MemberImport.objects.count() == 0


def test_it_refuses_a_file_too_large(staff_client):
    response = upload(staff_client, b"a" * (member_files.MAX_FILE_BYTES + 1))
    assert "ファイルが大きすぎます" in response.content.decode()


def test_it_refuses_too_many_rows(staff_client, monkeypatch):
    monkeypatch.setattr(member_io, "MAX_ROWS", 3)  # the limit parse_member_file checks
    rows = [f"医院{n},,,,,,,,0{n}-0000-0000," for n in range(1, 5)]
    response = upload(staff_client, csv_bytes(HEADER, *rows))
    assert "1回に取り込めるのは3行まで" in response.content.decode()


def test_it_filters_the_preview_and_serves_the_table_to_htmx(staff_client):
    member_import, _ = preview(staff_client, csv_bytes(HEADER, AOBA, BROKEN, SAKURA))
    url = f"{URL}{member_import.pk}/"
    html = staff_client.get(url, {"show": "error"}, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="preview-table">') and "<html" not in html
    assert "壊れた医院" in html and "青葉内科クリニック" not in html


def test_staff_of_another_association_get_404(client):
    client.force_login(factories.staff("東京都"))
    member_import, _ = preview(client, csv_bytes(HEADER, AOBA))
    client.force_login(factories.staff("大阪府"))
    assert client.get(f"{URL}{member_import.pk}/").status_code == 404
    assert confirm(client, member_import).status_code == 404
    assert Clinic.objects.count() == 0


@pytest.mark.parametrize("path", ["", "1/", "1/confirm/"])
def test_it_is_for_staff_only(client, path):
    response = client.get(f"{URL}{path}")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(factories.clinic_user())
    assert client.get(f"{URL}{path}").status_code == 403
    assert client.post(f"{URL}{path}").status_code == 403


def test_it_rejects_wrong_methods(staff_client):
    member_import, _ = preview(staff_client, csv_bytes(HEADER, AOBA))
    assert staff_client.put(URL).status_code == 405
    assert staff_client.post(f"{URL}{member_import.pk}/").status_code == 405
    assert staff_client.get(f"{URL}{member_import.pk}/confirm/").status_code == 405


def test_the_members_page_links_to_import_and_export(staff_client):
    html = staff_client.get("/staff/members/").content.decode()
    assert 'href="/staff/members/import/"' in html
    assert (
        'href="/staff/members/export.csv"' in html and 'href="/staff/members/export.xlsx"' in html
    )


def test_every_accepted_header_names_one_field():
    fields_by_key = {}
    for field, header, aliases in member_files.COLUMNS:
        for title in (header, *aliases):
            fields_by_key.setdefault(member_files.header_key(title), set()).add(field)
    assert {key: fields for key, fields in fields_by_key.items() if len(fields) > 1} == {}


def test_a_row_that_cannot_be_saved_leaves_nothing_half_imported(staff_client):
    broken = factories.clinic(name="さくら耳鼻咽喉科", phone="03-2345-6789")
    Clinic.objects.filter(pk=broken.pk).update(prefecture="トウキョウ")  # stored before the rules
    member_import, html = preview(
        staff_client, csv_bytes(HEADER, AOBA, SAKURA.replace(",東京都,", ",,"))
    )
    assert "新規 1件" in html and "更新 1件" in html
    response = confirm(staff_client, member_import)
    html = staff_client.get(response["Location"]).content.decode()
    assert "3行目（さくら耳鼻咽喉科）を保存できなかったため、何も取り込みませんでした" in html
    assert list(Clinic.objects.all()) == [broken]
    member_import.refresh_from_db()
    assert member_import.confirmed_at is None


def test_it_reads_excels_unicode_text(staff_client):
    content = "\r\n".join(line.replace(",", "\t") for line in (HEADER, AOBA)).encode("utf-16")
    _, html = preview(staff_client, content, "名簿.txt")
    assert "新規 1件" in html and "エラー 0件" in html


def test_a_nul_in_a_cell_is_refused_by_its_column_and_the_preview_is_stored(staff_client):
    """Unicode text (UTF-16) may carry NUL characters, which PostgreSQL cannot keep in JSON:
    the cell shows � and the row is refused, naming the column."""
    broken = AOBA.replace("医療法人", "医療\x00法人").replace("青葉 太郎", "青葉\x00太郎")
    content = "\r\n".join(line.replace(",", "\t") for line in (HEADER, broken)).encode("utf-16")
    _, html = preview(staff_client, content, "名簿.txt")
    assert "新規 0件" in html and "エラー 1件" in html
    assert "開設主体：" in html and "開設者" in html and "読み取れない文字" in html
    stored = MemberImport.objects.get()
    assert "\x00" not in str(stored.rows)


@pytest.mark.parametrize("name", list(hostile_files.HOSTILE))
def test_a_file_built_to_exhaust_the_reader_is_answered_at_once(staff_client, name):
    """Issue 17: a 4.9 KB workbook with one cell at row 1,048,576 took 31 s and 695 MB."""
    file_name, content, message = hostile_files.hostile(name)
    tracemalloc.start()
    try:
        response = upload(staff_client, content, file_name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB"
    if message is None:
        assert response.status_code == 302
        html = staff_client.get(response.url).content.decode()
        assert len(html) < 200_000
    else:
        assert response.status_code == 200 and message in response.content.decode()
        assert MemberImport.objects.count() == 0


def test_a_wide_file_lists_a_few_of_the_columns_it_does_not_import(staff_client):
    member_import, html = preview(staff_client, hostile_files.wide_csv(100_000))
    ignored = member_import.columns["ignored"]
    # columns past 60 are not read
    more = member_files.MAX_COLUMNS - 1 - member_files.MAX_IGNORED_SHOWN
    assert len(ignored) == member_files.MAX_IGNORED_SHOWN + 1 and ignored[-1] == f"ほか{more}列"
    assert f"ほか{more}列" in html


def test_empty_rows_are_skipped_and_rows_keep_their_numbers(staff_client):
    rows = [["医療機関名", "電話番号"], ["青葉内科クリニック", "03-1234-5678"]]
    rows += [[None, None]] * 15_000 + [["さくら耳鼻咽喉科", "03-2345-6789"]]
    member_import, _ = preview(staff_client, xlsx_bytes(rows), "members.xlsx")
    assert [(row["row"], row["name"]) for row in member_import.rows] == [
        (2, "青葉内科クリニック"),
        (15_003, "さくら耳鼻咽喉科"),
    ]


OSAKA = "なにわ内科,ナニワナイカ,医療法人,,浪花 次郎,530-0001,大阪府,大阪市北区梅田1-1-1,06-1234-5678,12"


def test_a_row_in_another_prefecture_is_imported_with_a_warning(staff_client):
    member_import, html = preview(staff_client, csv_bytes(HEADER, AOBA, OSAKA))
    assert "新規 2件" in html and "エラー 0件" in html
    assert "注意のある行が1件あります（所在地が東京都以外" in html
    assert html.count("所在地が大阪府です（東京都医師会の会員として取り込みます）。") == 1
    confirm(staff_client, member_import)
    naniwa = Clinic.objects.get(name="なにわ内科")
    assert naniwa.prefecture == "大阪府"
    assert naniwa.association == factories.association("東京都")


def test_rows_in_the_associations_own_prefecture_get_no_warning(staff_client):
    _, html = preview(staff_client, csv_bytes(HEADER, AOBA, SAKURA))
    assert "新規 2件" in html
    assert "注意のある行" not in html and "会員として取り込みます" not in html


def test_a_new_row_with_a_members_phone_number_is_imported_with_a_warning(staff_client):
    factories.clinic(name="既存の医院", phone="03-1234-5678")
    _, html = preview(staff_client, csv_bytes(HEADER, AOBA))
    assert "新規 1件" in html and "エラー 0件" in html
    assert "電話番号 03-1234-5678 は登録済みの会員（既存の医院）と同じです。" in html
    assert "注意のある行が1件あります" in html


def test_the_email_column_is_kept_and_the_members_invited_at_once_and_only_once(staff_client):
    content = csv_bytes(
        HEADER + ",メールアドレス",
        AOBA + ",Aoba@Example.jp",
        SAKURA + ",",
        "まちがい医院,,,,,,東京都,,03-9999-0000,1,メールではない",
    )
    member_import, html = preview(staff_client, content)
    assert "メールアドレス（招待用）" in html and "aoba@example.jp" in html
    assert "「メールではない」はメールアドレスの形ではないため、招待には使いません。" in html
    assert (
        "取り込まない列" not in html or "メールアドレス" not in html.split("取り込まない列")[1][:80]
    )
    confirm(staff_client, member_import)
    page = staff_client.get(f"/staff/members/import/{member_import.pk}/").content.decode()
    assert "1件に招待メールを送る" in page

    mail.outbox.clear()
    url = f"/staff/members/import/{member_import.pk}/invite/"
    response = staff_client.post(url, follow=True)
    assert "招待メールを1件送りました。" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["aoba@example.jp"]]
    aoba = Clinic.objects.get(name="青葉内科クリニック")
    assert aoba.invitations.get().email == "aoba@example.jp"
    response = staff_client.post(url, follow=True)  # a second click sends nothing again
    assert "招待メールを0件送りました。1件は、すでに利用者がいるか招待済みのため" in (
        response.content.decode()
    )
    assert len(mail.outbox) == 1
