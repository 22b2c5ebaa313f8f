"""A clinic's whole path in Chromium: invitation, profile with full-width input, the wizard
(with and without JavaScript), the result, its deadlines; resuming; and isolation."""

import io
import re
from datetime import timedelta
from pathlib import Path

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from eligibility.selectors import rule_version_published
from eligibility.services import rule_version_clone, rule_version_publish
from tests import factories
from tests.browser.conftest import assert_accessible, login, new_context
from tests.factories import frame_of


def open_round_in_new_version():
    """2026's rounds have all closed; the secretariat announces a 第5次 (a new version)."""
    draft = rule_version_clone(version=rule_version_published(), label="2026.2")
    closes = timezone.localdate() + timedelta(days=45)
    for code in ("normal", "invoice"):
        frame_of(draft.document, code)["rounds"].append(
            {"number": 5, "closes_on": closes.isoformat(), "source": "事務局の発表"}
        )
    draft.save()
    rule_version_publish(version=draft)
    return closes


def walk_wizard(page, *, accessible=True):
    """From the screenings page to the result: 通常枠 and インボイス対応類型."""
    page.get_by_label("名前").fill("A社の見積り")
    page.get_by_role("button", name="確認を始める").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申請者")
    if accessible:
        assert_accessible(page)
    page.get_by_role("button", name="保存して次へ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("やりたいこと")
    page.get_by_label("業務の効率化・DX（通常枠）").check()
    page.get_by_label("インボイス対応（インボイス対応類型）").check()
    if accessible:
        assert_accessible(page)
    page.get_by_role("button", name="保存して次へ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("導入予定のITツールと費用")
    normal = page.get_by_role("group", name=re.compile("^通常枠"))
    normal.get_by_label(re.compile("Web予約・問診")).check()
    normal.get_by_label(re.compile("電子カルテ・レセコン連携")).check()
    normal.get_by_label("ソフトウェア購入費").fill("１２０万円")
    normal.get_by_label("クラウド利用料（月額）").fill("30,000")
    normal.get_by_label("クラウドの利用月数").fill("36")
    invoice = page.get_by_role("group", name=re.compile("^インボイス対応類型"))
    invoice.get_by_label(re.compile("会計ソフト")).check()
    invoice.get_by_label(re.compile("キャッシュレス決済")).check()
    invoice.get_by_label("ソフトウェア購入費").fill("100万")
    if accessible:
        assert_accessible(page)
    page.get_by_role("button", name="保存して次へ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("賃金について")
    page.get_by_role("group", name=re.compile("最低賃金近傍")).get_by_label("いいえ").check()
    if accessible:
        assert_accessible(page)
    page.get_by_role("button", name="結果を見る").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("クリニック")


def test_a_clinic_registers_runs_the_wizard_and_downloads_its_deadlines(site, page, browser):
    closes = open_round_in_new_version()
    staff = factories.staff()
    staff_page = new_context(browser).new_page()
    login(staff_page, site, staff.email, factories.PASSWORD)
    staff_page.goto(f"{site}/staff/invitations/new/")
    staff_page.get_by_label("招待するメールアドレス").fill("midori@example.jp")
    staff_page.get_by_label("医療機関名").fill("みどり内科クリニック")
    staff_page.get_by_role("button", name="招待メールを送る").click()
    expect(staff_page.get_by_text("midori@example.jp に招待メールを送りました")).to_be_visible()
    link = re.search(r"(/invite/\S+/)", mail.outbox[-1].body).group(1)

    page.goto(site + link)
    page.get_by_label("お名前").fill("緑 花子")
    page.get_by_label("パスワード", exact=True).fill("midori-2026-kodomo")
    page.get_by_label("パスワード（確認）").fill("midori-2026-kodomo")
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("医療機関の情報")
    assert_accessible(page)
    page.get_by_label("医療機関名（フリガナ）").fill("ﾐﾄﾞﾘﾅｲｶｸﾘﾆｯｸ")
    page.get_by_label("医療法人", exact=True).check()
    page.get_by_label("法人番号").fill("７０００－０１２０－５０００２")
    page.get_by_label("開設者・代表者").fill("緑 一郎")
    page.get_by_label("郵便番号").fill("〒１６０ー００２３")
    page.get_by_label("都道府県").select_option("東京都")
    page.get_by_label("住所（市区町村以降）").fill("新宿区西新宿１－２－３")
    page.get_by_label("電話番号").fill("０３（１２３４）５６７８")
    page.get_by_label("常時使用する従業員数").fill("４０")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("医療機関の情報を保存しました")).to_be_visible()

    walk_wizard(page)
    result = page.locator("main")
    expect(result).to_contain_text("960,000円")
    expect(result).to_contain_text("722,222円")
    expect(result).to_contain_text(f"第5次 {closes.year}年{closes.month}月{closes.day}日")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDFをダウンロード").click()
    pdf = download.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF-")
    assert "みどり内科クリニック" in text.replace("\n", "").replace(" ", "")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("締切をカレンダーに追加")).click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"DTSTART;VALUE=DATE:{closes:%Y%m%d}" in body and body.count("BEGIN:VEVENT") == 2


def test_the_wizard_works_without_javascript(site, browser):
    user = factories.clinic_user(factories.clinic(employees=40))
    context = new_context(browser, java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    login(page, site, user.email, factories.PASSWORD)
    walk_wizard(page, accessible=False)
    expect(page.locator("main")).to_contain_text("960,000円")
    context.close()


def test_a_bad_amount_is_named_and_nothing_typed_is_lost(site, page):
    user = factories.clinic_user(factories.clinic(employees=40))
    login(page, site, user.email, factories.PASSWORD)
    page.get_by_role("button", name="確認を始める").click()
    page.get_by_role("button", name="保存して次へ").click()
    page.get_by_label("セキュリティ対策（セキュリティ対策推進枠）").check()
    page.get_by_role("button", name="保存して次へ").click()
    page.get_by_label("お助け隊サービス利用料（月額）").fill("二万円")
    page.get_by_label("利用月数").fill("24")
    page.get_by_role("button", name="結果を見る").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("入力内容を確認してください")
    expect(summary).to_be_focused()
    expect(page.get_by_label("お助け隊サービス利用料（月額）")).to_have_value("二万円")
    expect(page.get_by_label("利用月数")).to_have_value("24")
    assert_accessible(page)


def test_closing_the_browser_mid_wizard_resumes_where_it_stopped(site, browser):
    user = factories.clinic_user(factories.clinic(employees=3, legal_form="individual"))
    first = new_context(browser)
    page = first.new_page()
    login(page, site, user.email, factories.PASSWORD)
    page.get_by_role("button", name="確認を始める").click()
    page.get_by_role("button", name="保存して次へ").click()
    page.get_by_label("セキュリティ対策（セキュリティ対策推進枠）").check()
    page.get_by_role("button", name="保存して次へ").click()
    # the step is saved once its next page has loaded; closing before that would leave the live
    # server answering it while the next browser logs in (two requests at once on SQLite's one
    # shared in-memory connection fail with "bad parameter or other API misuse")
    expect(page.get_by_role("heading", level=1)).to_have_text("導入予定のITツールと費用")
    first.close()

    second = new_context(browser)
    page = second.new_page()
    login(page, site, user.email, factories.PASSWORD)
    page.get_by_role("link", name="続きから回答する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("導入予定のITツールと費用")
    page.get_by_label("お助け隊サービス利用料（月額）").fill("2万")
    page.get_by_label("利用月数").fill("24")
    page.get_by_role("button", name="結果を見る").click()
    expect(page.locator("main")).to_contain_text("320,000円")  # 480,000 × 2/3 (小規模事業者)
    page.go_back()
    expect(page.get_by_label("お助け隊サービス利用料（月額）")).to_have_value("20,000")
    second.close()


def test_a_user_of_another_association_gets_nothing(site, page, browser):
    owner = factories.clinic_user(factories.clinic(employees=40))
    login(page, site, owner.email, factories.PASSWORD)
    page.get_by_role("button", name="確認を始める").click()
    screening_url = page.url
    for who in (
        factories.staff("大阪府"),
        factories.clinic_user(factories.clinic(prefecture="大阪府")),
    ):
        other = new_context(browser).new_page()
        login(other, site, who.email, factories.PASSWORD)
        response = other.goto(screening_url)
        assert response.status in (403, 404)
        assert owner.clinic.name not in other.content()
        other.goto(f"{site}/staff/members/")
        assert owner.clinic.name not in other.content()
