"""Charts of the past results, drawn on the server as SVG markup strings (no JavaScript).

Every chart has role="img", a Japanese <title> and <desc>, and scales to its container
(viewBox, width 100%). The two years differ by more than colour: 2024 bars are solid, 2025
bars are hatched, and every bar carries its year or its position is explained in the legend.
Highlighted rows get a band and a "▶" before their label. All text is escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from html import escape

from .past_results import CountTable, PastResults, percent

FONT = '"BIZ UDPGothic", "Hiragino Sans", "Noto Sans JP", sans-serif'
WIDTH = 330  # narrow on purpose: on a phone the text stays near its own size
INK = "#1c2430"
MUTED = "#4b5563"
GRID = "#d5dbe3"
BAND = "#fff4dc"
BAND_EDGE = "#7a4b00"
COLOURS = ("#0b5cab", "#a33f00")  # first year solid, second year hatched
HATCH_BG = "#fbe4d6"
SMALL_N = 1  # a frame with at most this many applications shows its count, not a rate
MARK = "▶ "

LABEL_SIZE = 14
VALUE_SIZE = 12.5
SMALL_SIZE = 12


@dataclass(frozen=True)
class Bar:
    """One year's bar: its length as a part of the full width, and the text beside it."""

    length: Fraction
    text: str
    drawn: bool = True  # False: only the text (e.g. 申請1件), no bar


@dataclass(frozen=True)
class Group:
    label: str
    bars: tuple[Bar, ...]  # one per year, oldest first
    highlighted: bool = False


def _attrs(attrs: dict) -> str:
    return "".join(
        f' {name.replace("_", "-")}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not None
    )


def _el(tag: str, content: str | None = None, **attrs) -> str:
    if content is None:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{content}</{tag}>"


def _text(x: float, y: float, text: str, size: float = VALUE_SIZE, **attrs) -> str:
    attrs.setdefault("fill", INK)
    return _el("text", escape(text), x=_n(x), y=_n(y), font_size=_n(size), **attrs)


def _n(value: float | Fraction) -> str:
    """Coordinates with at most one decimal, as short strings."""
    return f"{float(value):.1f}".removesuffix(".0")


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> str:
    hatch = (
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
        f' patternTransform="rotate(45)"><rect width="6" height="6" fill="{HATCH_BG}"/>'
        f'<rect width="3" height="6" fill="{COLOURS[1]}"/></pattern>'
    )
    head = _attrs(
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {_n(height)}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title",
            "aria-describedby": f"{chart_id}-desc",
            "font-family": FONT,
            "class": "chart",
        }
    )
    return (
        f"<svg{head}>"
        + _el("title", escape(title), id=f"{chart_id}-title")
        + _el("desc", escape(desc), id=f"{chart_id}-desc")
        + f"<defs>{hatch}</defs>"
        + "".join(body)
        + "</svg>"
    )


def _bar_rect(chart_id: str, index: int, x: float, y: float, length: float, height: float) -> str:
    if index == 0:
        return _el("rect", x=_n(x), y=_n(y), width=_n(length), height=_n(height), fill=COLOURS[0])
    return _el(
        "rect",
        x=_n(x),
        y=_n(y),
        width=_n(length),
        height=_n(height),
        fill=f"url(#{chart_id}-hatch)",
        stroke=COLOURS[1],
        stroke_width="1",
    )


def _width(text: str, size: float) -> float:
    """A generous estimate of text width: full-width characters 1em, others 0.6em."""
    return sum(size if ord(char) > 0x2E80 else size * 0.6 for char in text)


def _legend(chart_id: str, years: list[int], y: float) -> list[str]:
    parts, x = [], 0.0
    for index, year in enumerate(years):
        parts.append(_bar_rect(chart_id, index, x, y, 16, 14))
        label = f"{year}年（{'上・塗り' if index == 0 else '下・斜線'}）"
        parts.append(_text(x + 21, y + 12, label, SMALL_SIZE))
        x += 21 + _width(label, SMALL_SIZE) + 14
    return parts


