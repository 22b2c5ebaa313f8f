"""Asking for a password-reset link: limited per e-mail address and per client, and the answer
never tells whether the address is registered or limited."""

import pytest
from django.conf import settings
from django.core import mail

from tests import factories

pytestmark = pytest.mark.django_db


def request_reset(client, email, address="192.0.2.1"):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


def answer(response) -> tuple:
    return response.status_code, response["Location"]


def test_it_sends_the_link_to_a_registered_address(client):
    user = factories.clinic_user()
    response = request_reset(client, user.email)
    assert answer(response) == (302, "/accounts/password_reset/done/")
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_it_sends_the_link_for_the_address_in_capitals(client):
    user = factories.clinic_user()
    request_reset(client, user.email.upper())
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_the_fourth_request_for_one_address_sends_nothing_but_answers_the_same(client):
    user = factories.clinic_user()
    limit = settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    assert limit == 3
    answers = [
        answer(request_reset(client, spelling, address=f"198.51.100.{n}"))
        for n, spelling in enumerate([user.email, user.email.upper()] * 2)
    ]
    assert len(mail.outbox) == limit
    assert answers == [(302, "/accounts/password_reset/done/")] * 4


def test_requests_from_one_client_stop_sending_after_its_limit(client):
    limit = settings.PASSWORD_RESET_LIMIT_PER_CLIENT
    users = [factories.clinic_user() for _ in range(limit + 1)]
    answers = {answer(request_reset(client, user.email)) for user in users}
    assert len(mail.outbox) == limit
    assert answers == {(302, "/accounts/password_reset/done/")}


def test_registered_and_unknown_addresses_get_the_same_answer(client):
    user = factories.clinic_user()
    known = request_reset(client, user.email)
    unknown = request_reset(client, "nobody@example.jp")
    assert answer(known) == answer(unknown)
    assert len(mail.outbox) == 1
    done = client.get(known["Location"])
    assert "入力されたメールアドレスが登録されていれば" in done.content.decode()
