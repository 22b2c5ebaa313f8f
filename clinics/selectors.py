"""Reads of associations and clinics. Visibility is decided here, once: a clinic user sees
only their clinic, association staff only their association's members."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Clinic, Invitation, JoinRequest
from .normalize import kana, text


def clinic_visible_to(*, user) -> QuerySet[Clinic]:
    if not user.is_authenticated:
        return Clinic.objects.none()
    if user.is_association_staff:
        return Clinic.objects.filter(association_id=user.association_id)
    if user.is_clinic_user:
        return Clinic.objects.filter(pk=user.clinic_id)
    return Clinic.objects.none()


def clinic_get_for_user(*, user, clinic_id: int) -> Clinic:
    """The clinic if this person may see it; 404 otherwise (another tenant's ids stay secret)."""
    clinic = clinic_visible_to(user=user).select_related("association").filter(pk=clinic_id).first()
    if clinic is None:
        raise Http404("医療機関が見つかりません。")
    return clinic


def clinic_list_for_staff(
    *, user, query: str = "", legal_form: str = "", screened: str = ""
) -> QuerySet[Clinic]:
    """Members of the staff member's association, searched by name or kana and filtered."""
    clinics = clinic_visible_to(user=user) if user.is_association_staff else Clinic.objects.none()
    # PostgreSQL refuses NUL in a query (a 500); no stored value holds one, the forms refuse it
    query, legal_form = text(query).replace("\x00", ""), legal_form.replace("\x00", "")
    if query:
        clinics = clinics.filter(Q(name__icontains=query) | Q(name_kana__icontains=kana(query)))
    if legal_form:
        clinics = clinics.filter(legal_form=legal_form)
    if screened in ("yes", "no"):
        has_screening = Q(screenings__isnull=False)
        clinics = (
            clinics.filter(has_screening) if screened == "yes" else clinics.exclude(has_screening)
        )
        clinics = clinics.distinct()
    return clinics.select_related("association").order_by("name_kana", "id")


def invitation_get_usable(*, token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("association", "clinic").filter(token=token).first()
    )
    return invitation if invitation and invitation.is_usable else None


def join_request_list_for_staff(*, user) -> QuerySet[JoinRequest]:
    if not user.is_association_staff:
        return JoinRequest.objects.none()
    return JoinRequest.objects.filter(association_id=user.association_id)


def join_request_get_for_staff(*, user, request_id: int) -> JoinRequest:
    join_request = join_request_list_for_staff(user=user).filter(pk=request_id).first()
    if join_request is None:
        raise Http404("申し出が見つかりません。")
    return join_request
