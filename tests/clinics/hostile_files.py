"""Small member-list files built to exhaust a reader (issue 17): each is a few kilobytes to a
megabyte, and each must be answered quickly, with a message naming the limit it breaks."""

import functools
import io
import zipfile

import openpyxl

from clinics import member_files


def _workbook(cells: dict[str, str]) -> bytes:
    workbook = openpyxl.Workbook()
    for where, value in cells.items():
        workbook.active[where] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewritten(data: bytes, member: str, change, *, declared_size: int | None = None) -> bytes:
    """The same zip with one member's content changed (and, if asked, its size in the zip's
    directory set to a lie)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    packed = out.getvalue()
    if declared_size is None:
        return packed
    # the central directory's uncompressed size of the changed member, then the local header's
    patched = bytearray(packed)
    name = member.encode()
    central = patched.rfind(b"PK\x01\x02", 0, patched.rfind(name))
    patched[central + 24 : central + 28] = declared_size.to_bytes(4, "little")
    local = patched.find(b"PK\x03\x04" + bytes(22) + len(name).to_bytes(2, "little"))
    local = packed.find(name) - 30
    patched[local + 22 : local + 26] = declared_size.to_bytes(4, "little")
    return bytes(patched)


SHEET = "xl/worksheets/sheet1.xml"
HEADER_AND_ONE = {"A1": "医療機関名", "A2": "青葉内科クリニック"}


def far_cell(row: int) -> bytes:
    """A header, one name, and one cell far below (even past Excel's last row, 1,048,576)."""
    data = _workbook(HEADER_AND_ONE | {"A1048576": "x"})
    return _rewritten(data, SHEET, lambda xml: xml.replace(b"1048576", str(row).encode()))


def padded_sheet(megabytes: int) -> bytes:
    """A zip bomb: a sheet padded with spaces that packs to almost nothing."""
    padding = b" " * (megabytes * 1024 * 1024)
    return _rewritten(_workbook(HEADER_AND_ONE), SHEET, lambda xml: xml + padding)


def lying_sizes(megabytes: int) -> bytes:
    """A zip bomb whose directory says its padded sheet is small."""
    padding = b" " * (megabytes * 1024 * 1024)
    data = _workbook(HEADER_AND_ONE)
    return _rewritten(data, SHEET, lambda xml: xml + padding, declared_size=1000)


def wide_row(cells: int) -> bytes:
    """A header, one name, and a row of ``cells`` cells."""
    row = b"".join(b'<c r="B3" t="inlineStr"><is><t>x</t></is></c>' for _ in range(cells))
    data = _workbook(HEADER_AND_ONE | {"A3": "さくら"})
    return _rewritten(
        data,
        SHEET,
        lambda xml: xml.replace(
            b"</row></sheetData>", b'</row><row r="4">' + row + b"</row></sheetData>", 1
        ),
    )


def long_cell_csv() -> bytes:
    """A CSV whose second row has a 1 MB cell."""
    return ("医療機関名,電話番号\r\n青葉内科," + "0" * 1_000_000 + "\r\n").encode()


def wide_csv(columns: int) -> bytes:
    """A CSV with ``columns`` headers."""
    header = ",".join(["医療機関名", *(f"列{n}" for n in range(columns))])
    return (header + "\r\n青葉内科\r\n").encode()


# name: (file name, how to build it, what the refusal says; None when the file is read)
HOSTILE = {
    "cell at row 1,048,576": (
        "far.xlsx",
        lambda: far_cell(1_048_576),
        f"{member_files.MAX_SCANNED_ROWS:,}行目までです",
    ),
    "cell at row 50,000,000": (
        "far.xlsx",
        lambda: far_cell(50_000_000),
        f"{member_files.MAX_SCANNED_ROWS:,}行目までです",
    ),
    "sheet unpacking to 100 MB": ("bomb.xlsx", lambda: padded_sheet(100), "中身が大きすぎます"),
    "sheet unpacking to 100 MB, its size a lie": (
        "bomb.xlsx",
        lambda: lying_sizes(100),
        "Excelファイルを読み込めませんでした",
    ),
    "row of 100,000 cells": ("wide.xlsx", lambda: wide_row(100_000), "セルが多すぎます"),
    "row of 5,000 cells": ("wide.xlsx", lambda: wide_row(5_000), None),
    "CSV cell of 1 MB": ("long.csv", long_cell_csv, "長すぎるセル"),
    "CSV of 100,000 columns": ("wide.csv", lambda: wide_csv(100_000), None),
}


@functools.cache
def hostile(name: str) -> tuple[str, bytes, str | None]:
    file_name, build, message = HOSTILE[name]
    return file_name, build(), message
