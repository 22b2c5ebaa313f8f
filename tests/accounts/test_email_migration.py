"""The migration that puts every stored e-mail address in lower case."""

from importlib import import_module

import pytest
from django.apps import apps

from accounts.models import User
from tests import factories

migration = import_module("accounts.migrations.0003_lowercase_emails")


def test_addresses_differing_only_in_case_collide():
    emails = ["Aoba@example.jp", "sakura@example.jp", "aoba@example.jp", "SAKURA@example.jp"]
    assert migration.colliding_emails(emails) == [
        ["Aoba@example.jp", "aoba@example.jp"],
        ["SAKURA@example.jp", "sakura@example.jp"],
    ]


def test_distinct_addresses_do_not_collide():
    assert migration.colliding_emails(["aoba@example.jp", "Naniwa@example.jp"]) == []


@pytest.mark.django_db
def test_it_lowercases_stored_addresses():
    user = factories.clinic_user()
    User.objects.filter(pk=user.pk).update(email="Aoba@Example.JP")  # as saved before
    migration.lowercase_emails(apps, schema_editor=None)
    user.refresh_from_db()
    assert user.email == "aoba@example.jp"


@pytest.mark.django_db
def test_it_stops_naming_the_accounts_that_would_collide():
    first, second = factories.clinic_user(), factories.clinic_user()
    User.objects.filter(pk=first.pk).update(email="Aoba@example.jp")
    User.objects.filter(pk=second.pk).update(email="aoba@EXAMPLE.jp")
    with pytest.raises(RuntimeError, match=r"Aoba@example\.jp, aoba@EXAMPLE\.jp"):
        migration.lowercase_emails(apps, schema_editor=None)
    assert set(
        User.objects.filter(pk__in=[first.pk, second.pk]).values_list("email", flat=True)
    ) == {
        "Aoba@example.jp",
        "aoba@EXAMPLE.jp",
    }
