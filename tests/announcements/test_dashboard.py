"""The staff dashboard: figures equal a count by hand, the query count does not grow with the
members, the follow-up list exports to CSV and .xlsx, and the reminder reaches the right people."""

import csv
import io
import random
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from announcements.funnel import funnel_for
from announcements.models import ReadReceipt, Reminder
from announcements.selectors import dashboard_for_staff
from clinics.models import Clinic
from eligibility.models import Screening, ScreeningOutcome
from eligibility.selectors import rule_version_published
from tests import factories
from tests.announcements import notice_factories as nf

pytestmark = pytest.mark.django_db

FRAMES = ["normal", "invoice", "e_trade", "security", "multi"]


def build_members(count: int, *, publication, prefecture="東京都", seed=0):
    """``count`` members with users, some read receipts, some screenings (some unfinished,
    some clinics with two), built in bulk. Returns what was built, for counting by hand."""
    rng = random.Random(seed)
    association = factories.association(prefecture)
    version = rule_version_published()
    start = Clinic.objects.count()
    clinics = Clinic.objects.bulk_create(
        Clinic(
            association=association,
            name=f"{prefecture}会員{start + n:04d}",
            name_kana=f"カイイン{start + n:04d}",
            phone="03-0000-0000",
        )
        for n in range(count)
    )
    users = User.objects.bulk_create(
        User(email=f"m{start + n}-{u}@pref{association.prefecture_code}.example.jp", clinic=clinic)
        for n, clinic in enumerate(clinics)
        for u in range(rng.choice([0, 1, 1, 2]))
    )
    if publication is not None:
        ReadReceipt.objects.bulk_create(
            ReadReceipt(publication=publication, user=user) for user in users if rng.random() < 0.5
        )
    now = timezone.now()
    screenings = []
    for clinic in clinics:
        for k in range(rng.choice([0, 0, 1, 2])):
            done = rng.random() < 0.8
            screenings.append(
                Screening(
                    clinic=clinic,
                    name=f"見積り{k}",
                    rule_version=version,
                    completed_at=now - timedelta(days=10 - k) if done else None,
                    total_subsidy_yen=rng.randrange(0, 4_500_000, 1000) if done else 0,
                )
            )
    Screening.objects.bulk_create(screenings)
    ScreeningOutcome.objects.bulk_create(
        ScreeningOutcome(
            screening=s,
            frame_code=code,
            verdict="eligible" if eligible else "not_eligible",
            eligible=eligible,
            subsidy_yen=0,
        )
        for s in screenings
        for code in FRAMES
        for eligible in [rng.random() < 0.4]
    )
    return clinics


def count_by_hand(association, publication):
    """The dashboard's figures, counted in Python over every row."""
    clinics = list(Clinic.objects.filter(association=association))
    users = {c.pk: list(User.objects.filter(clinic=c)) for c in clinics}
    readers = set(
        ReadReceipt.objects.filter(publication=publication).values_list("user", flat=True)
    )
    read = {c.pk for c in clinics if any(u.pk in readers for u in users[c.pk])}
    completed = {c.pk: [] for c in clinics}
    for s in Screening.objects.filter(clinic__in=clinics, completed_at__isnull=False):
        completed[s.clinic_id].append(s)
    screened = {pk for pk, found in completed.items() if found}
    total = 0
    for found in completed.values():
        if found:
            total += max(found, key=lambda s: (s.completed_at, s.pk)).total_subsidy_yen
    qualify = dict.fromkeys(FRAMES, 0)  # per frame: the latest result says 申請可能 or 要確認
    for found in completed.values():
        if found:
            latest = max(found, key=lambda s: (s.completed_at, s.pk))
            for outcome in latest.outcomes.all():
                if outcome.verdict in ("eligible", "confirm"):
                    qualify[outcome.frame_code] += 1
    follow_up = {c.pk for c in clinics if c.pk not in read or c.pk not in screened}
    return {
        "members": len(clinics),
        "read": len(read),
        "screened": len(screened),
        "total": total,
        "qualify": qualify,
        "follow_up": follow_up,
        "reachable": {pk for pk in follow_up if users[pk]},
    }


