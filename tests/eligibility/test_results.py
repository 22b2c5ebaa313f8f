"""Results stay with the rule version they were made under; deadlines come as .ics."""

import re
from datetime import date, timedelta

import pytest

from eligibility.models import Screening
from eligibility.selectors import rule_version_published
from eligibility.services import (
    rescreen_run_start,
    rule_version_clone,
    rule_version_publish,
    screening_complete,
    screening_create,
)
from tests import factories
from tests.factories import frame_of, param_of

pytestmark = pytest.mark.django_db

ANSWERS = {
    "legal_form": "medical_corporation",
    "employees": 3,
    "goals": ["security"],
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "tools_done": True,
}


@pytest.fixture
def screening():
    user = factories.clinic_user()
    screening = screening_create(clinic=user.clinic, name="お助け隊", by=user)
    screening.answers = ANSWERS
    screening.save()
    screening_complete(screening=screening, as_of=date(2026, 6, 1))
    screening.user = user
    return screening


def publish_new_version(*, small_rate=(3, 4), extra_round: date | None = None):
    draft = rule_version_clone(version=rule_version_published(), label="2026.2")
    param_of(draft.document, "security", "rate_small")["value"] = "{}/{}".format(*small_rate)
    if extra_round:
        frame_of(draft.document, "security")["rounds"].append(
            {"number": 5, "closes_on": extra_round.isoformat(), "source": "事務局の発表"}
        )
    draft.save()
    return rule_version_publish(version=draft)


def test_an_old_result_keeps_its_numbers_after_a_new_version(client, screening):
    client.force_login(screening.user)
    before = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert "320,000円" in before  # 480,000 × 2/3
    publish_new_version()
    after = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert "320,000円" in after and "360,000円" not in after
    assert "現在公開中の版は 2026.2 です" in after


def test_compare_shows_what_changed_and_recheck_saves_a_new_result(client, screening):
    client.force_login(screening.user)
    publish_new_version()
    compare = client.get(f"/screenings/{screening.pk}/compare/").content.decode()
    assert "320,000円" in compare and "360,000円" in compare and "変更あり" in compare
    response = client.post(f"/screenings/{screening.pk}/recheck/")
    copy = Screening.objects.latest("id")
    assert response.url == f"/screenings/{copy.pk}/result/"
    assert copy.rule_version.label == "2026.2" and copy.total_subsidy_yen == 360_000
    screening.refresh_from_db()
    assert screening.rule_version.label == "2026.1" and screening.total_subsidy_yen == 320_000


def test_a_rechecked_result_points_to_its_copy_and_is_not_copied_twice(client, screening):
    client.force_login(screening.user)
    rescreen_run_start(version=publish_new_version(), by=None)
    list_before = client.get("/screenings/").content.decode()
    assert "新しい版（2026.2）で結果が変わりました" in list_before
    assert "再確認済み" not in list_before

    first = client.post(f"/screenings/{screening.pk}/recheck/")
    copy = Screening.objects.get(rechecked_from=screening)
    again = client.post(f"/screenings/{screening.pk}/recheck/", follow=True)
    assert again.redirect_chain[-1][0] == first.url == f"/screenings/{copy.pk}/result/"
    assert Screening.objects.filter(rechecked_from=screening).count() == 1
    assert "すでに再確認しています" in again.content.decode()

    listed = client.get("/screenings/").content.decode()
    assert (
        "再確認済み" in listed and f'href="/screenings/{copy.pk}/result/">{copy.name}</a>' in listed
    )
    assert "で結果が変わりました" not in listed  # the copy is current; the notice is answered
    old_result = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert "現在の版で再確認した結果があります" in old_result and copy.name in old_result
    assert f"/screenings/{screening.pk}/compare/" not in old_result
    compare = client.get(f"/screenings/{screening.pk}/compare/").content.decode()
    assert "すでに再確認しています" in compare and "/recheck/" not in compare


