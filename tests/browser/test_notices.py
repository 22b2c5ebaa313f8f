"""An association publishes the JMA notice to its members in Chromium: cover message, a PDF,
publish; a member reads it and downloads the file; another association's member sees nothing;
the dashboard counts the reader. axe checks every page on the way."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from announcements.models import Attachment
from announcements.services import notice_jma_ensure
from tests import factories
from tests.announcements.notice_factories import PDF_BYTES
from tests.browser.conftest import assert_accessible, login, new_context

FILE_NAME = "デジタル化・AI導入補助金2026 案内チラシ.pdf"


@pytest.fixture
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    pdf = tmp_path / FILE_NAME
    pdf.write_bytes(PDF_BYTES)
    return pdf


def test_tokyo_publishes_the_jma_notice_and_its_member_reads_it(site, page, browser, uploads):
    notice_jma_ensure()
    staff = factories.staff("東京都")
    tokyo = factories.clinic_user(factories.clinic(name="青葉内科クリニック"))
    osaka = factories.clinic_user(factories.clinic(prefecture="大阪府", name="なにわ病院"))

    staff_page = new_context(browser).new_page()
    login(staff_page, site, staff.email, factories.PASSWORD)
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("東京都医師会 ダッシュボード")
    staff_page.get_by_role("link", name="お知らせ", exact=True).click()
    staff_page.get_by_role("link", name=re.compile("日本医師会の通知.*を会員に送る")).click()
    cover = staff_page.get_by_label("送付状（会員へのメッセージ）")
    expect(cover).to_contain_text("日医発第390号")
    cover.fill("会員の皆さまへ。補助金の締切にご注意ください。")
    assert_accessible(staff_page)
    staff_page.get_by_role("button", name="下書きを保存する").click()
    expect(staff_page.get_by_text("下書きを保存しました")).to_be_visible()
    staff_page.get_by_label("添付するファイル").set_input_files(str(uploads))
    staff_page.get_by_role("button", name="ファイルを添付する").click()
    expect(staff_page.get_by_text(f"「{FILE_NAME}」を添付しました")).to_be_visible()
    assert_accessible(staff_page)
    staff_page.get_by_role("button", name="公開する").click()
    expect(staff_page.get_by_text("利用者1人にお知らせメールを送ります")).to_be_visible()
    assert [m.to for m in mail.outbox] == [[tokyo.email]]
    link = re.search(r"(/notices/\d+/)", mail.outbox[0].body).group(1)

    login(page, site, tokyo.email, factories.PASSWORD)
    page.goto(f"{site}/notices/")
    expect(page.get_by_role("link", name=re.compile("お知らせ.*未読1件"))).to_be_visible()
    expect(page.locator(".notice-item")).to_contain_text("未読")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("デジタル化・AI導入補助金2026について")).click()
    assert page.url == site + link
    main = page.locator("main")
    expect(main).to_contain_text("会員の皆さまへ。補助金の締切にご注意ください。")
    expect(main).to_contain_text("日医発第390号（医経）（情シ）")
    expect(page.get_by_role("heading", name="別添：概要")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("過去の採択結果（2024年"))).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=FILE_NAME).click()
    assert download.value.suggested_filename == FILE_NAME
    assert Path(download.value.path()).read_bytes() == PDF_BYTES
    page.goto(f"{site}/notices/")
    expect(page.locator(".notice-item")).to_contain_text("既読")

    other = new_context(browser).new_page()
    login(other, site, osaka.email, factories.PASSWORD)
    other.goto(f"{site}/notices/")
    expect(other.locator("main")).to_contain_text("現在、お知らせはありません")
    assert "デジタル化・AI導入補助金2026について" not in other.locator("main").inner_text()
    assert other.goto(site + link).status == 404
    attachment = Attachment.objects.get()
    file_url = f"{site}/notices/{attachment.publication_id}/attachments/{attachment.pk}/"
    assert other.context.request.get(file_url).status == 404

    staff_page.goto(f"{site}/staff/")
    reader = staff_page.locator(".stat", has_text="最新のお知らせを読んだ医療機関")
    expect(reader).to_contain_text("1 / 1件")
    assert_accessible(staff_page)
