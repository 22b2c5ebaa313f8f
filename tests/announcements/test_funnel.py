"""The association's funnel on /staff/ (issue 22): members → read → screened → qualify (per
frame) → applied → adopted → granted equal a count by hand; exports; the national rate."""

from fractions import Fraction

import pytest

from announcements.funnel import funnel_for, national_rate
from tests import factories
from tests.announcements.funnel_world import BY_HAND, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_the_funnel_equals_a_count_by_hand(world):
    funnel = funnel_for(factories.association("東京都"))
    assert funnel.counts == BY_HAND
    by_frame = {code: n for code, _, n in funnel.by_frame}
    assert by_frame["normal"] == 4 and by_frame["security"] == 4 and by_frame["invoice"] == 0
    assert funnel.adoption_rate == Fraction(2, 3) and funnel.adoption_rate_text == "66.7%"


def test_the_staff_page_shows_the_funnel_chart_table_and_comparison(client, world):
    client.force_login(factories.staff("東京都"))
    page = client.get("/staff/").content.decode()
    assert "申請までの進み具合" in page and '<svg xmlns="http://www.w3.org/2000/svg"' in page
    for label, count in (
        ("会員", 8),
        ("お知らせを読んだ", 3),
        ("申請可否を確認した", 6),
        ("申請できる枠がある（要確認を含む）", 4),
        ("申請した", 3),
        ("採択された", 2),
        ("補助金を受領した", 1),
    ):
        assert f'<th scope="row">{label}</th><td class="num">{count}件</td>' in page
    assert "会員の採択率（採択された／申請した）：<strong>66.7%</strong>" in page
    national = national_rate()
    assert national.year == 2025 and national.rate == Fraction(35_202, 80_439)
    assert f"全国の2025年の採択率（全業種）：<strong>{national.text}</strong>" in page
    assert "医療、福祉の採択率は計算できません" in page


def test_the_funnel_exports_as_csv_and_xlsx(client, world):
    client.force_login(factories.staff("東京都"))
    csv = client.get("/staff/funnel.csv").content.decode("utf-8-sig")
    assert "申請した,3" in csv and "補助金を受領した,1" in csv
    assert "申請できる枠：通常枠,4" in csv and "採択率（採択された／申請した）,66.7%" in csv
    xlsx = client.get("/staff/funnel.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_another_association_s_staff_see_their_own_funnel(client, world):
    client.force_login(factories.staff("大阪府"))
    csv = client.get("/staff/funnel.csv").content.decode("utf-8-sig")
    assert "会員,1" in csv and "申請した,1" in csv
