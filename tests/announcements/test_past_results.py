"""The transcribed tables equal the seed (日医発第390号 添付「概要資料」, last pages)."""

from fractions import Fraction

import pytest

from announcements.past_results import comparison, past_results, percent
from clinics.prefectures import PREFECTURES

NOTE = "※いずれも複数社連携IT導入類型の件数を除く"


@pytest.fixture(scope="module")
def results():
    return past_results()


@pytest.mark.parametrize(
    ("year", "frame", "applications", "adoptions"),
    [
        (2024, "通常枠", 25_140, 16_540),
        (2024, "インボイス対応類型", 46_394, 33_438),
        (2024, "電子取引類型", 1, 1),
        (2024, "複数社連携IT導入枠", 7, 4),
        (2024, "セキュリティ対策推進枠", 225, 192),
        (2025, "通常枠", 23_672, 8_936),
        (2025, "インボイス対応類型", 56_029, 25_900),
        (2025, "電子取引類型", 0, 0),
        (2025, "複数社連携IT導入枠", 8, 6),
        (2025, "セキュリティ対策推進枠", 730, 360),
    ],
    ids=lambda value: str(value),
)
def test_it_has_every_frame_as_printed(results, year, frame, applications, adoptions):
    count = results.year(year).frames.get(frame)
    assert (count.applications, count.adoptions) == (applications, adoptions)


@pytest.mark.parametrize(
    ("year", "applications", "adoptions", "rate", "text", "whole"),
    [
        (2024, 71_767, 50_175, Fraction(50_175, 71_767), "69.9%", "70%"),
        (2025, 80_439, 35_202, Fraction(35_202, 80_439), "43.8%", "44%"),
    ],
    ids=["2024", "2025"],
)
def test_it_has_the_printed_totals_and_their_rates(
    results, year, applications, adoptions, rate, text, whole
):
    frames = results.year(year).frames
    assert (frames.total.applications, frames.total.adoptions) == (applications, adoptions)
    assert sum(row.applications for row in frames.rows) == applications
    assert sum(row.adoptions for row in frames.rows) == adoptions
    assert frames.total.adoption_rate == rate
    assert (frames.total.rate_text, frames.total.rate_text_whole) == (text, whole)


def test_it_gives_no_rate_when_nobody_applied(results):
    count = results.year(2025).frames.get("電子取引類型")
    assert count.adoption_rate is None
    assert count.rate_text == "—"


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (Fraction(7, 10), 1, "70.0%"),
        (Fraction(11, 25), 1, "44.0%"),
        (Fraction(1, 2000), 1, "0.1%"),  # half up
        (Fraction(1, 2001), 1, "0.0%"),
        (Fraction(1), 1, "100.0%"),
        (Fraction(50_175, 71_767), 0, "70%"),
    ],
    ids=["70.0", "44.0", "half-up", "just-below-half", "100", "whole"],
)
def test_it_shows_percent_with_one_decimal(value, digits, text):
    assert percent(value, digits) == text


@pytest.mark.parametrize(
    ("prefecture", "adoptions_2024", "adoptions_2025"),
    [
        ("北海道", 1_714, 1_242),
        ("東京都", 8_585, 6_114),
        ("大阪府", 5_144, 4_215),
        ("福岡県", 3_666, 2_059),
        ("鳥取県", 153, 109),
        ("沖縄県", 755, 766),
    ],
)
def test_it_has_prefectures_as_printed(results, prefecture, adoptions_2024, adoptions_2025):
    assert results.year(2024).prefectures.get(prefecture).adoptions == adoptions_2024
    assert results.year(2025).prefectures.get(prefecture).adoptions == adoptions_2025


