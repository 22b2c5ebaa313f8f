"""Logged-in pages and downloads are never cached (Cache-Control: private, no-store), and an
htmx request whose session has ended sends the browser to the login page (issue 21)."""

import pytest

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
