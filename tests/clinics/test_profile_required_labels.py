"""A field required only for some answers does not say （任意） (issue 20, item 13)."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_corporate_number_says_when_it_is_required(client):
    client.force_login(factories.clinic_user())
    html = client.get("/clinic/profile/").content.decode()
    label = html[html.index('for="id_corporate_number"') :][:200]
    assert "（法人は必須）" in label and "（任意）" not in label
