"""Reading an uploaded member list (会員名簿): the file's bytes become rows of cells, and the
header row says which column holds which clinic field. No database and no forms: the importer
(``member_io``) checks the rows.

- ``read_table`` reads an .xlsx workbook (first sheet), or a CSV whose encoding is detected
  (UTF-8 with or without BOM, then Shift_JIS / CP932). The limits below bound what a hostile file
  can cost; each refusal is an ``ImportFileError`` whose message names the limit.
- ``find_header`` finds the header row and maps the Japanese headers to clinic fields
  (``COLUMNS``, compared by ``header_key``).
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl

from . import exports, normalize

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
# Not part of the profile: kept with the import so that staff can invite the members at once.
EMAIL_COLUMN = ("email", "メールアドレス", ("メール", "Eメール", "Email", "電子メール",
                                        "mail", "連絡先メールアドレス", "招待先メールアドレス"))  # fmt: skip
IMPORT_HEADERS = FIELD_HEADERS | {EMAIL_COLUMN[0]: EMAIL_COLUMN[1]}

CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")  # a cell of a sheet's XML, with or without a prefix
Row = tuple[int, list]  # (1-based row number in the file, its cells)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Japanese."""


# --- bytes -> rows of cells -------------------------------------------------------------------


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
        if cells.count(None) == len(cells) or not any(cell_text(cell) for cell in cells):
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


# --- the header row ---------------------------------------------------------------------------


def header_key(value) -> str:
    """'医療機関名（フリガナ）', 'ﾌﾘｶﾞﾅ', ' ふりがな ' and 'ＴＥＬ' compare as the same kind of key."""
    folded = normalize.kana(str(value or ""))
    folded = re.sub(r"[(\[【]\s*(必須|任意)\s*[)\]】]", "", folded)
    return re.sub(r"[\s・･()\[\]【】「」『』<>:_*※\-]", "", folded).casefold()


HEADER_FIELDS = {
    header_key(header): name
    for name, export_header, aliases in [*COLUMNS, EMAIL_COLUMN]
    for header in (export_header, *aliases)
}


UNREADABLE_CHARACTER = "\ufffd"


def cell_text(value, field_name: str = "") -> str:
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
        texts = [cell_text(cell) for cell in cells]
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
    first = [cell_text(c) for c in rows[0][1]] if rows else []
    found = "、".join([f"「{t[:30]}」" for t in first if t][:15])
    raise ImportFileError(
        "医療機関名の列が見つかりませんでした。見出しの行に「医療機関名」「施設名」「名称」の"
        "いずれかを入れてください。使える見出し："
        + "、".join(header for _, header, _ in COLUMNS)
        + "。"
        + (f"このファイルの見出し：{found}。" if found else "このファイルは空です。")
    )
