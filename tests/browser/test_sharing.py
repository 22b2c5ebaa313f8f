"""A clinic hands its result to its IT導入支援事業者 (vendor) with a share link: the vendor
reads the page and downloads the PDF without an account, until the clinic revokes the link."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, login, new_context
from tests.sharing.conftest import ANSWERS


def test_a_vendor_reads_a_shared_result_until_the_clinic_revokes_it(site, page, browser):
    user = factories.clinic_user(factories.clinic(name="青葉内科クリニック", employees=40))
    screening = factories.completed_screening(user, ANSWERS, name="A社の見積り")
    login(page, site, user.email, factories.PASSWORD)
    page.goto(f"{site}/screenings/{screening.pk}/result/")
    page.get_by_role("link", name="IT導入支援事業者に共有する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IT導入支援事業者に共有する")
    page.get_by_label("有効期間（日数）").fill("7")
    page.get_by_role("button", name="共有リンクを発行する").click()
    expect(page.get_by_text("このURLは今だけ表示されます。")).to_be_visible()
    shared_url = page.get_by_label(re.compile("^共有URL")).input_value()
    assert re.fullmatch(rf"{re.escape(site)}/share/[A-Za-z0-9_-]{{43}}/", shared_url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.get_by_role("button", name="URLをコピーする").click()
    expect(page.get_by_role("status").filter(has_text="コピーしました。")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == shared_url
    assert_accessible(page)

    vendor = new_context(browser).new_page()  # no login
    vendor.goto(shared_url)
    expect(vendor.locator("table.summary")).to_contain_text("セキュリティ対策推進枠")
    expect(vendor.locator("#frame-security .figure")).to_have_text("240,000円")
    expect(vendor.get_by_role("link", name="ログイン")).to_have_count(0)
    assert_accessible(vendor)
    with vendor.expect_download() as download:
        vendor.get_by_role("link", name="PDFをダウンロード").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    pdf = vendor.context.request.get(f"{shared_url}result.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    page.goto(f"{site}/screenings/{screening.pk}/share/")
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("ページ 1回・PDF 2回")
    expect(page.get_by_text("このURLは今だけ表示されます。")).to_have_count(0)
    row.get_by_role("button", name=re.compile("^無効にする")).click()
    expect(page.get_by_text("共有リンクを無効にしました。")).to_be_visible()
    expect(page.locator("table tbody tr").first).to_contain_text("無効にしました")

    vendor.reload()
    expect(vendor.get_by_role("heading", level=1)).to_have_text("この共有リンクは無効です")
    expect(vendor.locator("main")).not_to_contain_text("240,000円")
    assert_accessible(vendor)
