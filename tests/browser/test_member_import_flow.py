"""Staff import a member list in Chromium (issue 20, items 16 and 17): errors show the file's
value, a headcount in kanji is read with a note, the e-mail column is kept, and every imported
member with an address is invited in one action, once."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, login

CSV = (
    "医療機関名,開設主体,法人番号,電話番号,従業員数,メールアドレス\n"
    "青葉内科クリニック,医療法人,8011105000001,03-1234-5678,三十,aoba@example.jp\n"
    "壊れた医院,医療法人,1234567890123,03-3333-4444,5,\n"
)


def test_staff_import_see_the_values_and_invite_every_member_once(site, page, tmp_path):
    staff = factories.staff("東京都")
    path = tmp_path / "名簿.csv"
    path.write_text(CSV, encoding="utf-8")
    login(page, site, staff.email, factories.PASSWORD)
    page.goto(f"{site}/staff/members/import/")
    page.get_by_label(re.compile("会員名簿のファイル")).set_input_files(str(path))
    page.get_by_role("button", name="読み込んで内容を確認する").click()

    main = page.locator("main")
    expect(main).to_contain_text("（ファイルの値：「1234567890123」）")  # the bad 法人番号 itself
    expect(main).to_contain_text("従業員数の「三十」を30人と読みました。")
    expect(main).to_contain_text("aoba@example.jp")
    assert_accessible(page)
    page.get_by_label("エラーの行を除いて取り込む").check()
    page.get_by_role("button", name="取り込む", exact=True).click()
    expect(main).to_contain_text("取り込みが完了しました")

    page.get_by_role("button", name="1件に招待メールを送る").click()
    expect(page.get_by_text("招待メールを1件送りました。")).to_be_visible()
    page.get_by_role("button", name="1件に招待メールを送る").click()
    expect(page.get_by_text(re.compile("招待メールを0件送りました。1件は"))).to_be_visible()
    assert [m.to for m in mail.outbox] == [["aoba@example.jp"]]


def test_a_missing_page_is_japanese_inside_the_site(site, page):
    page.goto(f"{site}/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    expect(page.get_by_role("link", name="ホームへ戻る")).to_be_visible()
    assert_accessible(page)
