"""Import and export of an association's member list (会員名簿) as CSV or Excel.

Import, in three steps:

1. ``read_table`` turns the uploaded bytes into rows of cells: an .xlsx workbook (first sheet), or
   a CSV whose encoding is detected (UTF-8 with or without BOM, then Shift_JIS / CP932).
2. ``parse_member_file`` finds the header row, maps the Japanese headers to clinic fields and
   checks every row with the profile form's rules (``MemberRowForm``): only the name is required,
   since an imported list is often incomplete, but what is filled in must be valid.
3. ``plan_rows`` matches the rows with the association's members (法人番号 if present, else name +
   phone) and says for each row 新規, 更新, 変更なし or エラー. It runs when the preview is shown and
   again, inside the transaction, when staff confirm; what it compares is what the server stored.

Export writes the same columns under the same headers, so an exported file re-imports with no
changes. A blank cell never erases what is stored: imported lists are often incomplete.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import openpyxl
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from config.text import fit_file_name
from eligibility.models import LegalForm

from . import exports, normalize, services
from .forms import ClinicProfileForm
from .models import Association, Clinic, MemberImport
from .prefectures import PREFECTURES, prefecture_warning
from .selectors import clinic_list_for_staff

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 60
MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024  # a workbook that unpacks to more is refused
MAX_SCANNED_ROWS = 20_000  # rows past this one are not read, empty or not
MAX_CELL_CHARACTERS = csv.field_size_limit()  # 131,072 characters in one cell
MAX_XLSX_CELLS = 100_000  # in all the workbook's sheets, e.g. 5,000 rows of 20 columns
MAX_READ_SECONDS = 10  # a backstop: reading stops between two rows after this long
MAX_IGNORED_SHOWN = 20  # headers of columns not imported, listed in the preview
HEADER_SEARCH_ROWS = 10  # a title line or two above the header row is common
UNCONFIRMED_KEPT_DAYS = 7

# (field, header written on export, other headers accepted on import). Headers are compared by
# ``header_key``: widths folded, hiragana as katakana, spaces, brackets and ・ removed.
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("name", "医療機関名", ("医療機関名称", "医療機関", "施設名", "施設名称", "名称", "医院名",
                           "病院名", "診療所名", "クリニック名", "機関名")),
    ("name_kana", "フリガナ", ("ふりがな", "カナ", "よみがな", "読み仮名", "医療機関名（フリガナ）",
                              "医療機関名（カナ）", "施設名（フリガナ）", "施設名（カナ）", "名称（フリガナ）",
                              "名称（カナ）", "カナ名称", "フリガナ名称")),
    ("legal_form", "開設主体", ("法人種別", "開設者種別", "経営主体", "設置主体", "開設区分",
                               "法人区分")),
    ("corporate_number", "法人番号", ("法人番号（13桁）",)),
    ("representative", "開設者・代表者", ("開設者", "代表者", "開設者名", "代表者名",
                                        "開設者氏名", "代表者氏名", "理事長")),
    ("postal_code", "郵便番号", ("〒", "郵便", "〒番号")),
    ("prefecture", "都道府県", ("都道府県名",)),
    ("address", "住所", ("所在地", "住所（市区町村以降）", "所在地住所")),
    ("phone", "電話番号", ("電話", "TEL", "TEL番号", "電話番号（代表）", "代表電話番号", "代表電話")),
    ("employees", "常時使用する従業員数", ("従業員数", "常勤職員数", "職員数", "常勤従業員数",
                                          "従業員")),
    ("insurance_code", "保険医療機関コード", ("医療機関コード", "保険医療機関番号")),
]  # fmt: skip

FIELD_HEADERS = {name: header for name, header, _ in COLUMNS}

LEGAL_FORM_VALUES = {
    "医療法人": LegalForm.Code.MEDICAL_CORPORATION,
    "医療法人社団": LegalForm.Code.MEDICAL_CORPORATION,
    "医療法人財団": LegalForm.Code.MEDICAL_CORPORATION,
    "個人": LegalForm.Code.INDIVIDUAL,
    "個人開業医": LegalForm.Code.INDIVIDUAL,
    "個人立": LegalForm.Code.INDIVIDUAL,
    "個人開設": LegalForm.Code.INDIVIDUAL,
    "社会福祉法人": LegalForm.Code.SOCIAL_WELFARE_CORPORATION,
} | {code.value: code for code in LegalForm.Code}


PREFECTURE_VALUES = {name: name for name in PREFECTURES} | {
    name[:-1]: name for name in PREFECTURES if name != "北海道"
}  # 東京 -> 東京都, 京都 -> 京都府


CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")  # a cell of a sheet's XML, with or without a prefix
Row = tuple[int, list]  # (1-based row number in the file, its cells)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Japanese."""