@pytest.fixture
def world():
    publication = nf.publication("東京都")
    older = nf.publication("東京都", publish_at=timezone.now() - timedelta(days=30))
    build_members(40, publication=publication, seed=1)
    build_members(5, publication=older, seed=2)  # receipts of an older notice do not count
    osaka = nf.publication("大阪府")
    build_members(20, publication=osaka, prefecture="大阪府", seed=3)
    return publication


def test_the_figures_equal_a_count_by_hand(world):
    staff = factories.staff("東京都")
    dashboard = dashboard_for_staff(user=staff)
    expected = count_by_hand(staff.association, world)
    assert dashboard.publication == world
    assert dashboard.members == expected["members"] == 45
    assert dashboard.read == expected["read"]
    assert dashboard.screened == expected["screened"]
    assert dashboard.total_subsidy_yen == expected["total"]
    by_frame = funnel_for(staff.association).by_frame
    assert {code: n for code, _, n in by_frame} == expected["qualify"]
    assert dashboard.follow_up == len(expected["follow_up"])
    assert dashboard.follow_up_reachable == len(expected["reachable"])
    assert 0 < dashboard.read < dashboard.members and 0 < dashboard.screened < dashboard.members


def test_the_page_shows_the_figures(client, world):
    staff = factories.staff("東京都")
    expected = count_by_hand(staff.association, world)
    client.force_login(staff)
    html = client.get("/staff/").content.decode()
    assert f"{expected['read']} / 45件" in html
    assert f"{expected['screened']} / 45件" in html
    assert f"{expected['total']:,}円" in html
    # the notice does not say whether several frames can be granted together
    assert "複数の枠に同時に申請して交付を受けられるかは公募要領で要確認です" in html
    assert f"フォローが必要な会員（{len(expected['follow_up'])}件）" in html
    assert "大阪府会員" not in html


def test_without_a_live_notice_it_follows_up_on_screening_only(client):
    build_members(6, publication=None, seed=4)
    staff = factories.staff("東京都")
    dashboard = dashboard_for_staff(user=staff)
    assert dashboard.publication is None and dashboard.read == 0
    screened = Clinic.objects.filter(screenings__completed_at__isnull=False).distinct().count()
    assert dashboard.follow_up == dashboard.members - screened
    client.force_login(staff)
    assert "公開中のお知らせはありません" in client.get("/staff/").content.decode()


def test_the_number_of_queries_does_not_grow_with_the_members(client):
    publication = nf.publication("東京都")
    staff = factories.staff("東京都")
    client.force_login(staff)
    build_members(50, publication=publication, seed=5)
    client.get("/staff/")  # warm up (the session, the content types)
    with CaptureQueriesContext(connection) as fifty:
        assert client.get("/staff/").status_code == 200
    build_members(250, publication=publication, seed=6)
    assert Clinic.objects.filter(association=staff.association).count() == 300
    with CaptureQueriesContext(connection) as three_hundred:
        assert client.get("/staff/").status_code == 200
    assert len(three_hundred) == len(fifty), [q["sql"] for q in three_hundred.captured_queries]
    with CaptureQueriesContext(connection) as page_two:
        client.get("/staff/?page=2")
    assert len(page_two) == len(fifty)


