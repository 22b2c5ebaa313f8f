"""The association's funnel on /staff/ (issue 22): members → read → screened → qualify (per
frame) → applied → adopted → granted equal a count by hand; exports; the national rate."""

from fractions import Fraction

import pytest

from announcements.funnel import funnel_for, national_rate
from announcements.models import ReadReceipt
from eligibility.models import ApplicationRecord
from tests import factories
from tests.announcements import notice_factories as nf

pytestmark = pytest.mark.django_db

QUALIFY = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["normal", "security"],
    "normal": {"tools": ["web_reservation"], "purchase_yen": 600_000},
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "minimum_wage_near": False,
    "tools_done": True,
}
TOO_LARGE = QUALIFY | {"employees": 400}
PROGRAMME = "デジタル化・AI導入補助金2026"


def record(user, frame, stage, *, applied=False, adopted=False, granted=False):
    ApplicationRecord.objects.create(
        clinic=user.clinic,
        programme=PROGRAMME,
        frame_code=frame,
        stage=stage,
        stage_name=stage,
        applied=applied,
        adopted=adopted,
        granted=granted,
    )


@pytest.fixture
def world():
    """東京都: 8 members. Their story, written so each count is easy to check by hand:
    m1 read, qualifies, applied 通常枠, adopted, granted
    m2 read, qualifies, applied then corrected to 検討中 (not applied)
    m3 read, qualifies, applied セキュリティ and was not adopted
    m4 qualifies, applied 通常枠 and セキュリティ, adopted for one
    m5 screened, too large (qualifies for nothing)
    m6 screened twice: first qualified, latest too large
    m7, m8 nothing yet.  And one 大阪府 member that qualifies and applied (not ours)."""
    notice = nf.publication("東京都", state="live")
    users = [factories.clinic_user(factories.clinic(employees=40)) for _ in range(8)]
    m1, m2, m3, m4, m5, m6, _m7, _m8 = users
    for user in (m1, m2, m3):
        ReadReceipt.objects.create(publication=notice, user=user)
    for user in (m1, m2, m3, m4):
        factories.completed_screening(user, QUALIFY)
    factories.completed_screening(m5, TOO_LARGE)
    factories.completed_screening(m6, QUALIFY)
    factories.completed_screening(m6, TOO_LARGE)
    record(m1, "normal", "applied", applied=True)
    record(m1, "normal", "received", applied=True, adopted=True, granted=True)
    record(m2, "normal", "applied", applied=True)
    record(m2, "normal", "considering")
    record(m3, "security", "rejected", applied=True)
    record(m4, "normal", "adopted", applied=True, adopted=True)
    record(m4, "security", "applied", applied=True)
    osaka = factories.clinic_user(factories.clinic(prefecture="大阪府", employees=40))
    factories.completed_screening(osaka, QUALIFY)
    record(osaka, "normal", "applied", applied=True)
    return users


BY_HAND = {
    "members": 8,
    "read": 3,  # m1 m2 m3
    "screened": 6,  # m1–m6
    "qualify": 4,  # m1–m4 (m6's latest does not)
    "applied": 3,  # m1 m3 m4 (m2 corrected)
    "adopted": 2,  # m1 m4
    "granted": 1,  # m1
}


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