class ImportRefused(Exception):
    """A confirmation that does nothing; the message says why, in Japanese."""


# --- step 1: bytes -> rows of cells ---------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-16 with a BOM (Excel's 「Unicode テキスト」), strict UTF-8 (with or without BOM), then
    CP932. CP932 decodes almost any bytes, so text with its unassigned codes or NUL is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not re.search("[\x00\x80\uf8f0-\uf8f3]", text):
                return text
    raise ImportFileError(
        "文字コードを判別できませんでした（UTF-8 または Shift_JIS の CSV にしてください）。"
    )


def _rows_with_numbers(rows) -> Iterator[Row]:
    """(1-based row number, cells) of the rows that have something in them, read lazily: an
    empty row is skipped without being kept. Cells past MAX_COLUMNS are not read."""
    deadline = time.monotonic() + MAX_READ_SECONDS
    for number, cells in enumerate(rows, start=1):
        if number > MAX_SCANNED_ROWS:
            raise ImportFileError(
                f"{MAX_SCANNED_ROWS:,}行目より下にも行があるため、読み込めませんでした。"
                f"取り込めるのは{MAX_SCANNED_ROWS:,}行目までです。データのない行を削除するか、"
                "必要な範囲だけを新しいファイルにコピーしてください。"
            )
        if time.monotonic() > deadline:
            raise ImportFileError(
                f"ファイルの読み込みが{MAX_READ_SECONDS}秒を超えたため、中止しました。"
                "行や列を減らすか、ファイルを分けてください。"
            )
        cells = list(cells[:MAX_COLUMNS])
        if cells.count(None) == len(cells) or not any(_cell_text(cell) for cell in cells):
            continue
        yield number, cells


def _read_csv(data: bytes) -> list[Row]:
    text = decode_text(data).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(_rows_with_numbers(reader))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError(
                f"{reader.line_num}行目あたりに、長すぎるセルがあります（1つのセルは"
                f'{MAX_CELL_CHARACTERS:,}文字まで）。閉じられていない「"」がないかも'
                "ご確認ください。"
            ) from None
        raise ImportFileError(
            f"CSVとして読み込めませんでした（{reader.line_num}行目あたり）。Excelで開き"
            "「CSV」形式で保存し直してください。"
        ) from None


