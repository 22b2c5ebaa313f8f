"""Reminders before a round closes and the news of a new round (issue 22): who gets them, once
per clinic, round and reminder even when two runs meet, and the one-click stop."""

import threading
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from announcements.deadlines import deadline_reminders_send, opt_out_token, reminders_due
from announcements.models import DeadlineReminder, Email
from eligibility.models import ApplicationRecord
from eligibility.selectors import rule_set_for, rule_version_published
from tests import factories
from tests.browser.test_clinic_flow import open_round_in_new_version

pytestmark = pytest.mark.django_db

ANSWERS = factories.NORMAL_AND_SECURITY
ROUND_2 = date(2026, 6, 15)  # 通常枠・インボイス枠・セキュリティ対策推進枠 第2次


def rules():
    return rule_set_for(version=rule_version_published())


@pytest.mark.parametrize(
    ("as_of", "days"),
    [
        (ROUND_2 - timedelta(days=15), None),
        (ROUND_2 - timedelta(days=14), 14),
        (ROUND_2 - timedelta(days=4), 14),  # a day cron missed is caught up
        (ROUND_2 - timedelta(days=3), 3),
        (ROUND_2, 3),
        (ROUND_2 + timedelta(days=1), None),
    ],
)
def test_the_reminders_fall_due_n_days_before_and_never_two_at_once(as_of, days):
    due = {(d.frame.code, d.round.number, d.days_before) for d in reminders_due(rules(), as_of)}
    round_2 = {(code, n, d) for code, n, d in due if n == 2}
    frames = ("normal", "invoice", "e_trade", "security")
    expected = {(code, 2, days) for code in frames} if days else set()
    assert round_2 == expected


@pytest.fixture
def clinics():
    """A qualifies for 通常枠 and セキュリティ; B too but has applied for 通常枠; C is too
    large; D qualifies but its only user stopped the reminders."""
    made = {}
    for name, employees in (("A", 40), ("B", 40), ("C", 400), ("D", 40)):
        user = factories.clinic_user(
            factories.clinic(employees=employees, name=f"{name}クリニック")
        )
        factories.completed_screening(user, ANSWERS | {"employees": employees})
        made[name] = user
    ApplicationRecord.objects.create(
        clinic=made["B"].clinic,
        programme=rules().programme,
        frame_code="normal",
        stage="applied",
        stage_name="申請済み",
        applied=True,
    )
    User.objects.filter(pk=made["D"].pk).update(deadline_reminders=False)
    return made


def sent() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_only_qualifying_clinics_that_have_not_applied_and_want_them_are_reminded(clinics):
    as_of = ROUND_2 - timedelta(days=14)
    assert deadline_reminders_send(rules=rules(), as_of=as_of) == (3, 3)
    a, b = clinics["A"].email, clinics["B"].email
    assert sent() == sorted(
        [
            (a, "【補助金ナビ】通常枠 第2次の締切まであと14日です"),
            (a, "【補助金ナビ】セキュリティ対策推進枠 第2次の締切まであと14日です"),
            (b, "【補助金ナビ】セキュリティ対策推進枠 第2次の締切まであと14日です"),
        ]
    )
    message = next(m for m in mail.outbox if m.to == [a] and "通常枠" in m.subject)
    assert "申請締切は2026年6月15日です（あと14日）" in message.body
    assert "補助額の目安：300,000円" in message.body
    assert (
        "申請までに準備すること：" in message.body
        and "・事務局に登録されたIT導入支援事業者" in (message.body)
    )
    stop = f"/reminders/stop/{opt_out_token(clinics['A'])}/"
    assert stop in message.body and stop in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_second_run_and_the_next_days_send_nothing_more(clinics):
    as_of = ROUND_2 - timedelta(days=14)
    deadline_reminders_send(rules=rules(), as_of=as_of)
    assert deadline_reminders_send(rules=rules(), as_of=as_of) == (0, 0)
    assert deadline_reminders_send(rules=rules(), as_of=as_of + timedelta(days=1)) == (0, 0)
    assert len(mail.outbox) == 3
    # the 3-day reminder is another one: sent once too
    assert deadline_reminders_send(rules=rules(), as_of=ROUND_2 - timedelta(days=3)) == (3, 3)
    assert DeadlineReminder.objects.count() == 6


def test_the_command_uses_today_in_japan(clinics, capsys):
    with mock.patch(
        "announcements.management.commands.send_deadline_reminders.today",
        return_value=ROUND_2 - timedelta(days=3),
    ):
        call_command("send_deadline_reminders")
        call_command("send_deadline_reminders")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "締切前のお知らせ：3件の医療機関に3通を送ります。",
        "締切前のお知らせ：0件の医療機関に0通を送ります。",
    ]
    assert all("あと3日" in m.subject for m in mail.outbox)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two database sessions at once: PostgreSQL (CI runs the suite on it too)",
)
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_reminder_once(clinics):
    as_of, ready = ROUND_2 - timedelta(days=14), threading.Barrier(2)
    results = []

    def run():
        ready.wait()
        try:
            results.append(deadline_reminders_send(rules=rules(), as_of=as_of))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(clinics for clinics, _ in results) == 3
    assert DeadlineReminder.objects.count() == 3 and Email.objects.count() == 3


# --- stopping them ---------------------------------------------------------------------------


def test_the_stop_link_asks_once_then_stops_them_without_a_login(clinics):
    user = clinics["A"]
    client = Client(enforce_csrf_checks=True)
    url = f"/reminders/stop/{opt_out_token(user)}/"
    page = client.get(url).content.decode()
    assert f"{user.email} に、申請締切が近づいたときのお知らせメール" in page
    user.refresh_from_db()
    assert user.deadline_reminders  # a link scanner's GET stops nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # what mail clients send
    assert response.status_code == 200 and "停止しました" in response.content.decode()
    user.refresh_from_db()
    assert not user.deadline_reminders
    deadline_reminders_send(rules=rules(), as_of=ROUND_2 - timedelta(days=14))
    assert user.email not in [m.to[0] for m in mail.outbox]


def test_a_made_up_stop_link_stops_nothing(client, clinics):
    response = client.post("/reminders/stop/not-a-token/")
    assert response.status_code == 404 and "このリンクは使えません" in response.content.decode()
    assert User.objects.filter(deadline_reminders=False).count() == 1  # D only


# --- a new round ------------------------------------------------------------------------------


def test_a_clinic_that_asked_is_told_of_a_new_round_once():
    asking = factories.clinic_user(factories.clinic(new_round_notice=timezone.now()))
    factories.clinic_user(factories.clinic())  # did not ask
    closes = open_round_in_new_version()
    assert [m.to for m in mail.outbox] == [[asking.email]]
    body = mail.outbox[0].body
    assert f"・通常枠 第5次 {closes.year}年{closes.month}月{closes.day}日締切" in body
    asking.clinic.refresh_from_db()
    assert asking.clinic.new_round_notice is None  # told once


def test_a_user_turns_the_reminders_back_on_in_the_profile(client, clinics):
    user = clinics["D"]
    client.force_login(user)
    page = client.get("/clinic/profile/").content.decode()
    assert "締切前のお知らせメール" in page and 'name="wanted" checked' not in page
    response = client.post("/clinic/profile/reminders/", {"wanted": "on"}, follow=True)
    assert "締切前のお知らせメールを受け取る設定にしました。" in response.content.decode()
    user.refresh_from_db()
    assert user.deadline_reminders
