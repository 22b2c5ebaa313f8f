"""Past results (過去の採択結果) of IT導入補助金2024 and 2025, as printed at the end of the
概要資料 attached to 日医発第390号. Plain Python: the data file is read once, into frozen
dataclasses. Counts are ints, rates and shares are exact fractions; display goes through
``percent``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import floor
from pathlib import Path

DATA_FILE = Path(__file__).with_name("past_results.json")

TABLE_NAMES = ("frames", "prefectures", "industries", "headcounts", "amounts")


def percent(value: Fraction, digits: int = 1) -> str:
    """Fraction(50175, 71767) -> '69.9%' (half up); digits=0 -> '70%'."""
    scale = 10**digits
    scaled = floor(value * 100 * scale + Fraction(1, 2))
    if not digits:
        return f"{scaled}%"
    whole, part = divmod(scaled, scale)
    return f"{whole}.{part:0{digits}d}%"


def _plain_percent(value: Fraction) -> str:
    """For CSV cells under a '(%)' header: Fraction(50175, 71767) -> '69.9'."""
    return percent(value).removesuffix("%")


@dataclass(frozen=True)
class FrameCount:
    """Applications and adoptions of one 申請類型 (or the printed Total)."""

    frame: str
    applications: int
    adoptions: int

    @property
    def adoption_rate(self) -> Fraction | None:
        """採択率 = adoptions / applications; None when nobody applied."""
        if self.applications == 0:
            return None
        return Fraction(self.adoptions, self.applications)

    @property
    def rate_text(self) -> str:
        """'69.9%', or '—' when nobody applied."""
        rate = self.adoption_rate
        return "—" if rate is None else percent(rate)

    @property
    def rate_text_whole(self) -> str:
        """'70%' (for 「約70%」), or '—' when nobody applied."""
        rate = self.adoption_rate
        return "—" if rate is None else percent(rate, 0)


@dataclass(frozen=True)
class FrameTable:
    source: str
    rows: tuple[FrameCount, ...]
    total: FrameCount

    def get(self, frame: str) -> FrameCount:
        return next(row for row in self.rows if row.frame == frame)


@dataclass(frozen=True)
class CountRow:
    label: str
    adoptions: int
    share_per_mille: int | None = None  # the printed 割合(%) × 10 (industries only)

    @property
    def printed_share(self) -> Fraction | None:
        return None if self.share_per_mille is None else Fraction(self.share_per_mille, 1000)


@dataclass(frozen=True)
class CountTable:
    """Adoptions by prefecture, industry, headcount or amount, in the printed order."""

    title: str
    source: str
    note: str
    label_header: str
    count_header: str
    rows: tuple[CountRow, ...]
    printed_total: int | None = None  # 総計 where the source prints one

    @property
    def total(self) -> int:
        return sum(row.adoptions for row in self.rows)

    def get(self, label: str) -> CountRow:
        return next(row for row in self.rows if row.label == label)

    def share(self, label: str) -> Fraction:
        """The row's part of this year's adoptions (the sum of the rows)."""
        return Fraction(self.get(label).adoptions, self.total)


@dataclass(frozen=True)
class YearResults:
    year: int
    programme: str  # IT導入補助金2024
    frames: FrameTable
    prefectures: CountTable
    industries: CountTable
    headcounts: CountTable
    amounts: CountTable

    @property
    def printed_total_gap(self) -> int:
        """How far the printed 総計 by prefecture falls short of the frame table's Total."""
        return self.frames.total.adoptions - (self.prefectures.printed_total or 0)

    @property
    def excluded_multi_adoptions(self) -> int:
        """Adoptions in the frame table that the other tables leave out (複数社連携IT導入枠)."""
        return next(r.adoptions for r in self.frames.rows if r.frame.startswith("複数社連携"))


@dataclass(frozen=True)
class PastResults:
    notice: str
    years: tuple[YearResults, ...]  # oldest first

    def year(self, year: int) -> YearResults:
        return next(item for item in self.years if item.year == year)

    @property
    def first(self) -> YearResults:
        return self.years[0]

    @property
    def last(self) -> YearResults:
        return self.years[-1]


def _count_table(raw: dict) -> CountTable:
    return CountTable(
        title=raw["title"],
        source=raw["source"],
        note=raw.get("note", ""),
        label_header=raw["label_header"],
        count_header=raw["count_header"],
        rows=tuple(
            CountRow(row["label"], int(row["adoptions"]), row.get("share_per_mille"))
            for row in raw["rows"]
        ),
        printed_total=raw.get("printed_total"),
    )


def _year(raw: dict) -> YearResults:
    frames = raw["frames"]
    total = frames["total"]
    return YearResults(
        year=int(raw["year"]),
        programme=raw["programme"],
        frames=FrameTable(
            source=frames["source"],
            rows=tuple(
                FrameCount(row["frame"], int(row["applications"]), int(row["adoptions"]))
                for row in frames["rows"]
            ),
            total=FrameCount(total["label"], int(total["applications"]), int(total["adoptions"])),
        ),
        prefectures=_count_table(raw["prefectures"]),
        industries=_count_table(raw["industries"]),
        headcounts=_count_table(raw["headcounts"]),
        amounts=_count_table(raw["amounts"]),
    )