def _count_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The cells in one sheet's XML, read a megabyte at a time (a plain ``read()`` unpacks a
    member whole before it checks the size the zip declares)."""
    count = 0
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            count += len(CELL_TAG.findall(chunk))
    return count


def _read_xlsx(data: bytes) -> list[Row]:
    unreadable = ImportFileError(
        "Excelファイルを読み込めませんでした。Excelで開き「Excel ブック（.xlsx）」として"
        "保存し直してください。"
    )
    try:
        # zipfile reads no member past the size its directory declares, so this bounds the
        # unpacking of a zip bomb too
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_XLSX_UNPACKED_BYTES:
                raise ImportFileError(
                    f"Excelファイルの中身が大きすぎます（展開すると{unpacked / 1024 / 1024:,.0f}"
                    f"MB、{MAX_XLSX_UNPACKED_BYTES // 1024 // 1024}MBまで）。CSVにして取り込んで"
                    "ください。"
                )
            # openpyxl takes tens of microseconds a cell: too many cells is refused unread
            cells = sum(
                _count_cells(archive, info)
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/")
            )
        if cells > MAX_XLSX_CELLS:
            raise ImportFileError(
                f"Excelファイルのセルが多すぎます（{cells:,}個、{MAX_XLSX_CELLS:,}個まで）。"
                "会員名簿に使わない列やシートを削除するか、CSVにして取り込んでください。"
            )
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise unreadable from None
    try:
        sheet = workbook.worksheets[0]
        # The size the sheet declares is not trusted: rows are read as far as they exist.
        sheet.reset_dimensions()
        rows = []
        for row in _rows_with_numbers(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)):
            rows.append(row)
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break  # enough to say there are too many rows
        return rows
    except ImportFileError:
        raise
    except Exception:
        raise unreadable from None
    finally:
        workbook.close()


def read_table(*, file_name: str, data: bytes) -> list[Row]:
    """The rows of the file that are not empty, each as (its 1-based row number, its cells:
    text, or numbers and dates from Excel)."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "古い形式のExcelファイル（.xls）は読み込めません。Excelで開き「Excel ブック（.xlsx）」"
            "または「CSV」として保存し直してください。"
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(
            "Excelファイルとして読み込めませんでした。ファイルが壊れていないかご確認ください。"
        )
    return _read_csv(data)


# --- step 2: header row and row checks -------------------------------------------------------


def header_key(value) -> str:
    """'医療機関名（フリガナ）', 'ﾌﾘｶﾞﾅ', ' ふりがな ' and 'ＴＥＬ' compare as the same kind of key."""
    folded = normalize.kana(str(value or ""))
    folded = re.sub(r"[(\[【]\s*(必須|任意)\s*[)\]】]", "", folded)
    return re.sub(r"[\s・･()\[\]【】「」『』<>:_*※\-]", "", folded).casefold()


HEADER_FIELDS = {
    header_key(header): name
    for name, export_header, aliases in COLUMNS
    for header in (export_header, *aliases)
}


UNREADABLE_CHARACTER = "\ufffd"


