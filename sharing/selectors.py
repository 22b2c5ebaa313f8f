"""Reads of share links. The clinic's side goes through screening_get_for_user (its own users
only); the vendor's side finds a link by its token alone."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from eligibility.engine.answers import first_missing_step
from eligibility.models import Screening
from eligibility.selectors import (
    ScreeningResult,
    rule_set_for,
    screening_get_for_user,
    screening_result,
    today,
)

from .models import ShareLink, token_digest


def screening_get_shareable(*, user, screening_id: int) -> Screening:
    """A screening of the person's own clinic whose result is complete; 404 otherwise."""
    screening = screening_get_for_user(user=user, screening_id=screening_id, for_edit=True)
    rules = rule_set_for(version=screening.rule_version)
    if first_missing_step(screening.answers, rules) is not None:
        raise Http404("この確認はまだ終わっていません。")
    return screening


def share_link_list_for_screening(*, screening: Screening) -> QuerySet[ShareLink]:
    return screening.share_links.select_related("created_by")


def share_link_get_for_user(*, user, screening_id: int, link_id: int) -> ShareLink:
    """A link of a screening of the person's own clinic; 404 for everyone else."""
    screening = screening_get_for_user(user=user, screening_id=screening_id, for_edit=True)
    link = screening.share_links.filter(pk=link_id).first()
    if link is None:
        raise Http404("共有リンクが見つかりません。")
    return link


def share_link_find(*, token: str) -> ShareLink | None:
    """The link whose token this is, usable or not; None for a token never issued."""
    return ShareLink.objects.filter(token_hash=token_digest(token)).first()


def shared_result(*, link: ShareLink) -> ScreeningResult | None:
    """What the link shows: the screening's result today, as its clinic sees it; None when its
    answers are no longer complete (the clinic is changing them)."""
    screening = (
        Screening.objects.select_related("rule_version", "clinic__association")
        .defer("rule_version__document")
        .get(pk=link.screening_id)
    )
    rules = rule_set_for(version=screening.rule_version)
    if first_missing_step(screening.answers, rules) is not None:
        return None
    return screening_result(screening=screening, as_of=today())