def _stacked_chart(
    chart_id: str,
    title: str,
    desc: str,
    years: list[int],
    groups: list[Group],
    *,
    bar_x: float,
    bar_width: float,
    ticks: tuple[tuple[Fraction, str], ...] = (),
) -> str:
    """Each group: its label on a line, then one labelled bar per year below it."""
    bar_height, row, label_row, gap = 15, 19, 22, 10
    for group in groups:  # leave room for every bar's text on the right
        for bar in group.bars:
            room = WIDTH - 10 - bar_x - _width(bar.text, VALUE_SIZE)
            if bar.drawn and bar.length > 0:
                bar_width = min(bar_width, room / float(bar.length))
    body = _legend(chart_id, years, 0)
    top = 26.0
    if ticks:
        top += 18
        for at, label in ticks:
            body.append(
                _text(
                    bar_x + bar_width * at,
                    top - 5,
                    label,
                    SMALL_SIZE,
                    fill=MUTED,
                    text_anchor="middle",
                )
            )
    y = top
    group_height = label_row + row * len(years) + gap
    grid_top = y
    for group in groups:
        if group.highlighted:
            body.append(
                _el(
                    "rect",
                    x="0",
                    y=_n(y),
                    width=str(WIDTH),
                    height=_n(group_height - gap / 2),
                    fill=BAND,
                    stroke=BAND_EDGE,
                    stroke_width="1.5",
                    rx="4",
                )
            )
        label = (MARK + group.label) if group.highlighted else group.label
        body.append(_text(4, y + 16, label, LABEL_SIZE, font_weight="bold"))
        for index, (year, bar) in enumerate(zip(years, group.bars, strict=True)):
            bar_y = y + label_row + index * row
            body.append(_text(4, bar_y + 12, f"{year}年", SMALL_SIZE, fill=MUTED))
            length = float(bar.length) * bar_width if bar.drawn else 0
            if bar.drawn and length > 0:
                body.append(_bar_rect(chart_id, index, bar_x, bar_y, length, bar_height))
            body.append(_text(bar_x + length + 5, bar_y + 12, bar.text, VALUE_SIZE))
        y += group_height
    grid = [
        _el(
            "line",
            x1=_n(bar_x + bar_width * at),
            x2=_n(bar_x + bar_width * at),
            y1=_n(grid_top),
            y2=_n(y - gap),
            stroke=GRID,
            stroke_width="1",
        )
        for at, _ in ticks
    ]
    return _svg(chart_id, title, desc, y, grid + body)


def frame_rates_svg(results: PastResults) -> str:
    """(a) 採択率 per 申請類型, one bar per year on a 0–100% scale."""
    years = [item.year for item in results.years]
    frames = [row.frame for row in results.first.frames.rows]
    groups = []
    for frame in [*frames, None]:
        bars = []
        for item in results.years:
            count = item.frames.get(frame) if frame else item.frames.total
            if count.applications <= SMALL_N:
                text = f"申請{count.applications:,}件" + (
                    f"（採択{count.adoptions:,}件）" if count.applications else ""
                )
                bars.append(Bar(Fraction(0), text, drawn=False))
            else:
                rate = count.adoption_rate
                bars.append(Bar(rate, f"{percent(rate)}（申請{count.applications:,}件）"))
        groups.append(Group(frame or "合計（全類型）", tuple(bars)))
    first, last = results.first.frames.total, results.last.frames.total
    desc = (
        f"申請類型ごとの採択率（採択件数÷申請件数）を{years[0]}年と{years[-1]}年で比べた横棒グラフ。"
        f"各類型の上の棒が{years[0]}年（塗り）、下の棒が{years[-1]}年（斜線）。"
        f"全類型の合計は{years[0]}年{percent(first.adoption_rate)}、{years[-1]}年{percent(last.adoption_rate)}。"
        f"申請が{SMALL_N}件以下の類型は、率ではなく申請件数を示しています。"
    )
    ticks = ((Fraction(0), "0%"), (Fraction(1, 2), "50%"), (Fraction(1), "100%"))
    return _stacked_chart(
        "chart-frames",
        "申請類型別の採択率",
        desc,
        years,
        groups,
        bar_x=56,
        bar_width=200,
        ticks=ticks,
    )


HEALTHCARE = "医療、福祉"


def industries_svg(results: PastResults, highlight: str = HEALTHCARE) -> str:
    """(b) adoptions per 業種 for each year, with the printed 割合; 医療、福祉 highlighted."""
    years = [item.year for item in results.years]
    tables = [item.industries for item in results.years]
    largest = max(row.adoptions for table in tables for row in table.rows)
    groups = []
    for first_row in tables[0].rows:
        bars = []
        for table in tables:
            row = table.get(first_row.label)
            share = percent(row.printed_share) if row.printed_share is not None else ""
            bars.append(Bar(Fraction(row.adoptions, largest), f"{row.adoptions:,}件（{share}）"))
        groups.append(Group(first_row.label, tuple(bars), first_row.label == highlight))
    desc = (
        f"業種ごとの採択件数を{years[0]}年と{years[-1]}年で比べた横棒グラフ。括弧内は資料に記載の割合。"
        f"各業種の上の棒が{years[0]}年（塗り）、下の棒が{years[-1]}年（斜線）。"
    )
    if any(group.highlighted for group in groups):
        values = "、".join(
            f"{item.year}年{table.get(highlight).adoptions:,}件（{percent(table.get(highlight).printed_share)}）"
            for item, table in zip(results.years, tables, strict=True)
        )
        desc += f"{MARK}{highlight}は{values}。"
    return _stacked_chart(
        "chart-industries", "業種別の採択件数", desc, years, groups, bar_x=56, bar_width=260
    )