def _cell_text(value, field_name: str = "") -> str:
    """A cell as text. Excel drops the leading 0 of a postal code or phone number typed as a
    number; a Japanese postal code has 7 digits and a phone number starts with 0, so it is put
    back. The apostrophe the CSV export puts before a formula-like value is removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        text = str(value)
        if field_name == "postal_code" and len(text) == 6:
            return "0" + text
        if field_name == "phone" and len(text) in (9, 10):
            return "0" + text
        return text
    if isinstance(value, datetime | date):
        return value.isoformat()
    # NUL (from Unicode text files) cannot be stored in PostgreSQL's JSON: shown as �, refused
    text = str(value).replace("\x00", UNREADABLE_CHARACTER).strip()
    if text.startswith("'") and text[1:].startswith(exports.FORMULA_START):
        return text[1:]
    return text


@dataclass
class Header:
    row: int  # 1-based row number of the header in the file
    fields: dict[str, int] = field(default_factory=dict)  # field -> column index
    titles: dict[str, str] = field(default_factory=dict)  # field -> header as written
    ignored: list[str] = field(default_factory=list)


def find_header(rows: list[Row]) -> Header:
    """The first row (among the first few that are not empty) with a header for the name."""
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        texts = [_cell_text(cell) for cell in cells]
        header = Header(row=number)
        for column, text in enumerate(texts):
            name = HEADER_FIELDS.get(header_key(text))
            if name and name not in header.fields:
                header.fields[name] = column
                header.titles[name] = text
            elif text:
                header.ignored.append(text[:30])
        if len(header.ignored) > MAX_IGNORED_SHOWN:
            more = len(header.ignored) - MAX_IGNORED_SHOWN
            header.ignored = [*header.ignored[:MAX_IGNORED_SHOWN], f"ほか{more:,}列"]
        if "name" in header.fields:
            return header
    first = [_cell_text(c) for c in rows[0][1]] if rows else []
    found = "、".join([f"「{t[:30]}」" for t in first if t][:15])
    raise ImportFileError(
        "医療機関名の列が見つかりませんでした。見出しの行に「医療機関名」「施設名」「名称」の"
        "いずれかを入れてください。使える見出し："
        + "、".join(header for _, header, _ in COLUMNS)
        + "。"
        + (f"このファイルの見出し：{found}。" if found else "このファイルは空です。")
    )


class MemberRowForm(ClinicProfileForm):
    """One row of an imported list, checked by the profile form's rules. Only the name is
    required; a filled-in value must be valid. A 法人番号 without 開設主体 is still checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            form_field.required = name == "name"
            form_field.error_messages["max_length"] = (
                "%(limit_value)d文字以内にしてください（%(show_value)d文字あります）。"
            )
        self.fields["name"].error_messages["required"] = (
            "空欄です（医療機関名は必ず入れてください）。"
        )
        self.fields["legal_form"].error_messages["invalid_choice"] = (
            "「%(value)s」は使えません。医療法人・個人開業医・社会福祉法人のいずれかにしてください。"
        )
        self.fields["prefecture"].error_messages["invalid_choice"] = (
            "「%(value)s」は都道府県名として使えません（例：東京都）。"
        )
        employees = self.fields["employees"].error_messages
        employees["min_value"] = employees["max_value"] = employees["invalid"]

    @classmethod
    def checker(cls):
        """A function data -> bound form. Building a form deep-copies its fields, which costs
        more than checking a row, so one form is built per file and bound afresh to each row
        (validation never changes the fields)."""
        prototype = cls()

        def bind(data: dict):
            form = copy.copy(prototype)
            form.data, form.is_bound, form._errors = data, True, None
            form.instance, form._bound_fields_cache = Clinic(), {}
            return form

        return bind

    def clean_name_kana(self):
        return super().clean_name_kana() if self.cleaned_data["name_kana"] else ""

    def clean_postal_code(self):
        return super().clean_postal_code() if self.cleaned_data["postal_code"] else ""

    def clean_phone(self):
        return super().clean_phone() if self.cleaned_data["phone"] else ""

    def clean(self):
        for name in self.fields:
            if UNREADABLE_CHARACTER in str(self.data.get(name) or ""):
                self.add_error(
                    name, "読み取れない文字（�）が含まれています。元のファイルを確認してください。"
                )
        legal_form = self.cleaned_data.get("legal_form")
        has_number = bool(normalize.digits(self.data.get("corporate_number") or ""))
        if not has_number and legal_form != LegalForm.Code.INDIVIDUAL:
            self.cleaned_data["corporate_number"] = ""  # a corporation's number may be missing
            return forms.ModelForm.clean(self)
        if has_number and not legal_form and "legal_form" not in self.errors:
            # checked as the profile checks a corporation's number; the legal form stays unknown
            self.cleaned_data["legal_form"] = LegalForm.Code.MEDICAL_CORPORATION
            cleaned = super().clean()
            cleaned["legal_form"] = ""
            return cleaned
        return super().clean()


def _row_data(cells: list, header: Header) -> dict[str, str]:
    """The cells of one row by field, with the file's words turned into the form's values."""
    data = {}
    for name, column in header.fields.items():
        data[name] = _cell_text(cells[column] if column < len(cells) else None, name)
    if data.get("legal_form"):
        key = re.sub(r"\s", "", normalize.nfkc(data["legal_form"]))
        data["legal_form"] = LEGAL_FORM_VALUES.get(key, key)
    if data.get("prefecture"):
        key = re.sub(r"\s", "", normalize.nfkc(data["prefecture"]))
        data["prefecture"] = PREFECTURE_VALUES.get(key, key)
    address = normalize.text(data.get("address", ""))
    prefecture = next((p for p in PREFECTURES if address.startswith(p)), "")
    if prefecture and not data.get("prefecture"):
        # a 所在地 column without a 都道府県 column: the profile keeps the prefecture apart
        data["prefecture"] = prefecture
        data["address"] = address.removeprefix(prefecture).strip()
    return data


