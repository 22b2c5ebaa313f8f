"""Reads of notices. Who sees what is decided here, once, from the acting user:

- association staff: every publication of their own association (drafts included);
- clinic users: their association's publications that are published and due (``publish_at``
  reached), never drafts nor withdrawn ones;
- everyone else: nothing (404).

The staff dashboard's figures are aggregate queries: the number of queries does not grow with
the number of members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from clinics.models import Association, Clinic
from eligibility.engine import NO_OPEN_ROUND, next_open_round
from eligibility.models import Screening
from eligibility.selectors import rule_set_for, rule_version_published

from .models import Attachment, Email, Notice, Publication, ReadReceipt, Reminder

JMA_NOTICE_KEY = "jma-2026-390"


# --- national notices ------------------------------------------------------------------------


def notice_jma() -> Notice | None:
    return Notice.objects.filter(key=JMA_NOTICE_KEY).first()


def notice_list() -> QuerySet[Notice]:
    return Notice.objects.all()


@dataclass(frozen=True)
class OutlineFrame:
    frame: object  # eligibility.engine.types.FrameRules
    rates: list
    amounts: list
    next_round: object | None


@dataclass(frozen=True)
class ScheduleGroup:
    frame_names: list[str]
    rounds: tuple
    next_round: object | None


@dataclass(frozen=True)
class NoticeOutline:
    """「別添：概要」: the frames, rates, caps and deadline rounds of the published rule
    version (the figures are the rule data's, never copied into the notice)."""

    label: str
    programme: str
    frames: list[OutlineFrame]
    schedule: list[ScheduleGroup]
    today: date
    no_open_round: str = NO_OPEN_ROUND

    @property
    def any_open(self) -> bool:
        return any(group.next_round for group in self.schedule)


def notice_outline(*, as_of: date | None = None) -> NoticeOutline | None:
    version = rule_version_published()
    if version is None:
        return None
    rules = rule_set_for(version=version)
    as_of = as_of or timezone.localdate()
    frames = []
    groups: dict[tuple, tuple[tuple, list[str]]] = {}  # frames that share the same rounds
    for frame in rules.frames.values():
        params = list(frame.params.values())
        frames.append(
            OutlineFrame(
                frame=frame,
                rates=[p for p in params if p.kind == "rate"],
                amounts=[p for p in params if p.kind == "yen"],
                next_round=next_open_round(frame.rounds, as_of),
            )
        )
        if frame.rounds:
            key = tuple((r.number, r.closes_on) for r in frame.rounds)
            groups.setdefault(key, (frame.rounds, []))[1].append(frame.name)
    schedule = [
        ScheduleGroup(names, rounds, next_open_round(rounds, as_of))
        for rounds, names in groups.values()
    ]
    return NoticeOutline(rules.label, rules.programme, frames, schedule, as_of)


# --- publications: staff ---------------------------------------------------------------------


def publication_list_for_staff(*, user) -> QuerySet[Publication]:
    """The staff's own association's publications, newest first, with read counts."""
    if not user.is_authenticated or not user.is_association_staff:
        return Publication.objects.none()
    return (
        Publication.objects.filter(association_id=user.association_id)
        .select_related("notice")
        .annotate(
            read_clinics=Count("receipts__user__clinic", distinct=True),
            read_users=Count("receipts", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def publication_get_for_staff(*, user, publication_id: int) -> Publication:
    publication = (
        Publication.objects.filter(association_id=user.association_id, pk=publication_id)
        .select_related("notice", "association")
        .first()
        if user.is_authenticated and user.is_association_staff
        else None
    )
    if publication is None:
        raise Http404("お知らせが見つかりません。")
    return publication


def publication_read_counts(*, publication: Publication) -> dict[str, int]:
    """How many member clinics (any of their users) and people have read it."""
    return ReadReceipt.objects.filter(
        publication=publication, user__clinic__association_id=publication.association_id
    ).aggregate(clinics=Count("user__clinic", distinct=True), users=Count("id"))


# --- publications: members -------------------------------------------------------------------


def publication_visible_to(*, user) -> QuerySet[Publication]:
    """What a clinic user may read: their association's published, due notices."""
    if not user.is_authenticated or not user.is_clinic_user:
        return Publication.objects.none()
    return Publication.objects.filter(
        association__clinics__id=user.clinic_id,
        status=Publication.Status.PUBLISHED,
        publish_at__lte=timezone.now(),
    )


def publication_list_for_member(*, user) -> QuerySet[Publication]:
    """Newest first, each marked read or not for this person."""
    read = ReadReceipt.objects.filter(publication=OuterRef("pk"), user_id=user.pk)
    return (
        publication_visible_to(user=user)
        .select_related("association", "notice")
        .annotate(is_read=Exists(read), attachment_count=Count("attachments"))
        .order_by("-publish_at", "-id")
    )


def publication_get_for_member(*, user, publication_id: int) -> Publication:
    publication = (
        publication_visible_to(user=user)
        .select_related("association", "notice")
        .filter(pk=publication_id)
        .first()
    )
    if publication is None:
        raise Http404("お知らせが見つかりません。")
    return publication


UNREAD_CACHE_SECONDS = 60


def _unread_key(user_id: int) -> str:
    return f"unread-notices:{user_id}"


def unread_count(*, user) -> int:
    """Notices this clinic user has not opened yet (0 for anyone else), for the menu on every
    page. Kept in the cache for a minute: opening, publishing, withdrawing or e-mailing a notice
    clears it (unread_forget), so only a notice scheduled for later shows up to a minute late
    where the cron job has not e-mailed it yet."""
    if not user.is_authenticated or not user.is_clinic_user:
        return 0
    count = cache.get(_unread_key(user.pk))
    if count is None:
        read = ReadReceipt.objects.filter(publication=OuterRef("pk"), user_id=user.pk)
        count = publication_visible_to(user=user).exclude(Exists(read)).count()
        cache.set(_unread_key(user.pk), count, UNREAD_CACHE_SECONDS)
    return count


def unread_forget(*, user_ids) -> None:
    """Drop the cached unread counts of these users; the next page counts again."""
    cache.delete_many([_unread_key(user_id) for user_id in user_ids])


def attachment_list(*, publication: Publication) -> QuerySet[Attachment]:
    return publication.attachments.all()


def attachment_get_for_user(*, user, publication_id: int, attachment_id: int) -> Attachment:
    """A file of a notice this person may read: their association's staff (any state), or its
    clinic users once the notice is published and due. 404 for everyone else."""
    if user.is_authenticated and user.is_association_staff:
        publications = Publication.objects.filter(association_id=user.association_id)
    else:
        publications = publication_visible_to(user=user)
    attachment = Attachment.objects.filter(
        pk=attachment_id, publication_id=publication_id, publication__in=publications
    ).first()
    if attachment is None:
        raise Http404("ファイルが見つかりません。")
    return attachment


# --- the staff dashboard ---------------------------------------------------------------------


def publication_latest_live(*, association: Association) -> Publication | None:
    """The association's latest notice that members can see now."""
    return (
        Publication.objects.filter(
            association=association,
            status=Publication.Status.PUBLISHED,
            publish_at__lte=timezone.now(),
        )
        .order_by("-publish_at", "-id")
        .first()
    )


def members_with_progress(
    *, association: Association, publication: Publication | None
) -> QuerySet[Clinic]:
    """The association's members, each annotated with: has read ``publication`` (any of its
    users), has screened (a completed screening), has users, and the total subsidy of its
    latest completed screening."""
    completed = Screening.objects.filter(clinic=OuterRef("pk"), completed_at__isnull=False)
    if publication is None:
        has_read = Value(False, output_field=BooleanField())
    else:
        has_read = Exists(
            ReadReceipt.objects.filter(publication=publication, user__clinic=OuterRef("pk"))
        )
    latest_total = completed.order_by("-completed_at", "-id").values("total_subsidy_yen")[:1]
    return (
        Clinic.objects.filter(association=association)
        .annotate(
            has_read=has_read,
            has_screened=Exists(completed),
            has_users=Exists(User.objects.filter(clinic=OuterRef("pk"), is_active=True)),
            latest_total_yen=Subquery(latest_total),
        )
        .order_by("name_kana", "id")
    )


def members_to_follow_up(
    *, association: Association, publication: Publication | None
) -> QuerySet[Clinic]:
    """Members that have not read the latest notice or have not screened themselves, each with
    ``last_reminded_at``: when the staff's last reminder e-mail went to it (None if never)."""
    members = members_with_progress(association=association, publication=publication)
    last_reminded = Reminder.clinics.through.objects.filter(clinic=OuterRef("pk")).order_by(
        "-reminder__sent_at"
    )
    members = members.annotate(
        last_reminded_at=Subquery(last_reminded.values("reminder__sent_at")[:1])
    )
    if publication is None:
        return members.filter(has_screened=False)
    return members.filter(Q(has_read=False) | Q(has_screened=False))


@dataclass
class Dashboard:
    association: Association
    publication: Publication | None
    members: int = 0
    read: int = 0
    screened: int = 0
    follow_up: int = 0
    follow_up_reachable: int = 0  # of those, members with at least one active user
    last_reminder: Reminder | None = None  # with ``members``: how many it went to
    total_subsidy_yen: int = 0


def dashboard_for_staff(*, user) -> Dashboard:
    """The staff's association in figures, from three aggregate queries whatever its size (the
    funnel, per frame included, is announcements.funnel's)."""
    association = user.association
    publication = publication_latest_live(association=association)
    members = members_with_progress(association=association, publication=publication)
    needs_follow_up = Q(has_screened=False)
    if publication is not None:
        needs_follow_up |= Q(has_read=False)
    figures = members.order_by().aggregate(
        members=Count("pk"),
        read=Count("pk", filter=Q(has_read=True)),
        screened=Count("pk", filter=Q(has_screened=True)),
        follow_up=Count("pk", filter=needs_follow_up),
        follow_up_reachable=Count("pk", filter=needs_follow_up & Q(has_users=True)),
        total=Sum("latest_total_yen"),
    )
    last_reminder = (
        association.reminders.annotate(members=Count("clinics")).order_by("-sent_at").first()
    )
    return Dashboard(
        association=association,
        last_reminder=last_reminder,
        publication=publication,
        members=figures["members"],
        read=figures["read"],
        screened=figures["screened"],
        follow_up=figures["follow_up"],
        follow_up_reachable=figures["follow_up_reachable"],
        total_subsidy_yen=figures["total"] or 0,
    )


FOLLOW_UP_HEADER = [
    "医療機関名",
    "フリガナ",
    "開設主体",
    "開設者・代表者",
    "電話番号",
    "最新のお知らせ",
    "申請可否の確認",
    "補助金ナビの利用者",
]


def follow_up_rows(*, association: Association) -> Iterator[list]:
    """The members to follow up, as rows for a CSV or a workbook (header first), read in
    chunks so that memory stays flat."""
    publication = publication_latest_live(association=association)
    members = members_to_follow_up(association=association, publication=publication)
    legal_forms = dict(Clinic.LegalFormCode.choices)
    yield FOLLOW_UP_HEADER
    fields = ("name", "name_kana", "legal_form", "representative", "phone")
    rows = members.values_list(*fields, "has_read", "has_screened", "has_users")
    for name, kana, legal_form, representative, phone, read, screened, users in rows.iterator(
        chunk_size=2000
    ):
        yield [
            name,
            kana,
            legal_forms.get(legal_form, ""),
            representative,
            phone,
            ("既読" if read else "未読") if publication else "お知らせなし",
            "確認済み" if screened else "未確認",
            "登録あり" if users else "未登録",
        ]


def publication_failed_emails(*, publication: Publication) -> list[Email]:
    """The notice's e-mails that could not be sent, with the member each was for."""
    return list(
        publication.emails.filter(status=Email.Status.FAILED)
        .select_related("user__clinic")
        .order_by("pk")
    )
