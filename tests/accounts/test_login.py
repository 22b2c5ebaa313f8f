"""Logging in: the e-mail address in any case, and the two lockouts (one account from one
address; one account from any number of addresses)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.utils import timezone

from accounts.models import User
from accounts.throttling import client_address
from tests import factories

pytestmark = pytest.mark.django_db


def log_in(client, email, password=factories.PASSWORD, address="192.0.2.1", **headers):
    return client.post(
        "/accounts/login/",
        {"username": email, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def minutes_later(minutes: int):
    """The clock axes reads, that many minutes (and a second) from now."""
    later = timezone.now() + timedelta(minutes=minutes, seconds=1)
    return mock.patch("axes.handlers.proxy.now", return_value=later)


def test_it_logs_in_with_the_address_in_capitals(client):
    user = factories.clinic_user()
    response = log_in(client, user.email.upper())
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_stores_every_address_in_lower_case():
    user = User.objects.create(email="Aoba@Example.JP")
    assert user.email == "aoba@example.jp"
    user.email = "AOBA@EXAMPLE.JP"
    user.save()
    user.refresh_from_db()
    assert user.email == "aoba@example.jp"


def test_an_address_differing_only_in_case_is_already_registered():
    user = factories.clinic_user()
    twin = User(email=user.email.upper())
    twin.set_password(factories.PASSWORD)
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "email" in error.value.message_dict


def test_failures_with_the_address_in_any_case_count_for_one_account(client):
    user = factories.clinic_user()
    for n in range(settings.AXES_FAILURE_LIMIT):
        spelling = user.email[:n] + user.email[n].upper() + user.email[n + 1 :]
        log_in(client, spelling, "wrong-password")
    assert log_in(client, user.email).status_code == 429


def test_failures_from_many_addresses_lock_the_account(client):
    user = factories.clinic_user()
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        log_in(client, user.email, "wrong-password", address=f"198.51.100.{n}")
    locked = log_in(client, user.email, address="203.0.113.9")
    assert locked.status_code == 429
    assert "ログインを一時的に停止しています" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_failure_that_reaches_the_account_limit_answers_with_the_lock_page(client):
    user = factories.clinic_user()
    answers = [
        log_in(client, user.email, "wrong-password", address=f"198.51.100.{n}").status_code
        for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.LOGIN_ACCOUNT_FAILURE_LIMIT - 1) + [429]


def test_the_account_lock_ends_after_its_short_cool_off(client):
    user = factories.clinic_user()
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        log_in(client, user.email, "wrong-password", address=f"198.51.100.{n}")
    with minutes_later(settings.LOGIN_ACCOUNT_COOLOFF_MINUTES):
        response = log_in(client, user.email, address="203.0.113.9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_one_address_stays_locked_after_the_account_cool_off(client):
    user = factories.clinic_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.email, "wrong-password")
    with minutes_later(settings.LOGIN_ACCOUNT_COOLOFF_MINUTES):
        assert log_in(client, user.email, address="203.0.113.9").status_code == 302
        client.logout()
        assert log_in(client, user.email).status_code == 429


@override_settings(CLIENT_PROXY_COUNT=1)
def test_behind_a_proxy_the_lockout_counts_the_address_the_proxy_saw(client):
    user = factories.clinic_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.email, "wrong", "127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    elsewhere = log_in(client, user.email, address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert elsewhere.status_code == 302


@pytest.mark.parametrize(
    ("proxy_count", "remote_addr", "forwarded_for", "expected"),
    [
        pytest.param(0, "192.0.2.1", "203.0.113.9", "192.0.2.1", id="no-proxy-header-ignored"),
        pytest.param(1, "127.0.0.1", "203.0.113.9", "203.0.113.9", id="one-proxy"),
        pytest.param(1, "127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9", id="spoofed-left"),
        pytest.param(2, "10.0.0.2", "203.0.113.9, 10.0.0.1", "203.0.113.9", id="two-proxies"),
        pytest.param(1, "127.0.0.1", None, "127.0.0.1", id="no-header"),
        pytest.param(2, "10.0.0.2", "203.0.113.9", "10.0.0.2", id="header-too-short"),
        pytest.param(1, "127.0.0.1", "unknown", "127.0.0.1", id="not-an-address"),
        pytest.param(1, "127.0.0.1", "2001:db8::1", "2001:db8::1", id="ipv6"),
    ],
)
def test_the_client_address_is_the_one_the_outermost_proxy_saw(
    settings, proxy_count, remote_addr, forwarded_for, expected
):
    settings.CLIENT_PROXY_COUNT = proxy_count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)
    assert client_address(request) == expected
