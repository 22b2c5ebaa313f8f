"""Every error a person can meet is a Japanese page inside the site's layout with the way back,
with DEBUG off (as the test client runs): 400, 403, CSRF failure, 404 and 500."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import path

from config import urls as site_urls
from tests import factories

pytestmark = pytest.mark.django_db


def _raise(error):
    def view(request):
        raise error

    return view


urlpatterns = [
    path("boom/", _raise(RuntimeError("壊れた"))),
    path("forbidden/", _raise(PermissionDenied())),
    path("bad/", _raise(SuspiciousOperation("おかしな要求"))),
    *site_urls.urlpatterns,  # the site's own, for the layout's links
]


def assert_japanese_page(response, status, title):
    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="ja">' in html and f'<h1 id="error-heading">{title}</h1>' in html
    assert "ホームへ戻る" in html and "補助金ナビ" in html
    assert "Not Found" not in html and "Server Error" not in html and "Forbidden" not in html


def test_a_missing_page(client, settings):
    assert settings.DEBUG is False
    client.force_login(factories.clinic_user())
    response = client.get("/no-such-page/")
    assert_japanese_page(response, 404, "ページが見つかりません")
    assert "申請可否の確認" in response.content.decode()  # the site's own menu


def test_another_roles_page_is_forbidden_in_japanese(client):
    client.force_login(factories.clinic_user())
    response = client.get("/rules/admin/")
    assert_japanese_page(response, 403, "このページを見る権限がありません")


@override_settings(ROOT_URLCONF=__name__)
def test_permission_denied_and_bad_requests(client):
    assert_japanese_page(client.get("/forbidden/"), 403, "このページを見る権限がありません")
    assert_japanese_page(client.get("/bad/"), 400, "リクエストを処理できませんでした")


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_a_japanese_page_that_needs_nothing_from_the_database():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert_japanese_page(response, 500, "エラーが発生しました")


def test_a_form_sent_without_its_csrf_token(client):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a@example.jp", "password": "x"})
    assert_japanese_page(response, 403, "送信を受け付けられませんでした")