def distribution_svg(results: PastResults, name: str) -> str:
    """(d) how each year's adoptions spread over 交付額規模 (name='amounts') or 従業員数
    (name='headcounts'): bars are the part of that year's adoptions, so the years compare."""
    years = [item.year for item in results.years]
    tables: list[CountTable] = [getattr(item, name) for item in results.years]
    largest = max(table.share(row.label) for table in tables for row in table.rows)
    groups = []
    for first_row in tables[0].rows:
        bars = []
        for table in tables:
            share = table.share(first_row.label)
            count = table.get(first_row.label).adoptions
            bars.append(Bar(share / largest, f"{percent(share)}（{count:,}件）"))
        groups.append(Group(first_row.label, tuple(bars)))
    what = {"amounts": "交付額規模（補助額）", "headcounts": "従業員数"}[name]
    title = f"{what}別の採択件数の構成比"
    desc = (
        f"{what}ごとの採択件数が各年の採択件数に占める割合（構成比）を{years[0]}年と{years[-1]}年で比べた横棒グラフ。"
        f"各区分の上の棒が{years[0]}年（塗り）、下の棒が{years[-1]}年（斜線）。括弧内は採択件数。"
    )
    return _stacked_chart(f"chart-{name}", title, desc, years, groups, bar_x=56, bar_width=260)


def prefectures_svg(results: PastResults, highlight: str | None = None) -> str:
    """(c) adoptions per prefecture (47 rows, two bars each); ``highlight`` gets a band and ▶."""
    years = [item.year for item in results.years]
    tables: list[CountTable] = [item.prefectures for item in results.years]
    largest = max(row.adoptions for table in tables for row in table.rows)
    value_size, bar_height, row_height, bar_x = 12, 12, 31, 88.0
    widest = max(_width(f"{row.adoptions:,}", value_size) for t in tables for row in t.rows)
    bar_width = WIDTH - bar_x - 8 - widest
    body = _legend("chart-prefectures", years, 0)
    y = 26.0
    for first_row in tables[0].rows:
        label = first_row.label
        marked = label == highlight
        if marked:
            body.append(
                _el(
                    "rect",
                    x="0",
                    y=_n(y),
                    width=str(WIDTH),
                    height=_n(row_height - 2),
                    fill=BAND,
                    stroke=BAND_EDGE,
                    stroke_width="1.5",
                    rx="4",
                )
            )
        body.append(
            _text(
                4,
                y + row_height / 2 + 4,
                (MARK + label) if marked else label,
                LABEL_SIZE,
                font_weight="bold" if marked else None,
            )
        )
        for index, table in enumerate(tables):
            count = table.get(label).adoptions
            bar_y = y + 3 + index * (bar_height + 1)
            length = bar_width * count / largest
            body.append(_bar_rect("chart-prefectures", index, bar_x, bar_y, length, bar_height))
            body.append(_text(bar_x + length + 4, bar_y + 10.5, f"{count:,}", value_size))
        y += row_height
    desc = (
        f"都道府県ごとの採択件数（{years[0]}年・{years[-1]}年）の横棒グラフ。"
        f"各都道府県の上の棒が{years[0]}年（塗り）、下の棒が{years[-1]}年（斜線）。"
    )
    if highlight and any(row.label == highlight for row in tables[0].rows):
        values = "、".join(
            f"{item.year}年{table.get(highlight).adoptions:,}件"
            for item, table in zip(results.years, tables, strict=True)
        )
        desc += f"{MARK}{highlight}（ご所属の都道府県）は{values}。"
    return _svg("chart-prefectures", "都道府県別の採択件数", desc, y, body)


def all_charts(results: PastResults, highlight: str | None = None) -> dict[str, str]:
    """The page's charts by table name."""
    return {
        "frames": frame_rates_svg(results),
        "industries": industries_svg(results),
        "prefectures": prefectures_svg(results, highlight),
        "amounts": distribution_svg(results, "amounts"),
        "headcounts": distribution_svg(results, "headcounts"),
    }


def funnel_svg(steps: list[tuple[str, str, int]], chart_id: str = "chart-funnel") -> str:
    """The association's funnel: one bar per step, its length the part of the members."""
    largest = max((count for _, _, count in steps), default=0) or 1
    bar_x, bar_width, bar_height, label_row, row = 4, 250, 15, 22, 26
    for _, _, count in steps:  # leave room for the text on the right
        text = f"{count:,}件"
        room = WIDTH - 10 - bar_x - _width(text, VALUE_SIZE)
        if count:
            bar_width = min(bar_width, room / (count / largest))
    body, y = [], 0.0
    for _, label, count in steps:
        body.append(_text(4, y + 16, label, LABEL_SIZE, font_weight="bold"))
        length = bar_width * count / largest
        if length > 0:
            body.append(_bar_rect(chart_id, 0, bar_x, y + label_row, length, bar_height))
        body.append(_text(bar_x + length + 5, y + label_row + 12, f"{count:,}件", VALUE_SIZE))
        y += label_row + row
    desc = "会員から補助金の受領までの各段階の医療機関の数の横棒グラフ。" + "、".join(
        f"{label}{count:,}件" for _, label, count in steps
    )
    return _svg(chart_id, "申請までの進み具合", desc, y, body)