def check_row(data: dict[str, str], header: Header, bind=None) -> tuple[dict, list[str]]:
    """(the cleaned values of the filled-in cells, the reasons the row cannot be imported)."""
    form = bind(data) if bind else MemberRowForm(data)
    if not form.is_valid():
        errors = []
        order = list(FIELD_HEADERS)
        by_column = sorted(form.errors.items(), key=lambda item: _position(order, item[0]))
        for name, messages in by_column:
            title = header.titles.get(name) or FIELD_HEADERS.get(name, "")
            errors += [f"{title}：{message}" if title else message for message in messages]
        return {}, errors
    values = {
        name: value
        for name, value in form.cleaned_data.items()
        if name in FIELD_HEADERS and value not in ("", None)
    }
    if form.cleaned_data.get("legal_form") == LegalForm.Code.INDIVIDUAL:
        values["corporate_number"] = ""  # an individual has none: a stored one is cleared
    return values, []


def _position(items: list, item) -> int:
    return items.index(item) if item in items else len(items)


@dataclass
class ParsedFile:
    columns: dict
    rows: list[dict]


def parse_member_file(*, file_name: str, data: bytes) -> ParsedFile:
    """Read, map and check every row. Raises ImportFileError for a file that cannot be used."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_too_large_message(len(data)))
    table = read_table(file_name=file_name, data=data)
    header = find_header(table)
    rows, bind = [], MemberRowForm.checker()
    for number, cells in table:
        if number <= header.row:
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                f"行が多すぎます。1回に取り込めるのは{MAX_ROWS:,}行までです。"
                "ファイルを分けて、順に取り込んでください。"
            )
        row_data = _row_data(cells, header)
        values, errors = check_row(row_data, header, bind)
        name = values.get("name") or normalize.text(row_data.get("name", ""))
        rows.append({"row": number, "name": name, "values": values, "errors": errors})
    if not rows:
        raise ImportFileError("見出しの行のほかに、取り込む行がありません。")
    columns = {
        "header_row": header.row,
        "used": [[header.titles[name], FIELD_HEADERS[name]] for name in header.fields],
        "ignored": header.ignored,
    }
    return ParsedFile(columns=columns, rows=rows)


def _too_large_message(size: int) -> str:
    return (
        f"ファイルが大きすぎます（{size / 1024 / 1024:.1f}MB）。"
        f"{MAX_FILE_BYTES // 1024 // 1024}MBまでのファイルにしてください。"
        "ファイルを分けて、順に取り込むこともできます。"
    )


# --- step 3: matching with the members --------------------------------------------------------

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
STATUS_LABELS = {NEW: "新規", UPDATE: "更新", UNCHANGED: "変更なし", ERROR: "エラー"}


@dataclass
class PlannedRow:
    row: int
    name: str
    status: str
    values: dict
    errors: list[str] = field(default_factory=list)
    clinic: Clinic | None = None
    updates: dict = field(default_factory=dict)
    warning: str = ""  # imported all the same, e.g. a prefecture not the association's

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(header, stored, from the file) for each field an update changes."""
        return [
            (FIELD_HEADERS[name], display_value(name, getattr(self.clinic, name)) or "（空欄）",
             display_value(name, value) or "（空欄）")
            for name, value in self.updates.items()
        ]  # fmt: skip

    @property
    def details(self) -> list[tuple[str, str]]:
        """(header, value) of what a new row brings, its name and kana aside."""
        skip = ("name", "name_kana")
        return [
            (FIELD_HEADERS[name], display_value(name, value))
            for name, value in self.values.items()
            if name not in skip and value not in ("", None)
        ]


def display_value(name: str, value) -> str:
    if value in ("", None):
        return ""
    if name == "legal_form":
        return str(LegalForm.Code(value).label)
    if name == "employees":
        return f"{value}人"
    return str(value)


def _match_key(name: str, phone: str) -> tuple[str, str]:
    return re.sub(r"\s", "", normalize.text(name)), normalize.digits(phone or "")


