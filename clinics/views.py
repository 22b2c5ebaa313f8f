from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import clinic_user_required, staff_required
from eligibility.models import LegalFormCode
from eligibility.selectors import screening_changes_count_for_association

from . import services
from .forms import AcceptInvitationForm, ClinicProfileForm, InvitationForm, JoinRequestForm
from .prefectures import prefecture_warning
from .selectors import (
    clinic_get_for_user,
    clinic_list_for_staff,
    invitation_get_usable,
    join_request_get_for_staff,
    join_request_list_for_staff,
)

MEMBERS_PER_PAGE = 25


def accept_url_for(request):
    """The absolute link of an invitation's token, for the e-mail."""
    return lambda token: request.build_absolute_uri(reverse("invitation_accept", args=[token]))


def _profile_form_response(request, form, template_ctx):
    """Inline validation (htmx, a field checked as it is left) or the whole page."""
    field_name = request.POST.get("_validate") if request.htmx else None
    if field_name in form.fields:
        form.is_valid()
        field = form[field_name]
        ctx = {"field": field, "action": template_ctx["action"], "canonical": None}
        cleaned = form.cleaned_data.get(field_name) if not field.errors else None
        if isinstance(cleaned, str | int) and str(cleaned) != request.POST.get(field_name, ""):
            ctx["canonical"] = cleaned
        return render(request, "clinics/profile.html#field-group", ctx)
    return render(request, "clinics/profile.html", template_ctx | {"form": form})


def _clinic_warning(clinic) -> str:
    return prefecture_warning(
        prefecture=clinic.prefecture, association=clinic.association, wording="clinic"
    )


@clinic_user_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """A clinic user keeps the clinic's profile; nothing typed is lost on an error."""
    clinic = clinic_get_for_user(user=request.user, clinic_id=request.user.clinic_id)
    form = ClinicProfileForm(request.POST if request.method == "POST" else None, instance=clinic)
    ctx = {
        "clinic": clinic,
        "action": reverse("profile"),
        "reminders_action": reverse("profile_reminders"),
        "warning": _clinic_warning(clinic),
    }
    if request.method == "POST" and "_validate" not in request.POST and form.is_valid():
        services.clinic_update(clinic=clinic, **form.cleaned_data)
        messages.success(request, "医療機関の情報を保存しました。")
        if warning := _clinic_warning(clinic):
            messages.warning(request, warning)
        return redirect("home")
    return _profile_form_response(request, form, ctx)


@clinic_user_required
@require_POST
def profile_reminders(request):
    """The user's own choice: deadline reminders by e-mail or not."""
    wanted = request.POST.get("wanted") == "on"
    services.user_deadline_reminders_set(user=request.user, wanted=wanted)
    messages.success(
        request,
        "締切前のお知らせメールを受け取る設定にしました。"
        if wanted
        else "締切前のお知らせメールを停止しました。",
    )
    return redirect("profile")


@staff_required
@require_http_methods(["GET"])
def members(request):
    """The association's members: search by name or kana, filter, page through."""
    query = request.GET.get("q", "")
    legal_form = request.GET.get("legal_form", "")
    screened = request.GET.get("screened", "")
    clinics = clinic_list_for_staff(
        user=request.user, query=query, legal_form=legal_form, screened=screened
    )
    page = Paginator(clinics, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "query": query,
        "legal_form": legal_form,
        "screened": screened,
        "legal_forms": LegalFormCode.choices,
        "association": request.user.association,
    }
    if request.htmx:
        return render(request, "clinics/members.html#member-table", ctx)
    version, count = screening_changes_count_for_association(association=ctx["association"])
    ctx |= {"changed_version": version, "changed_count": count}
    return render(request, "clinics/members.html", ctx)


@staff_required
@require_http_methods(["GET", "POST"])
def member_edit(request, clinic_id: int):
    clinic = clinic_get_for_user(user=request.user, clinic_id=clinic_id)
    form = ClinicProfileForm(request.POST if request.method == "POST" else None, instance=clinic)
    ctx = {
        "clinic": clinic,
        "action": reverse("member_edit", args=[clinic.pk]),
        "warning": clinic.prefecture_warning,
    }
    if request.method == "POST" and "_validate" not in request.POST and form.is_valid():
        services.clinic_update(clinic=clinic, **form.cleaned_data)
        messages.success(request, f"{clinic.name}の情報を保存しました。")
        return redirect("members")
    return _profile_form_response(request, form, ctx)


@staff_required
@require_http_methods(["GET", "POST"])
def invitation_new(request):
    association = request.user.association
    initial_clinic = request.GET.get("clinic")
    form = InvitationForm(
        request.POST if request.method == "POST" else None,
        association=association,
        initial={"clinic": initial_clinic},
    )
    if request.method == "POST" and form.is_valid():
        invitation = services.invitation_create(
            association=association,
            by=request.user,
            accept_url_for=accept_url_for(request),
            **form.cleaned_data,
        )
        messages.success(request, f"{invitation.email} に招待メールを送りました。")
        return redirect("members")
    return render(request, "clinics/invitation_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = invitation_get_usable(token=token)
    if invitation is None:
        return render(request, "clinics/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None, invitation=invitation
    )
    if request.method == "POST" and form.is_valid():
        user = services.invitation_accept(
            invitation=invitation,
            name=form.cleaned_data["name"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "登録が完了しました。医療機関の情報を入力してください。")
        return redirect("profile")
    return render(
        request, "clinics/invitation_accept.html", {"form": form, "invitation": invitation}
    )


@require_http_methods(["GET", "POST"])
def join_request_new(request):
    form = JoinRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.join_request_create(**form.cleaned_data)
        return render(request, "clinics/join_request_sent.html", {"form": form})
    return render(request, "clinics/join_request_new.html", {"form": form})


@staff_required
@require_http_methods(["GET"])
def join_requests(request):
    ctx = {"join_requests": join_request_list_for_staff(user=request.user)}
    return render(request, "clinics/join_requests.html", ctx)


@staff_required
@require_POST
def join_request_decide(request, request_id: int):
    join_request = join_request_get_for_staff(user=request.user, request_id=request_id)
    if join_request.status != join_request.Status.PENDING:
        messages.warning(request, "この申し出はすでに処理済みです。")
        return redirect("join_requests")
    approve = request.POST.get("decision") == "approve"
    services.join_request_decide(
        join_request=join_request,
        approve=approve,
        by=request.user,
        accept_url_for=accept_url_for(request),
    )
    verb = "承認し、招待メールを送りました" if approve else "却下しました"
    messages.success(request, f"{join_request.clinic_name}の申し出を{verb}。")
    return redirect("join_requests")