@pytest.mark.parametrize(
    ("year", "printed_total", "frame_total", "multi"),
    [(2024, 50_171, 50_175, 4), (2025, 35_196, 35_202, 6)],
    ids=["2024", "2025"],
)
def test_it_keeps_both_totals_and_the_gap_is_the_multi_frame(
    results, year, printed_total, frame_total, multi
):
    item = results.year(year)
    assert [row.label for row in item.prefectures.rows] == list(PREFECTURES)
    assert item.prefectures.printed_total == printed_total
    assert item.prefectures.total == printed_total  # the 47 rows add up to the printed 総計
    assert item.frames.total.adoptions == frame_total
    assert item.printed_total_gap == item.excluded_multi_adoptions == multi
    for table in (item.prefectures, item.industries, item.headcounts, item.amounts):
        assert table.total == printed_total
        assert table.note == NOTE
        assert table.source.startswith(
            f"日医発第390号 添付「概要資料」「IT導入補助金{year}」の採択結果"
        )
    assert (
        item.frames.source
        == f"日医発第390号 添付「概要資料」「IT導入補助金{year}」の申請・採択結果"
    )


@pytest.mark.parametrize(
    ("year", "industry", "adoptions", "share_per_mille"),
    [
        (2024, "建設業", 10_613, 212),
        (2024, "医療、福祉", 3_941, 79),
        (2024, "その他（農業、金融業等）", 1_400, 28),
        (2025, "建設業", 7_494, 213),
        (2025, "医療、福祉", 2_634, 75),
        (2025, "運輸業、郵便業", 637, 18),
    ],
)
def test_it_has_industries_as_printed(results, year, industry, adoptions, share_per_mille):
    row = results.year(year).industries.get(industry)
    assert (row.adoptions, row.share_per_mille) == (adoptions, share_per_mille)


def test_the_printed_industry_shares_match_the_counts(results):
    for item in results.years:
        table = item.industries
        assert len(table.rows) == 12
        for row in table.rows:
            assert percent(table.share(row.label)) == percent(row.printed_share), row.label


@pytest.mark.parametrize(
    ("year", "counts"),
    [
        (
            2024,
            {"5名未満": 20_432, "5～50名未満": 24_520, "50～100名未満": 2_942, "100名以上": 2_277},
        ),
        (
            2025,
            {"5名未満": 16_808, "5～50名未満": 16_068, "50～100名未満": 1_387, "100名以上": 933},
        ),
    ],
    ids=["2024", "2025"],
)
def test_it_has_headcounts_as_printed(results, year, counts):
    table = results.year(year).headcounts
    assert {row.label: row.adoptions for row in table.rows} == counts


@pytest.mark.parametrize(
    ("year", "counts"),
    [
        (2024, [18_417, 10_979, 7_959, 12_711, 105]),
        (2025, [9_879, 6_471, 6_609, 12_183, 54]),
    ],
    ids=["2024", "2025"],
)
def test_it_has_amounts_as_printed(results, year, counts):
    table = results.year(year).amounts
    assert [row.label for row in table.rows] == [
        "100万円未満",
        "100万円以上150万円未満",
        "150万円以上300万円未満",
        "300万円以上450万円未満",
        "450万円",
    ]
    assert [row.adoptions for row in table.rows] == counts


def test_the_numbers_are_ints(results):
    for item in results.years:
        for row in (*item.frames.rows, item.frames.total):
            assert type(row.applications) is int and type(row.adoptions) is int
        for table in (item.prefectures, item.industries, item.headcounts, item.amounts):
            assert all(type(row.adoptions) is int for row in table.rows)


def test_it_reads_the_file_once():
    assert past_results() is past_results()


def test_the_comparison_tables_put_both_years_side_by_side():
    frames = comparison("frames")
    assert frames.rows[-1] == (
        "合計",
        71_767,
        50_175,
        Fraction(50_175, 71_767),
        80_439,
        35_202,
        Fraction(35_202, 80_439),
    )
    prefectures = comparison("prefectures")
    assert len(prefectures.rows) == 48
    assert ("東京都", 8_585, 6_114) in prefectures.rows
    assert prefectures.rows[-1] == ("総計", 50_171, 35_196)
    industries = comparison("industries")
    assert ("医療、福祉", 3_941, Fraction(79, 1000), 2_634, Fraction(75, 1000)) in industries.rows
    assert industries.html_rows()[6][1:] == [
        ("2024年 採択数", "3,941", True),
        ("2024年 割合", "7.9%", True),
        ("2025年 採択数", "2,634", True),
        ("2025年 割合", "7.5%", True),
    ]
    with pytest.raises(KeyError):
        comparison("nothing")