def plan_rows(
    rows: list[dict], clinics: list[Clinic], *, association: Association
) -> list[PlannedRow]:
    """What each checked row would do to the members: 新規, 更新, 変更なし, or エラー when the row is
    invalid, repeats an earlier row, or matches more than one member. A row that will be imported
    but whose prefecture is not the association's gets a warning."""
    by_number = {c.corporate_number: c for c in clinics if c.corporate_number}
    by_key = defaultdict(list)
    for clinic in clinics:
        by_key[_match_key(clinic.name, clinic.phone)].append(clinic)
    seen_number, seen_key, seen_clinic = {}, {}, {}
    planned = []
    for row in rows:
        values = row["values"]
        plan = PlannedRow(row=row["row"], name=row["name"], status=ERROR, values=values)
        planned.append(plan)
        if row["errors"]:
            plan.errors = list(row["errors"])
            continue
        number = values.get("corporate_number", "")
        key = _match_key(values["name"], values.get("phone", ""))
        earlier, same = seen_number.get(number) if number else None, "法人番号"
        if earlier is None and key in seen_key:
            earlier_row, earlier_number = seen_key[key]
            if not (number and earlier_number and number != earlier_number):
                earlier, same = earlier_row, "医療機関名と電話番号"
        if earlier is not None:
            plan.errors = [f"{earlier}行目と同じ医療機関です（{same}が同じです）。"]
            continue
        clinic = by_number.get(number) if number else None
        if clinic is None:
            candidates = [c for c in by_key.get(key, []) if not (number and c.corporate_number)]
            if len(candidates) > 1:
                plan.errors = [
                    f"登録済みの会員に、医療機関名と電話番号が同じものが{len(candidates)}件あります。"
                    "どれを更新するか決められないため、会員一覧で重複を整理してください。"
                ]
                continue
            clinic = candidates[0] if candidates else None
        if clinic is not None and clinic.pk in seen_clinic:
            plan.errors = [
                f"{seen_clinic[clinic.pk]}行目と同じ登録済みの会員（{clinic.name}）に当たります。"
            ]
            continue
        if number:
            seen_number[number] = plan.row
        seen_key[key] = (plan.row, number)
        plan.warning = prefecture_warning(
            prefecture=values.get("prefecture", ""), association=association, wording="import"
        )
        if clinic is None:
            plan.status = NEW
            continue
        seen_clinic[clinic.pk] = plan.row
        plan.clinic = clinic
        plan.updates = {n: v for n, v in values.items() if getattr(clinic, n) != v}
        plan.status = UPDATE if plan.updates else UNCHANGED
    return planned


def count_statuses(planned: list[PlannedRow]) -> dict[str, int]:
    """The rows of each status, and under "warning" the rows with a warning."""
    counts = dict.fromkeys(STATUS_LABELS, 0) | {"warning": 0}
    for plan in planned:
        counts[plan.status] += 1
        counts["warning"] += bool(plan.warning)
    return counts


# --- reads and writes of imports --------------------------------------------------------------


def member_import_create(*, association: Association, by, file_name: str, data: bytes):
    """Read and check an uploaded file and keep the result for the preview. Raises
    ImportFileError. Previews left unconfirmed for a week are removed on the way."""
    parsed = parse_member_file(file_name=file_name, data=data)
    MemberImport.objects.filter(
        association=association,
        confirmed_at__isnull=True,
        created_at__lt=timezone.now() - timedelta(days=UNCONFIRMED_KEPT_DAYS),
    ).delete()
    member_import = MemberImport(
        association=association,
        created_by=by,
        file_name=fit_file_name(file_name, MemberImport._meta.get_field("file_name").max_length),
        columns=parsed.columns,
        rows=parsed.rows,
    )
    member_import.full_clean()
    member_import.save()
    return member_import


def member_import_get_for_staff(*, user, import_id: int) -> MemberImport:
    """An import of the staff member's own association; 404 otherwise."""
    member_import = (
        MemberImport.objects.filter(association_id=user.association_id, pk=import_id).first()
        if user.is_association_staff
        else None
    )
    if member_import is None:
        raise Http404("取り込みが見つかりません。")
    return member_import


