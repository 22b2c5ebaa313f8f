"""The SVG charts: well-formed, accessible, the highlight marked in text, numbers from the data."""

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from announcements import charts
from announcements.past_results import CountRow, past_results

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def results():
    return past_results()


@pytest.mark.parametrize("name", ["frames", "industries", "prefectures", "amounts", "headcounts"])
def test_every_chart_is_well_formed_and_labelled(results, name):
    svg = charts.all_charts(results, "東京都")[name]
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    assert "BIZ UDPGothic" in root.get("font-family")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text and desc.text
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert "<script" not in svg and "http://" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "2024年（上・塗り）" in texts(root) and "2025年（下・斜線）" in texts(root)


def test_the_frame_chart_shows_rates_and_counts_not_a_misleading_bar(results):
    root = parse(charts.frame_rates_svg(results))
    labels = texts(root)
    assert "69.9%（申請71,767件）" in labels
    assert "43.8%（申請80,439件）" in labels
    assert "65.8%（申請25,140件）" in labels
    assert "申請1件（採択1件）" in labels  # 電子取引類型 2024
    assert "申請0件" in labels  # 電子取引類型 2025
    assert "100.0%（申請1件）" not in labels
    assert "69.9%" in root.find(f"{SVG}desc").text


def test_the_industry_chart_highlights_healthcare(results):
    root = parse(charts.industries_svg(results))
    labels = texts(root)
    assert "▶ 医療、福祉" in labels
    assert "3,941件（7.9%）" in labels and "2,634件（7.5%）" in labels
    assert (
        "医療、福祉は2024年3,941件（7.9%）、2025年2,634件（7.5%）" in root.find(f"{SVG}desc").text
    )


@pytest.mark.parametrize(
    ("prefecture", "values"),
    [("東京都", ("8,585", "6,114")), ("沖縄県", ("755", "766"))],
)
def test_the_prefecture_chart_marks_the_given_prefecture(results, prefecture, values):
    root = parse(charts.prefectures_svg(results, highlight=prefecture))
    labels = texts(root)
    assert f"▶ {prefecture}" in labels
    assert [label for label in labels if label.startswith("▶")] == [f"▶ {prefecture}"]
    assert set(values) <= set(labels)
    assert f"{prefecture}（ご所属の都道府県）は2024年{values[0]}件" in root.find(f"{SVG}desc").text
    assert (
        sum(1 for label in labels if label in {p.label for p in results.first.prefectures.rows})
        == 46
    )


@pytest.mark.parametrize("highlight", [None, "", "どこでもない県"])
def test_the_prefecture_chart_without_a_known_prefecture_marks_nothing(results, highlight):
    root = parse(charts.prefectures_svg(results, highlight=highlight))
    assert not [label for label in texts(root) if label.startswith("▶")]
    assert len(texts(root)) == 2 + 47 * 3  # legend, then a name and two values per prefecture


def test_the_amount_chart_shows_each_years_share(results):
    labels = texts(parse(charts.distribution_svg(results, "amounts")))
    assert "36.7%（18,417件）" in labels  # 18,417 / 50,171
    assert "34.6%（12,183件）" in labels  # 12,183 / 35,196
    assert "0.2%（105件）" in labels and "0.2%（54件）" in labels


def test_the_headcount_chart_shows_each_years_share(results):
    labels = texts(parse(charts.distribution_svg(results, "headcounts")))
    assert "40.7%（20,432件）" in labels and "47.8%（16,808件）" in labels


def test_it_escapes_text_from_the_data(results):
    odd = '<b>"&県"</b>'
    years = tuple(
        replace(
            item,
            prefectures=replace(
                item.prefectures, rows=(CountRow(odd, 10), *item.prefectures.rows[1:])
            ),
        )
        for item in results.years
    )
    svg = charts.prefectures_svg(replace(results, years=years), highlight=odd)
    assert "<b>" not in svg
    assert f"▶ {odd}" in texts(parse(svg))
