"""From "we qualify" to "we were granted" in Chromium (issue 22): a clinic records 申請済み and
gets no reminder for that frame; the staff's funnel equals a count by hand; the national user
sees per-prefecture counts and is refused every clinic-level page."""

import re
from datetime import date, timedelta

from django.core import mail
from playwright.sync_api import expect

from announcements.deadlines import deadline_reminders_send
from eligibility.selectors import rule_set_for, rule_version_published
from tests import factories
from tests.announcements.funnel_world import BY_HAND, QUALIFY, build_world
from tests.browser.conftest import assert_accessible, login

ROUND_2 = date(2026, 6, 15)


def test_a_clinic_that_recorded_its_application_gets_no_reminder_for_that_frame(site, page):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = factories.completed_screening(user, QUALIFY)
    login(page, site, user.email, factories.PASSWORD)
    page.goto(f"{site}/screenings/{screening.pk}/result/")
    page.locator("#stage-normal").get_by_role("link", name="申請の状況を記録する").click()
    expect(page.locator("h1")).to_have_text("申請の状況：通常枠")
    page.get_by_role("radio", name="申請済み").check()
    page.get_by_role("button", name="記録する").click()  # without the round and date
    expect(page.locator(".error-summary")).to_contain_text("申請した回：")
    assert_accessible(page)
    page.get_by_label("申請した回").select_option("2")
    page.get_by_label("申請日").fill("2026-06-10")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("通常枠の申請の状況を「申請済み」として記録しました。")).to_be_visible()
    expect(page.locator("#stage-normal")).to_contain_text("申請済み（第2次・2026年6月10日申請）")
    assert_accessible(page)

    rules = rule_set_for(version=rule_version_published())
    deadline_reminders_send(rules=rules, as_of=ROUND_2 - timedelta(days=14))
    subjects = [m.subject for m in mail.outbox if m.to == [user.email]]
    assert subjects == ["【補助金ナビ】セキュリティ対策推進枠 第2次の締切まであと14日です"]


def test_the_staff_funnel_equals_a_count_by_hand(site, page):
    build_world()
    staff = factories.staff("東京都")
    login(page, site, staff.email, factories.PASSWORD)
    page.goto(f"{site}/staff/#funnel")
    funnel = page.locator("#funnel")
    expect(funnel.locator("svg title")).to_have_text("申請までの進み具合")
    rows = funnel.locator("table.funnel-steps tbody tr")
    expect(rows).to_have_count(len(BY_HAND))
    shown = [int(re.sub(r"\D", "", rows.nth(i).locator("td").first.inner_text())) for i in range(7)]
    assert shown == list(BY_HAND.values())
    expect(funnel).to_contain_text("会員の採択率（採択された／申請した）：66.7%")
    assert_accessible(page)


def test_the_national_user_sees_counts_per_prefecture_and_no_clinic(site, page):
    build_world()
    clinic_user = factories.clinic_user(factories.clinic(prefecture="北海道", employees=40))
    screening = factories.completed_screening(clinic_user, QUALIFY)
    jma = factories.national_user()
    login(page, site, jma.email, factories.PASSWORD)
    expect(page).to_have_url(f"{site}/national/")
    tokyo = page.locator("table.national tr", has=page.locator('th:text-is("東京都")'))
    cells = [int(text) for text in tokyo.locator("td").all_inner_texts()[:7]]
    assert cells == list(BY_HAND.values())
    expect(page.locator("table.national tbody tr")).to_have_count(47)
    assert_accessible(page)
    clinic_pages = [
        f"/screenings/{screening.pk}/result/",
        f"/screenings/{screening.pk}/result.pdf",
        f"/screenings/{screening.pk}/share/",
        "/screenings/",
        "/clinic/profile/",
        "/notices/",
        "/staff/",
        "/staff/members/",
        f"/staff/members/{clinic_user.clinic_id}/edit/",
        "/staff/follow-up.csv",
        "/staff/funnel.csv",
        "/rules/admin/",
    ]
    for path in clinic_pages:
        response = page.request.get(f"{site}{path}", max_redirects=0)
        assert response.status in (403, 404), f"{path}: {response.status}"
