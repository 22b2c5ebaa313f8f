"""Issuing a link: an unguessable token, of which only the digest is kept."""

import hashlib

import pytest

from sharing.selectors import share_link_find
from sharing.services import share_link_create

pytestmark = pytest.mark.django_db


def test_a_token_has_256_random_bits_and_only_its_digest_is_stored(screening, user):
    link, token = share_link_create(screening=screening, by=user)
    _, other = share_link_create(screening=screening, by=user)
    assert len(token) == 43 and token != other  # token_urlsafe(32): 32 bytes
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert share_link_find(token=token) == link
    assert share_link_find(token=link.token_hash) is None  # the digest opens nothing


@pytest.mark.parametrize("days", [0, 91])
def test_it_refuses_a_period_outside_1_to_90_days(screening, user, days):
    with pytest.raises(ValueError):
        share_link_create(screening=screening, by=user, days=days)
