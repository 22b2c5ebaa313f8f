"""Writes of share links: issue one, revoke it, count its openings."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from accounts.models import User
from eligibility.models import Screening

from .models import ShareLink, token_digest

DEFAULT_DAYS = 14
MIN_DAYS, MAX_DAYS = 1, 90


def share_link_create(
    *, screening: Screening, by: User, days: int = DEFAULT_DAYS
) -> tuple[ShareLink, str]:
    """A new link to ``screening``'s result, usable for ``days`` days, and its token: 256 random
    bits, of which only the digest is stored. The caller shows the token once."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"days must be {MIN_DAYS} to {MAX_DAYS}, not {days}")
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        screening=screening,
        token_hash=token_digest(token),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    link.full_clean()
    link.save()
    return link, token


def share_link_revoke(*, link: ShareLink) -> ShareLink:
    """The link stops opening now; revoking it again changes nothing."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def share_link_opened(*, link: ShareLink, download: bool = False) -> None:
    """Count one opening of the page (or one download of the PDF), in the database itself, so
    that two vendors opening it at once are both counted."""
    counter = "download_count" if download else "view_count"
    ShareLink.objects.filter(pk=link.pk).update(
        **{counter: F(counter) + 1}, last_opened_at=timezone.now()
    )
