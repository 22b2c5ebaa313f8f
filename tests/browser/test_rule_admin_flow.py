"""A rule administrator announces a new deadline round in the browser, without a code change:
clone the published version, add 第5次 for 通常枠, read the diff and the impact, publish; the
clinic's next screening shows the new deadline, and its PDF says so too."""

import io
import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from eligibility.services import screening_complete, screening_create
from tests import factories
from tests.browser.conftest import assert_accessible, login, new_context


def jp(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_a_new_round_is_published_and_the_clinic_sees_it(site, page, browser):
    clinic = factories.clinic(name="影響確認内科クリニック", employees=40)
    clinic_user = factories.clinic_user(clinic)
    before = screening_create(clinic=clinic, name="通常枠の見積り", by=clinic_user)
    before.answers = {
        "legal_form": "medical_corporation",
        "employees": 40,
        "goals": ["normal"],
        "normal": {"tools": ["web_reservation"], "purchase_yen": 1_000_000},
        "minimum_wage_near": False,
        "tools_done": True,
    }
    before.save()
    screening_complete(screening=before, as_of=timezone.localdate())
    closes = timezone.localdate() + timedelta(days=60)

    login(page, site, factories.rule_admin().email, factories.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("ルールの版")
    assert_accessible(page)
    page.get_by_label("新しい版の名前").fill("2026.2")
    page.get_by_role("button", name="複製して下書きを作る").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026.2")

    rounds = page.locator("#section-rounds-normal")
    rounds.locator("summary").click()
    new_row = rounds.locator("tr.new-row")
    new_row.locator("input[type=date]").fill(closes.isoformat())
    new_row.locator("textarea").fill("事務局の発表（第5次公募）")
    rounds.get_by_role("button", name=re.compile("保存する")).click()
    diff = page.locator("#diff")
    expect(diff).to_contain_text(f"通常枠 第5次締切 {jp(closes)} を追加")
    assert_accessible(page)

    page.get_by_role("link", name="公開した場合の影響を確認する").click()
    expect(page.locator("main")).to_contain_text("影響確認内科クリニック")
    assert_accessible(page)
    page.get_by_role("button", name="版 2026.2 を公開する").click()
    expect(page.locator("main")).to_contain_text("公開中")

    clinic_page = new_context(browser).new_page()
    login(clinic_page, site, clinic_user.email, factories.PASSWORD)
    clinic_page.get_by_label("名前", exact=True).fill("第5次に向けて")
    clinic_page.get_by_role("button", name="確認を始める").click()
    clinic_page.get_by_role("button", name="保存して次へ").click()
    clinic_page.get_by_label("業務の効率化・DX（通常枠）").check()
    clinic_page.get_by_role("button", name="保存して次へ").click()
    clinic_page.get_by_label(re.compile("Web予約・問診")).check()
    clinic_page.get_by_label("ソフトウェア購入費").fill("100万円")
    clinic_page.get_by_role("button", name="保存して次へ").click()
    clinic_page.get_by_label("いいえ").first.check()
    clinic_page.get_by_role("button", name="結果を見る").click()
    result = clinic_page.locator("main")
    expect(result).to_contain_text(f"第5次 {jp(closes)}")
    expect(result).to_contain_text("500,000円")

    with clinic_page.expect_download() as download:
        clinic_page.get_by_role("link", name="PDFをダウンロード").click()
    data = download.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert data.startswith(b"%PDF-")
    assert "影響確認内科クリニック" in flat and "500,000円" in flat
    assert f"第5次{jp(closes)}" in flat

    clinic_page.goto(f"{site}/screenings/")
    expect(clinic_page.locator("main")).to_contain_text("通常枠の見積り")
