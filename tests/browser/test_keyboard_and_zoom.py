"""The wizard with the keyboard alone (Tab, Space, typing, Enter), focus always visible; and the
main pages at 200% zoom (a 640 px wide viewport for a 1280 px screen) without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import login, new_context


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector).first
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            outline = target.evaluate("el => getComputedStyle(el).outlineStyle")
            assert outline != "none", f"focus not visible on {selector}"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_the_whole_wizard_works_with_the_keyboard_alone(site, page):
    user = factories.clinic_user(factories.clinic(employees=3, legal_form="individual"))
    login(page, site, user.email, factories.PASSWORD)
    tab_to(page, "button:has-text('確認を始める')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("申請者")
    assert "手順 1 / 5" in page.locator(".progress-text").inner_text()  # progress in words

    tab_to(page, "button:has-text('保存して次へ')")
    page.keyboard.press("Enter")
    tab_to(page, "input[value=security]")
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('保存して次へ')")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("導入予定のITツールと費用")
    tab_to(page, "#id_security-service_monthly_yen")
    page.keyboard.type("２万円")
    page.keyboard.press("Tab")
    page.keyboard.type("24")
    tab_to(page, "button:has-text('結果を見る')")
    page.keyboard.press("Enter")
    main = page.locator("main")
    expect(main).to_contain_text("320,000円")
    expect(main).to_contain_text("要確認")  # words and an icon, not colour alone


@pytest.mark.parametrize("who", ["clinic", "staff"])
def test_main_pages_fit_at_200_percent_zoom(site, browser, who):
    if who == "clinic":
        user = factories.clinic_user(factories.clinic(employees=40))
        paths = ["/screenings/", "/clinic/profile/", "/notices/", "/past-results/", "/rules/"]
    else:
        user = factories.staff()
        factories.clinic(name="とても長い名前の医療法人社団かがやき会 かがやき総合内科クリニック")
        paths = ["/staff/", "/staff/members/", "/staff/notices/", "/staff/members/import/"]
    context = new_context(browser, viewport={"width": 640, "height": 800}, locale="ja-JP")
    page = context.new_page()
    login(page, site, user.email, factories.PASSWORD)
    for path in paths:
        page.goto(site + path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at 200% zoom"
    context.close()