def test_a_recheck_of_a_long_name_keeps_the_copys_name_within_its_column(client, screening):
    screening.name = "見" * 100
    screening.save()
    client.force_login(screening.user)
    publish_new_version()
    response = client.post(f"/screenings/{screening.pk}/recheck/")
    assert response.status_code == 302
    copy = Screening.objects.get(rechecked_from=screening)
    assert len(copy.name) == 100
    assert copy.name == "見" * 87 + "…（2026.2で再確認）"
    copy.full_clean()


def test_compare_of_a_current_result_goes_back_to_it(client, screening):
    client.force_login(screening.user)
    response = client.get(f"/screenings/{screening.pk}/compare/")
    assert response.status_code == 302 and response.url.endswith("/result/")


def test_a_new_round_appears_without_a_code_change_and_in_the_ics(client, screening):
    client.force_login(screening.user)
    closes = date.today() + timedelta(days=40)
    publish_new_version(small_rate=(2, 3), extra_round=closes)
    response = client.post(f"/screenings/{screening.pk}/recheck/")
    copy_url = response.url
    html = client.get(copy_url).content.decode()
    assert f"第5次 {closes.year}年{closes.month}月{closes.day}日" in html
    copy = Screening.objects.latest("id")
    ics = client.get(f"/screenings/{copy.pk}/deadlines.ics")
    body = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in body and body.count("BEGIN:VEVENT") == 1
    assert f"DTSTART;VALUE=DATE:{closes:%Y%m%d}" in body
    assert "\r\n" in body


def test_only_the_clinic_and_its_association_see_a_result(client, screening):
    url = f"/screenings/{screening.pk}/result/"
    client.force_login(factories.clinic_user())
    assert client.get(url).status_code == 404
    assert client.get(f"/screenings/{screening.pk}/deadlines.ics").status_code == 404
    client.force_login(factories.staff("大阪府"))
    assert client.get(url).status_code == 404
    client.force_login(factories.rule_admin())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def unescape_ics(value: str) -> str:
    """RFC 5545 3.3.11 backwards: \\\\ \\; \\, and \\n (or \\N)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def test_rule_text_with_line_breaks_stays_inside_its_ics_value(client, screening):
    injected = "改\r行\nあり\r\nBEGIN:VEVENT;区切り,カンマ\\円記号" + "長い枠の名前" * 10
    draft = rule_version_clone(version=rule_version_published(), label="2026.2")
    frame = frame_of(draft.document, "security")
    frame["name"] = injected
    closes = date.today() + timedelta(days=40)
    frame["rounds"].append({"number": 5, "closes_on": closes.isoformat(), "source": injected})
    draft.save()
    rule_version_publish(version=draft)
    client.force_login(screening.user)
    client.post(f"/screenings/{screening.pk}/recheck/")
    copy = Screening.objects.latest("id")
    content = client.get(f"/screenings/{copy.pk}/deadlines.ics").content

    assert content.endswith(b"\r\n")
    physical = content.split(b"\r\n")[:-1]
    assert all(b"\r" not in line and b"\n" not in line for line in physical)
    assert all(len(line) <= 75 and line.decode() for line in physical)  # folded between characters
    body = content.decode()
    lines = body.replace("\r\n ", "").split("\r\n")[:-1]  # unfolded content lines
    names = [re.match(r"[A-Z-]+", line)[0] for line in lines]
    assert names.count("BEGIN") == 3 and lines.count("BEGIN:VEVENT") == 1  # calendar, event, alarm
    assert set(names) == {
        *("BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "X-WR-CALNAME", "UID", "DTSTAMP"),
        *("DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "TRANSP", "TRIGGER", "ACTION"),
    }
    summary = unescape_ics(next(line for line in lines if line.startswith("SUMMARY:"))[8:])
    as_lines = injected.replace("\r\n", "\n").replace("\r", "\n")
    assert summary.startswith(f"【申請締切】{as_lines} 第5次（")
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert unescape_ics(description[12:]).endswith(f"出典：{as_lines}")