def member_import_plan(*, member_import: MemberImport) -> list[PlannedRow]:
    clinics = list(Clinic.objects.filter(association_id=member_import.association_id))
    return plan_rows(member_import.rows, clinics, association=member_import.association)


@transaction.atomic
def member_import_confirm(*, member_import: MemberImport, skip_errors: bool) -> dict:
    """Save the new and changed members of a checked file, all or nothing. Rows with errors are
    left out only when staff said so; a second confirmation raises ImportRefused."""
    member_import = MemberImport.objects.select_for_update().get(pk=member_import.pk)
    if member_import.confirmed_at is not None:
        raise ImportRefused("この取り込みはすでに完了しています。")
    Association.objects.select_for_update().get(pk=member_import.association_id)
    planned = member_import_plan(member_import=member_import)
    counts = count_statuses(planned)
    if counts[ERROR] and not skip_errors:
        raise ImportRefused(
            f"エラーの行が{counts[ERROR]}行あるため、取り込みませんでした。ファイルを直して"
            "読み込み直すか、「エラーの行を除いて取り込む」にチェックを入れてください。"
        )
    if not counts[NEW] and not counts[UPDATE]:
        raise ImportRefused("取り込む行（新規・更新）がありません。")
    for plan in planned:
        try:
            if plan.status == NEW:
                clinic = Clinic(association_id=member_import.association_id, **plan.values)
                clinic.full_clean()
                clinic.save()
            elif plan.status == UPDATE:
                services.clinic_update(clinic=plan.clinic, **plan.updates)
        except ValidationError as error:  # e.g. a stored member the profile rules now refuse
            raise ImportRefused(
                f"{plan.row}行目（{plan.name}）を保存できなかったため、何も取り込みませんでした"
                f"（{'／'.join(error.messages)}）。会員一覧でこの会員の情報を確認してください。"
            ) from None
    member_import.confirmed_at = timezone.now()
    member_import.result = {
        "created": counts[NEW],
        "updated": counts[UPDATE],
        "unchanged": counts[UNCHANGED],
        "skipped": counts[ERROR],
        "skipped_rows": [
            {"row": p.row, "name": p.name, "errors": p.errors} for p in planned if p.errors
        ],
    }
    member_import.save(update_fields=["confirmed_at", "result"])
    return member_import.result


class MemberFileForm(forms.Form):
    file = forms.FileField(
        label="会員名簿のファイル（CSV または Excel）",
        help_text=(
            f"CSV（UTF-8 または Shift_JIS）か Excel（.xlsx）、{MAX_FILE_BYTES // 1024 // 1024}MB・"
            f"{MAX_ROWS:,}行までです。Excelは最初のシートを読み込みます。"
        ),
        error_messages={
            "required": "ファイルを選んでください。",
            "empty": "ファイルが空です。",
        },
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_too_large_message(upload.size))
        return upload


# --- export -----------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx")


def member_list_for_export(*, user) -> list[Clinic]:
    return list(clinic_list_for_staff(user=user))


def export_rows(clinics: list[Clinic]) -> list[list]:
    """The header row and one row per member, values as the importer reads them back."""
    rows: list[list] = [[header for _, header, _ in COLUMNS]]
    for clinic in clinics:
        rows.append([_export_value(name, getattr(clinic, name)) for name, _, _ in COLUMNS])
    return rows


def _export_value(name: str, value) -> str:
    if value in ("", None):
        return ""
    if name == "legal_form":
        return str(LegalForm.Code(value).label)
    return str(value)


def export_names(*, association: Association, fmt: str, today: date) -> tuple[str, str]:
    """(members-東京都医師会-20261125.csv, members-13-20261125.csv): the file's name, and its
    ASCII stand-in for old clients."""
    stamp = today.strftime("%Y%m%d")
    return (
        f"members-{association.name}-{stamp}.{fmt}",
        f"members-{association.prefecture_code:02d}-{stamp}.{fmt}",
    )