def test_the_follow_up_list_exports_to_csv_with_a_bom(client, world):
    staff = factories.staff("東京都")
    expected = count_by_hand(staff.association, world)
    client.force_login(staff)
    response = client.get("/staff/follow-up.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["医療機関名", "フリガナ"]
    names = {r[0] for r in rows[1:]}
    assert names == {c.name for c in Clinic.objects.filter(pk__in=expected["follow_up"])}
    assert {r[5] for r in rows[1:]} <= {"既読", "未読"} and {r[6] for r in rows[1:]} <= {
        "確認済み",
        "未確認",
    }


def test_the_follow_up_list_exports_to_xlsx(client, world):
    staff = factories.staff("東京都")
    expected = count_by_hand(staff.association, world)
    client.force_login(staff)
    response = client.get("/staff/follow-up.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "医療機関名" and len(rows) - 1 == len(expected["follow_up"])


def test_the_reminder_goes_to_the_clinic_users_of_the_members_to_follow_up(client, world):
    staff = factories.staff("東京都")
    expected = count_by_hand(staff.association, world)
    client.force_login(staff)
    response = client.post("/staff/reminders/", follow=True)
    recipients = sorted(m.to[0] for m in mail.outbox)
    wanted = sorted(
        User.objects.filter(clinic__in=expected["follow_up"], is_active=True).values_list(
            "email", flat=True
        )
    )
    assert recipients == wanted and all(len(m.to) == 1 for m in mail.outbox)
    assert f"{len(expected['reachable'])}件の医療機関（{len(wanted)}人）" in (
        response.content.decode()
    )
    unread = next(m for m in mail.outbox if "お知らせ「" in m.body)
    assert f"/notices/{world.pk}/" in unread.body


def test_a_reminder_is_recorded_shown_and_not_sent_twice_in_a_row(client, world):
    staff = factories.staff("東京都")
    expected = count_by_hand(staff.association, world)
    client.force_login(staff)
    assert "リマインドメールはまだ送っていません" in client.get("/staff/").content.decode()

    client.post("/staff/reminders/")
    reminder = Reminder.objects.get()
    assert (reminder.association, reminder.sent_by) == (staff.association, staff)
    assert set(reminder.clinics.values_list("pk", flat=True)) == set(expected["reachable"])
    assert reminder.emails == len(mail.outbox) > 0
    html = client.get("/staff/").content.decode()
    assert f"{len(expected['reachable'])}件の医療機関（{reminder.emails}人）" in html
    reminded = [c.pk for c in dashboard_members(staff) if c.last_reminded_at]
    assert sorted(reminded) == sorted(expected["reachable"])

    sent = len(mail.outbox)
    again = client.post("/staff/reminders/", follow=True).content.decode()
    assert len(mail.outbox) == sent and Reminder.objects.count() == 1
    assert "分たっていないため、送りませんでした" in again

    osaka = factories.staff("大阪府")  # another association's reminder does not hold ours back
    client.force_login(osaka)
    client.post("/staff/reminders/")
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now() - timedelta(minutes=11))
    client.force_login(staff)
    before = len(mail.outbox)
    client.post("/staff/reminders/")  # ten minutes later
    assert Reminder.objects.filter(association=staff.association).count() == 2
    assert len(mail.outbox) - before == sent


def dashboard_members(staff):
    from announcements.selectors import members_to_follow_up, publication_latest_live

    association = staff.association
    publication = publication_latest_live(association=association)
    return list(members_to_follow_up(association=association, publication=publication))


def test_another_associations_staff_see_only_their_own(client, world):
    client.force_login(factories.staff("大阪府"))
    html = client.get("/staff/").content.decode()
    assert "大阪府医師会 ダッシュボード" in html and "東京都会員" not in html
    csv_text = client.get("/staff/follow-up.csv").content.decode("utf-8-sig")
    assert "東京都会員" not in csv_text
    client.post("/staff/reminders/")
    assert mail.outbox and all("@pref27." in m.to[0] for m in mail.outbox)


def test_staff_land_on_the_dashboard(client):
    client.force_login(factories.staff())
    response = client.get("/")
    assert response.status_code == 302 and response.url == "/staff/"


@pytest.mark.parametrize(
    "url", ["/staff/", "/staff/follow-up.csv", "/staff/follow-up.xlsx", "/staff/reminders/"]
)
def test_it_is_for_staff_only(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(factories.clinic_user())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/staff/"), ("post", "/staff/follow-up.csv"), ("get", "/staff/reminders/")],
)
def test_it_rejects_wrong_methods(client, method, url):
    client.force_login(factories.staff())
    assert getattr(client, method)(url).status_code == 405


def test_htmx_gets_the_follow_up_table_alone(client, world):
    client.force_login(factories.staff("東京都"))
    html = client.get("/staff/?page=1", headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="follow-up-table">') and "<html" not in html
