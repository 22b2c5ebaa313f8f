"""Writes of the clinics app: profiles, invitations and requests to join."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from announcements.models import Email
from announcements.outbox import emails_queue

from .models import Association, Clinic, Invitation, JoinRequest
from .prefectures import PREFECTURES, association_name


def clinic_update(*, clinic: Clinic, **fields) -> Clinic:
    for name, value in fields.items():
        setattr(clinic, name, value)
    clinic.full_clean()
    clinic.save()
    return clinic


def invitation_create(
    *,
    association: Association,
    email: str,
    clinic_name: str = "",
    clinic: Clinic | None = None,
    by: User | None,
    accept_url_for,
) -> Invitation:
    """Create a single-use, expiring invitation and e-mail its link.

    ``accept_url_for(token)`` turns the token into an absolute URL (the view knows the host)."""
    if clinic is not None and clinic.association_id != association.pk:
        raise ValueError("clinic of another association")
    invitation = Invitation(
        association=association,
        email=email.lower(),
        clinic=clinic,
        clinic_name=clinic.name if clinic else clinic_name,
        created_by=by,
    )
    invitation.full_clean()
    invitation.save()
    expires = timezone.localtime(invitation.expires_at)
    # through the outbox: a bulk invitation of an imported member list is sent by the worker,
    # each e-mail recorded (announcements.outbox), not inside the staff's request
    emails_queue(
        [
            Email(
                to=invitation.email,
                subject=f"【補助金ナビ】{association.name}からのご招待",
                body=(
                    f"{invitation.clinic_name or '医療機関'} ご担当者様\n\n"
                    f"{association.name}から、補助金ナビ（デジタル化・AI導入補助金2026の申請可否ナビ）への"
                    "ご招待が届いています。次のリンクからパスワードを設定し、医療機関の情報をご登録ください。\n\n"
                    f"{accept_url_for(invitation.token)}\n\n"
                    f"このリンクは{expires.year}年{expires.month}月{expires.day}日まで、1回だけ使えます。\n\n"
                    f"{association.name} 事務局"
                    + (f"（{association.contact_phone}）" if association.contact_phone else "")
                ),
            )
        ]
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, name: str, password: str) -> User:
    """Create the clinic user (and the clinic, if the invitation was for a new member)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValueError("invitation already used or expired")
    clinic = invitation.clinic
    if clinic is None:
        clinic = Clinic.objects.create(
            association=invitation.association, name=invitation.clinic_name or "（未登録）"
        )
    user = User.objects.create_user(invitation.email, password, name=name, clinic=clinic)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def join_request_create(*, association: Association, **fields) -> JoinRequest:
    join_request = JoinRequest(association=association, **fields)
    join_request.full_clean()
    join_request.save()
    return join_request


@transaction.atomic
def join_request_decide(
    *, join_request: JoinRequest, approve: bool, by: User, accept_url_for
) -> JoinRequest:
    """Approve (an invitation is e-mailed) or reject (the person is told) a request to join."""
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REJECTED
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.save()
    if approve:
        invitation_create(
            association=join_request.association,
            email=join_request.email,
            clinic_name=join_request.clinic_name,
            by=by,
            accept_url_for=accept_url_for,
        )
    else:
        send_mail(
            subject=f"【補助金ナビ】{join_request.association.name}への登録のお申し出について",
            message=(
                f"{join_request.contact_name} 様\n\n"
                f"{join_request.clinic_name}様からの補助金ナビへの登録のお申し出は、"
                "今回は承認されませんでした。ご不明な点は医師会事務局へお問い合わせください。\n\n"
                f"{join_request.association.name} 事務局"
            ),
            from_email=None,
            recipient_list=[join_request.email],
        )
    return join_request


def associations_ensure() -> None:
    """The 47 associations (a data migration creates them; this restores them after a flush)."""
    if Association.objects.exists():
        return
    Association.objects.bulk_create(
        Association(prefecture_code=code, prefecture=name, name=association_name(name))
        for code, name in enumerate(PREFECTURES, 1)
    )


def user_deadline_reminders_set(*, user, wanted: bool) -> None:
    user.deadline_reminders = wanted
    user.save(update_fields=["deadline_reminders"])


def clinic_new_round_notice_set(*, clinic: Clinic, wanted: bool) -> None:
    """Record (or withdraw) the clinic's wish to hear when a new round is published. Written
    with update(): the wish is not part of the profile (its updated_at keys the result PDF)."""
    when = timezone.now() if wanted else None
    Clinic.objects.filter(pk=clinic.pk).update(new_round_notice=when)
    clinic.new_round_notice = when
