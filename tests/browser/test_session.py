"""The session ends under the user's hands on the tools step (issue 21): the next estimate
sends the browser to the login page with a message, not the login page pasted into the
wizard; after logging in again the user is back on the step with what was typed."""

from importlib import import_module

from django.conf import settings
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import login

ANSWERS = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["security"],
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "tools_done": True,
}


def end_the_session(page) -> None:
    """What 8 hours without activity do: the server forgets the session."""
    [key] = [
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    ]
    import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).delete()


def test_after_the_session_ends_on_the_tools_step_the_user_is_back_with_what_was_typed(site, page):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = factories.completed_screening(user, ANSWERS)
    login(page, site, user.email, factories.PASSWORD)
    tools = f"{site}/screenings/{screening.pk}/tools/"
    page.goto(tools)
    monthly, months = (
        page.get_by_label("お助け隊サービス利用料（月額）"),
        page.get_by_label("利用月数"),
    )
    monthly.fill("3万円")
    monthly.press("Tab")
    expect(page.locator("#preview")).to_contain_text("補助額 360,000円")  # 1/2 of 30,000円 × 24

    end_the_session(page)
    months.fill("12")
    months.press("Tab")  # the estimate's request finds no session
    expect(page).to_have_url(f"{site}/accounts/login/?next=/screenings/{screening.pk}/tools/")
    expect(
        page.get_by_text("ログインの有効期限が切れました。もう一度ログインしてください。")
    ).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)

    page.get_by_label("メールアドレス").fill(user.email)
    page.get_by_label("パスワード").fill(factories.PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(tools)
    expect(page.get_by_text("ログインし直す前に入力していた内容を戻しました")).to_be_visible()
    expect(monthly).to_have_value("3万円")
    expect(months).to_have_value("12")
    expect(page.locator("#preview")).to_contain_text("補助額 180,000円")  # 1/2 of 30,000円 × 12
    expect(page.locator("h1")).to_have_count(1)
    page.get_by_role("button", name="結果を見る").click()
    expect(page).to_have_url(f"{site}/screenings/{screening.pk}/result/")
    screening.refresh_from_db()
    assert screening.answers["security"] == {"service_monthly_yen": 30_000, "service_months": 12}