@cache
def past_results() -> PastResults:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    years = tuple(sorted((_year(item) for item in raw["years"]), key=lambda item: item.year))
    return PastResults(notice=raw["notice"], years=years)


# Both years side by side, as the page's tables and the CSV files show them.

Cell = str | int | Fraction | None


@dataclass(frozen=True)
class Comparison:
    name: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sources: tuple[str, ...]
    note: str = ""

    @property
    def labels(self) -> list[str]:
        """The headers for the page, where percentages carry their own '%'."""
        return [header.removesuffix("(%)") for header in self.headers]

    @property
    def column_headers(self) -> list[str]:
        """The same, with the year on a line of its own: '2024年\n採択数'."""
        return [label.replace(" ", "\n") for label in self.labels]

    def html_rows(self) -> list[list[tuple[str, str, bool]]]:
        """Each cell as (header, text, is_number) for a table.stack with data-label."""
        return [
            [
                (label, _text(cell), not isinstance(cell, str))
                for label, cell in zip(self.labels, row, strict=True)
            ]
            for row in self.rows
        ]

    def csv_rows(self) -> list[list[str]]:
        return [list(self.headers)] + [[_csv(cell) for cell in row] for row in self.rows]


def _text(cell: Cell) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, Fraction):
        return percent(cell)
    if isinstance(cell, int):
        return f"{cell:,}"
    return cell


def _csv(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Fraction):
        return _plain_percent(cell)
    return str(cell)


def comparison(name: str, results: PastResults | None = None) -> Comparison:
    """The table ``name`` (one of TABLE_NAMES) with a column group per year; KeyError if unknown."""
    results = results or past_results()
    build = {
        "frames": _frames_comparison,
        "prefectures": _prefectures_comparison,
        "industries": _industries_comparison,
        "headcounts": _counts_comparison,
        "amounts": _counts_comparison,
    }[name]
    return build(name, results)


def _frames_comparison(name: str, results: PastResults) -> Comparison:
    headers = ["申請類型"]
    for item in results.years:
        headers += [
            f"{item.year}年 申請件数",
            f"{item.year}年 採択件数",
            f"{item.year}年 採択率(%)",
        ]
    rows = []
    for frame in [row.frame for row in results.first.frames.rows] + [None]:
        row: list[Cell] = [frame or "合計"]
        for item in results.years:
            count = item.frames.get(frame) if frame else item.frames.total
            row += [count.applications, count.adoptions, count.adoption_rate]
        rows.append(tuple(row))
    return Comparison(
        name=name,
        title="申請類型別の申請・採択件数と採択率",
        headers=tuple(headers),
        rows=tuple(rows),
        sources=tuple(item.frames.source for item in results.years),
        note="採択率は採択件数÷申請件数（補助金ナビで計算）。",
    )


def _prefectures_comparison(name: str, results: PastResults) -> Comparison:
    tables = [item.prefectures for item in results.years]
    rows: list[tuple[Cell, ...]] = [
        (row.label, *(table.get(row.label).adoptions for table in tables)) for row in tables[0].rows
    ]
    rows.append(("総計", *(table.printed_total for table in tables)))
    return Comparison(
        name=name,
        title="都道府県別の採択件数",
        headers=("所在地", *(f"{item.year}年 採択件数" for item in results.years)),
        rows=tuple(rows),
        sources=tuple(table.source for table in tables),
        note=tables[0].note,
    )


def _industries_comparison(name: str, results: PastResults) -> Comparison:
    tables = [item.industries for item in results.years]
    headers = ["業種"]
    for item in results.years:
        headers += [f"{item.year}年 採択数", f"{item.year}年 割合(%)"]
    rows = []
    for first_row in tables[0].rows:
        row: list[Cell] = [first_row.label]
        for table in tables:
            found = table.get(first_row.label)
            row += [found.adoptions, found.printed_share]
        rows.append(tuple(row))
    return Comparison(
        name=name,
        title="業種別の採択件数",
        headers=tuple(headers),
        rows=tuple(rows),
        sources=tuple(table.source for table in tables),
        note=tables[0].note,
    )


def _counts_comparison(name: str, results: PastResults) -> Comparison:
    """headcounts (従業員数) or amounts (交付額規模): count and share of the year, per row."""
    tables: list[CountTable] = [getattr(item, name) for item in results.years]
    headers = [tables[0].label_header]
    for item in results.years:
        headers += [f"{item.year}年 採択数", f"{item.year}年 構成比(%)"]
    rows = []
    for first_row in tables[0].rows:
        row: list[Cell] = [first_row.label]
        for table in tables:
            row += [table.get(first_row.label).adoptions, table.share(first_row.label)]
        rows.append(tuple(row))
    title = {"headcounts": "従業員数別の採択件数", "amounts": "交付額規模別の採択件数"}[name]
    return Comparison(
        name=name,
        title=title,
        headers=tuple(headers),
        rows=tuple(rows),
        sources=tuple(table.source for table in tables),
        note=tables[0].note + "。構成比は各年の採択数の合計に対する割合（補助金ナビで計算）。",
    )
