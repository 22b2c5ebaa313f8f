"""What a clinic reads in Chromium (issue 20): 申請可能 only while a round is open, the wish to
hear of a new round, わからない as 要確認 with the amount, and live regions that survive."""

import re

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, login, new_context
from tests.browser.test_clinic_flow import open_round_in_new_version

SECURITY = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["normal", "security"],
    "normal": {"tools": ["web_reservation"], "purchase_yen": 600_000},
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "minimum_wage_near": False,
    "tools_done": True,
}


def completed_screening(user):
    return factories.completed_screening(user, SECURITY)


def test_a_frame_is_applicable_only_while_a_round_is_open(site, page):
    user = factories.clinic_user(factories.clinic(employees=40))
    closed = completed_screening(user)  # 2026.1: every round has closed
    login(page, site, user.email, factories.PASSWORD)
    page.goto(f"{site}/screenings/{closed.pk}/result/")
    summary = page.locator("table.summary")
    expect(summary).to_contain_text("要件を満たす（受付中の回なし）")
    expect(summary).to_contain_text("受付終了（次回は未発表）")
    expect(summary).not_to_contain_text("申請可能")
    expect(page.locator("#frame-normal .schedule")).to_contain_text("次回 未発表")
    page.get_by_label("新しい公募回が発表されたら、メールで知らせてほしい").check()
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("新しい公募回が発表されたら、メールでお知らせします。")).to_be_visible()
    expect(page.get_by_label("新しい公募回が発表されたら、メールで知らせてほしい")).to_be_checked()
    assert_accessible(page)

    closes = open_round_in_new_version()  # 第5次 for 通常枠 and インボイス
    opened = completed_screening(user)
    page.goto(f"{site}/screenings/{opened.pk}/result/")
    row = page.locator("table.summary tr", has_text="通常枠")
    expect(row).to_contain_text("申請可能")
    expect(row).to_contain_text(f"受付中：第5次 {closes.year}年{closes.month}月{closes.day}日締切")
    security = page.locator("table.summary tr", has_text="セキュリティ対策推進枠")
    expect(security).to_contain_text("要件を満たす（受付中の回なし）")


def test_a_wage_plan_not_yet_decided_is_to_be_confirmed_with_its_amount(site, page):
    user = factories.clinic_user(factories.clinic(employees=40, legal_form="medical_corporation"))
    login(page, site, user.email, factories.PASSWORD)
    page.goto(f"{site}/screenings/")
    page.get_by_label("名前").fill("4プロセス")
    page.get_by_role("button", name="確認を始める").click()
    page.get_by_role("button", name="保存して次へ").click()
    page.get_by_label("業務の効率化・DX（通常枠）").check()
    page.get_by_role("button", name="保存して次へ").click()
    normal = page.get_by_role("group", name=re.compile("^通常枠"))
    for tool in ("Web予約・問診", "キャッシュレス決済", "医薬品・診療材料の発注", "会計ソフト"):
        normal.get_by_label(re.compile(tool)).first.check()
    normal.get_by_label("ソフトウェア購入費").fill("400万円")
    normal.get_by_label("ソフトウェア購入費").press("Tab")
    expect(page.locator("#preview")).to_contain_text("2,000,000円")
    expect(page.locator("#preview")).not_to_contain_text("策定しない")
    page.get_by_role("button", name="保存して次へ").click()
    page.get_by_role("group", name=re.compile("最低賃金近傍")).get_by_label("いいえ").check()
    page.get_by_role("group", name=re.compile("賃金引上げ計画")).get_by_label("わからない").check()
    page.get_by_role("button", name="結果を見る").click()
    frame = page.locator("#frame-normal")
    expect(frame).to_contain_text("要件は要確認")
    expect(frame).to_contain_text("2,000,000円")
    expect(frame).to_contain_text("策定・表明するかどうかが未定のため要確認です")


def test_the_live_region_stays_in_the_page_when_the_estimate_changes(site, page):
    user = factories.clinic_user(factories.clinic(employees=40))
    login(page, site, user.email, factories.PASSWORD)
    page.goto(f"{site}/screenings/")
    page.get_by_label("名前").fill("見積り")
    page.get_by_role("button", name="確認を始める").click()
    region = page.locator("#sme-result")
    handle = region.element_handle()
    page.get_by_label("常時使用する従業員数").fill("301")
    page.get_by_label("常時使用する従業員数").press("Tab")
    expect(region).to_contain_text("中小企業等に該当しません")
    assert handle.evaluate("node => node.isConnected && node.getAttribute('aria-live')") == (
        "polite"
    )
    page.get_by_label("常時使用する従業員数").fill("40")
    page.get_by_label("常時使用する従業員数").press("Tab")
    expect(region).to_contain_text("中小企業等に該当します")
    assert handle.evaluate("node => node.isConnected")


def test_amounts_stay_whole_on_a_phone(site, browser):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = completed_screening(user)
    page = new_context(browser, locale="ja-JP", viewport={"width": 390, "height": 800}).new_page()
    login(page, site, user.email, factories.PASSWORD)
    page.goto(f"{site}/screenings/{screening.pk}/result/")
    cells = page.locator("table.arith td")
    expect(cells.first).to_be_visible()
    broken = page.evaluate(
        """() => [...document.querySelectorAll('table td')]
            .filter(td => /[0-9],[0-9]{3}円/.test(td.textContent))
            .filter(td => td.scrollWidth > td.clientWidth + 1)
            .map(td => td.textContent.trim())"""
    )
    assert broken == []
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]  # no sideways scroll of the page
    for amount in page.locator("table.arith td.num").all_inner_texts():
        assert "\n" not in amount.strip()  # 1,200,000円 on one line


def test_without_javascript_the_estimate_is_recalculated_on_request(site, browser):
    user = factories.clinic_user(factories.clinic(employees=40, legal_form="medical_corporation"))
    page = new_context(browser, locale="ja-JP", java_script_enabled=False).new_page()
    login(page, site, user.email, factories.PASSWORD)
    page.goto(f"{site}/screenings/")
    page.get_by_label("名前").fill("JavaScriptなし")
    page.get_by_role("button", name="確認を始める").click()
    page.get_by_role("button", name="保存して次へ").click()
    page.get_by_label("セキュリティ対策（セキュリティ対策推進枠）").check()
    page.get_by_role("button", name="保存して次へ").click()
    expect(page.locator("#preview")).to_contain_text("金額を入力すると補助額を計算します。")
    page.get_by_label("お助け隊サービス利用料（月額）").fill("２万円")
    page.get_by_label("利用月数").fill("24")
    page.get_by_role("button", name="入力した金額で目安を再計算").click()
    expect(page.locator("#preview")).to_contain_text("240,000円")
    expect(page.get_by_label("お助け隊サービス利用料（月額）")).to_have_value("２万円")
    expect(page.get_by_role("heading", level=1)).to_have_text("導入予定のITツールと費用")


def test_the_pages_a_clinic_reads_break_no_content_security_rule(site, page):
    """The autouse watcher fails any browser test on a CSP violation; this one visits the
    pages that had them (/past-results/ had an inline style) and the main pages of a clinic."""
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = completed_screening(user)
    login(page, site, user.email, factories.PASSWORD)
    for path in (
        "/past-results/",
        "/rules/",
        "/screenings/",
        f"/screenings/{screening.pk}/result/",
        f"/screenings/{screening.pk}/tools/",
        "/clinic/profile/",
        "/no-such-page/",
    ):
        page.goto(site + path)
        expect(page.locator("main")).to_be_visible()
