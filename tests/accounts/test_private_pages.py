"""Logged-in pages and downloads are never cached (Cache-Control: private, no-store); the
session slides with activity; an htmx request whose session has ended sends the browser to the
login page, and what was typed in the wizard is back after logging in again (issue 21)."""

import pytest

from accounts.middleware import SEEN, TYPED
from tests import factories

pytestmark = pytest.mark.django_db

ANSWERS = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["security"],
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "tools_done": True,
}


def test_private_pages_and_downloads_are_not_stored(client):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = factories.completed_screening(user, ANSWERS)
    client.force_login(user)
    for url in (
        "/screenings/",
        f"/screenings/{screening.pk}/result/",
        f"/screenings/{screening.pk}/result.pdf",
        f"/screenings/{screening.pk}/deadlines.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = response.get("Cache-Control", "")
        assert "private" in cache_control and "no-store" in cache_control, url


def test_public_pages_keep_their_own_caching(client):
    response = client.get("/rules/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_an_htmx_request_after_the_session_ended_goes_to_the_login_page(client):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = factories.completed_screening(user, ANSWERS)
    url = f"/screenings/{screening.pk}/tools/preview/"
    response = client.post(url, {}, headers={"HX-Request": "true"})  # not logged in
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert b"<form" not in response.content  # nothing to paste into the page
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "ログインの有効期限が切れました。もう一度ログインしてください。" in page
    plain = client.post(url, {})  # without htmx: Django's usual redirect
    assert plain.status_code == 302 and "HX-Redirect" not in plain


def test_the_session_slides_with_activity(client, settings):
    user = factories.clinic_user(factories.clinic(employees=40))
    client.force_login(user)
    session = client.session
    session[SEEN] = 0  # last renewed long ago
    session.save()
    expiry_before = session.get_expiry_date()
    response = client.get("/screenings/")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE  # 8 hours from now, again
    assert client.session.get_expiry_date() > expiry_before
    again = client.get("/screenings/")  # within the minute: no write
    assert settings.SESSION_COOKIE_NAME not in again.cookies


def test_what_was_typed_when_the_session_ended_is_back_after_logging_in(client):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = factories.completed_screening(user, ANSWERS)
    page = f"/screenings/{screening.pk}/tools/"
    typed = {"security-service_monthly_yen": "３万円", "security-service_months": "12"}
    response = client.post(
        f"{page}preview/",
        typed,
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )
    assert response["HX-Redirect"] == f"/accounts/login/?next={page}"
    client.force_login(user)  # logs in within the same browser session
    html = client.get(page).content.decode()
    assert "ログインし直す前に入力していた内容を戻しました" in html
    assert 'value="３万円"' in html and 'value="12"' in html
    assert "errorlist" not in html
    screening.refresh_from_db()
    assert screening.answers["security"]["service_monthly_yen"] == 20_000  # nothing saved
    assert 'value="３万円"' not in client.get(page).content.decode()  # given back once


def test_a_form_posted_after_the_session_ended_is_kept_too(client):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = factories.completed_screening(user, ANSWERS)
    page = f"/screenings/{screening.pk}/tools/"
    response = client.post(page, {"security-service_monthly_yen": "25000"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(user)
    assert 'value="25000"' in client.get(page).content.decode()


def test_other_forms_are_not_kept_across_a_login(client):
    client.post("/clinic/profile/", {"name": "秘密のクリニック"})
    assert TYPED not in client.session
