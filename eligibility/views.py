from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import clinic_user_required
from accounts.middleware import keep_typed_across_login, typed_before_login
from clinics.services import clinic_new_round_notice_set

from . import services
from .calendar import deadlines_ics
from .engine import NO_OPEN_ROUND, assess_applicant, next_open_round
from .engine.answers import evaluate_answers, first_missing_step
from .engine.types import ClinicFacts
from .forms import ApplicationStageForm, ScreeningNameForm, input_id
from .result_pdf import result_pdf
from .selectors import (
    rule_set_for,
    rule_version_published,
    screening_get_for_user,
    screening_list_for_clinic,
    screening_recheck_made,
    screening_result,
    today,
    wizard_steps,
)
from .wizard import EDITABLE_STEPS, next_step, previous_step, step_forms, step_values


@require_GET
def home(request):
    user = request.user
    if user.is_authenticated and user.is_clinic_user:
        return redirect("screenings")
    if user.is_authenticated and user.is_association_staff:
        return redirect("staff_dashboard")
    if user.is_authenticated and user.is_rule_admin:
        return redirect("rules_admin")
    if user.is_authenticated and user.is_national_user:
        return redirect("national_dashboard")
    return render(request, "home.html", {"version": rule_version_published()})


@require_GET
def programme(request):
    """The frames of the published version: rates, caps and deadlines, each with its source."""
    version = rule_version_published()
    if version is None:
        raise Http404("公開中のルールの版がありません。")
    rules = rule_set_for(version=version)
    as_of = today()
    frames = [(frame, next_open_round(frame.rounds, as_of)) for frame in rules.frames.values()]
    ctx = {"version": version, "rules": rules, "frames": frames, "today": as_of}
    return render(request, "eligibility/programme.html", ctx | {"no_open_round": NO_OPEN_ROUND})


@clinic_user_required
@require_http_methods(["GET", "POST"])
def screenings(request):
    """The clinic's screenings (e.g. one per vendor's quote) and a new one."""
    clinic = request.user.clinic
    form = ScreeningNameForm(
        request.POST if request.method == "POST" else None,
        initial={"name": f"見積り（{today():%Y年%m月%d日}）"},
    )
    if request.method == "POST" and form.is_valid():
        screening = services.screening_create(
            clinic=clinic, name=form.cleaned_data["name"], by=request.user
        )
        return redirect("wizard_step", screening.pk, "applicant")
    ctx = {"clinic": clinic, "screenings": screening_list_for_clinic(clinic=clinic), "form": form}
    return render(request, "eligibility/screenings.html", ctx)


@clinic_user_required
@require_http_methods(["GET", "POST"])
@keep_typed_across_login
def wizard_step(request, screening_id: int, step: str):
    """One step of the wizard on its own URL; answers are saved on the server at every step.
    What was typed when the session ended is shown again, unsaved, after logging in again."""
    screening = screening_get_for_user(user=request.user, screening_id=screening_id, for_edit=True)
    rules = rule_set_for(version=screening.rule_version)
    if step not in EDITABLE_STEPS or step not in dict(wizard_steps(screening.answers, rules)):
        raise Http404("この手順はありません。")
    restored = typed_before_login(request) if request.method == "GET" else None
    if restored is not None:
        messages.info(
            request,
            "ログインし直す前に入力していた内容を戻しました。まだ保存されていません。"
            "内容を確かめてから、ページ下のボタンで保存してください。",
        )
    forms = step_forms(
        step,
        screening.answers,
        rules,
        request.POST if request.method == "POST" else restored,
    )
    # 再計算 (the estimate without JavaScript) and restored values are not a submission
    recalculate = "recalculate" in request.POST or restored is not None
    if (
        request.method == "POST"
        and not recalculate
        and all(form.is_valid() for form in forms.values())
    ):
        values = step_values(step, forms)
        following = next_step(step, screening.answers | values, rules)
        if following == "result":
            services.screening_complete(screening=screening, as_of=today(), values=values)
            return redirect("screening_result", screening.pk)
        services.screening_save_step(screening=screening, values=values, next_step=following)
        return redirect("wizard_step", screening.pk, following)
    ctx = _wizard_ctx(screening, step, forms, rules)
    if recalculate:
        for form in forms.values():  # no error messages
            form.errors.clear()
        ctx["errors"] = []
    return render(request, "eligibility/wizard_step.html", ctx)


def _as_typed(answers: dict, step: str, forms: dict) -> tuple[dict, list]:
    """The answers with what was typed in this step's valid forms, and the forms that are not
    valid (their frames are estimated from the values saved before)."""
    typed, invalid = dict(answers), []
    for code, form in forms.items():
        if not form.is_bound:
            continue
        if form.is_valid():
            typed |= step_values(step, {code: form}) if code == "" else {code: form.cleaned_data}
        else:
            invalid.append(form)
    return typed, invalid


def _wizard_ctx(screening, step, forms, rules) -> dict:
    previous = previous_step(step, screening.answers, rules)
    steps = wizard_steps(screening.answers, rules)
    codes = [code for code, _ in steps]
    return {
        "screening": screening,
        "step": step,
        "step_label": dict(steps)[step],
        "step_number": codes.index(step) + 1,
        "steps": steps,
        "reachable": codes[: codes.index(screening.step) + 1] if screening.step in codes else [],
        "forms": forms,
        "form": forms.get(""),
        "errors": [  # linked to the input itself (the first box of a group), named with its frame
            (
                input_id(bound),
                f"{form.frame.name}の{bound.label}" if code else bound.label,
                error,
            )
            for code, form in forms.items()
            for bound in form
            for error in bound.errors
        ],
        "rules": rules,
        "previous_url": reverse("wizard_step", args=[screening.pk, previous]) if previous else None,
        "applicant": _applicant_or_none(screening.answers, rules),
        **(_tools_preview(screening.answers, forms, rules) if step == "tools" else {}),
    }


def _applicant_or_none(answers, rules):
    if answers.get("legal_form") not in rules.legal_forms or answers.get("employees") is None:
        return None
    return assess_applicant(ClinicFacts(answers["legal_form"], answers["employees"]), rules)


def _tools_preview(answers, forms, rules) -> dict:
    """The estimate of the values on the page: what was typed where it is valid, else what was
    saved (and which frames those are)."""
    typed, invalid = _as_typed(answers, "tools", forms)
    return {
        "preview": _preview(typed, rules),
        "preview_saved_for": [form.frame.name for form in invalid],
    }


def _preview(answers, rules):
    """The subsidy for the costs as typed so far (the live preview of the tools step)."""
    if _applicant_or_none(answers, rules) is None:
        return None
    evaluation, costs = evaluate_answers(answers, rules, as_of=today())
    return [(result, costs.get(result.code)) for result in evaluation.frames]


@clinic_user_required
@require_POST
@keep_typed_across_login
def wizard_preview(request, screening_id: int, step: str):
    """htmx: the SME verdict (applicant step) or the subsidy preview (tools step) for the values
    being typed, before they are saved."""
    screening = screening_get_for_user(user=request.user, screening_id=screening_id, for_edit=True)
    if step not in ("applicant", "tools"):
        raise Http404
    rules = rule_set_for(version=screening.rule_version)
    forms = step_forms(step, screening.answers, rules, request.POST)
    if step == "applicant":
        answers, _ = _as_typed(screening.answers, step, forms)
        ctx = {"applicant": _applicant_or_none(answers, rules)}
        return render(request, "eligibility/wizard_step.html#sme-result", ctx)
    ctx = _tools_preview(screening.answers, forms, rules)
    return render(request, "eligibility/wizard_step.html#preview", ctx)


@login_required
@require_GET
def result(request, screening_id: int):
    """The result, computed under the rule version the screening was made with."""
    screening = screening_get_for_user(user=request.user, screening_id=screening_id)
    rules = rule_set_for(version=screening.rule_version)
    missing = first_missing_step(screening.answers, rules)
    if missing is not None:
        if request.user.is_clinic_user:
            messages.info(request, "結果を出すには、まだ回答が必要な手順があります。")
            return redirect("wizard_step", screening.pk, missing)
        raise Http404("この確認はまだ終わっていません。")
    result = screening_result(screening=screening, as_of=today())
    ctx = {
        "result": result,
        "screening": screening,
        "recheck": screening_recheck_made(screening=screening, result=result),
        "can_record": request.user.is_clinic_user and bool(result.rules.application_stages),
    }
    return render(request, "eligibility/result.html", ctx)


@clinic_user_required
@require_http_methods(["GET", "POST"])
def screening_stage(request, screening_id: int, frame_code: str):
    """Record where the clinic's application for one of the result's frames stands: a page of
    its own (the result page stays light), with the stage now and its history."""
    screening, result = _finished_result(request, screening_id)
    view = next((v for v in result.frames if v.result.code == frame_code), None)
    if view is None or not result.rules.application_stages:
        raise Http404("この枠は結果にありません。")
    stage = view.stage
    form = ApplicationStageForm(
        request.POST if request.method == "POST" else None,
        rules=result.rules,
        frame=view.frame,
        initial={
            "stage": stage.stage if stage else None,
            "round_number": stage.round_number if stage else None,
            "applied_on": stage.applied_on if stage else None,
            "application_number": stage.application_number if stage else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        record = services.application_stage_record(
            screening=screening, frame_code=frame_code, values=form.cleaned_data, by=request.user
        )
        messages.success(
            request, f"{view.result.name}の申請の状況を「{record.stage_name}」として記録しました。"
        )
        return redirect(reverse("screening_result", args=[screening.pk]) + f"#frame-{frame_code}")
    ctx = {"screening": screening, "view": view, "form": form}
    status = 400 if form.errors else 200
    return render(request, "eligibility/stage.html", ctx, status=status)


def _finished_result(request, screening_id: int):
    """A screening this person may read, whose answers are complete, and its result today."""
    screening = screening_get_for_user(user=request.user, screening_id=screening_id)
    rules = rule_set_for(version=screening.rule_version)
    if first_missing_step(screening.answers, rules) is not None:
        raise Http404("この確認はまだ終わっていません。")
    return screening, screening_result(screening=screening, as_of=today())


@login_required
@require_GET
def screening_calendar(request, screening_id: int):
    """The upcoming deadlines of the screening's frames as an .ics calendar file."""
    screening, result = _finished_result(request, screening_id)
    response = HttpResponse(deadlines_ics(result), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="deadlines-{screening.pk}.ics"'
    return response


@login_required
@require_GET
def screening_compare(request, screening_id: int):
    """Old numbers (the screening's own version) beside the published version's."""
    screening, old = _finished_result(request, screening_id)
    if not old.is_outdated:
        return redirect("screening_result", screening.pk)
    new = screening_result(screening=screening, as_of=today(), version=old.current_version)
    rows = [
        (frame_old, new.evaluation.frame(frame_old.code)) for frame_old in old.evaluation.frames
    ]
    recheck = screening_recheck_made(screening=screening, result=old)
    ctx = {"screening": screening, "old": old, "new": new, "rows": rows, "recheck": recheck}
    return render(request, "eligibility/compare.html", ctx)


@clinic_user_required
@require_POST
def screening_recheck(request, screening_id: int):
    screening = screening_get_for_user(user=request.user, screening_id=screening_id, for_edit=True)
    copy, made = services.screening_recheck(screening=screening, by=request.user)
    label = copy.rule_version.label
    if made:
        messages.success(
            request, f"現在のルールの版 {label} で再確認し、新しい結果として保存しました。"
        )
    else:
        messages.info(
            request, f"この確認は、ルールの版 {label} ですでに再確認しています。その結果です。"
        )
    return redirect("screening_result", copy.pk)


@clinic_user_required
@require_POST
def screening_rename(request, screening_id: int):
    screening = screening_get_for_user(user=request.user, screening_id=screening_id, for_edit=True)
    form = ScreeningNameForm(request.POST)
    if form.is_valid():
        services.screening_rename(screening=screening, name=form.cleaned_data["name"])
        messages.success(request, "名前を変更しました。")
    else:
        messages.error(request, "名前を変更できませんでした：" + "／".join(form.errors["name"]))
    return redirect("screenings")


@login_required
@require_GET
def screening_pdf(request, screening_id: int):
    """The result as an A4 PDF in Japanese: the same partials and numbers as the result page."""
    screening, result = _finished_result(request, screening_id)
    response = HttpResponse(result_pdf(result), content_type="application/pdf")
    filename = f"hojokin-navi-HN-{screening.pk:06d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@clinic_user_required
@require_POST
def screening_new_round_notice(request, screening_id: int):
    """From a result whose frames qualify but have no open round: the clinic asks to be told
    when a new round is published (or withdraws the wish). The e-mail is sent by the reminders."""
    screening = screening_get_for_user(user=request.user, screening_id=screening_id)
    wanted = request.POST.get("wanted") == "on"
    clinic_new_round_notice_set(clinic=screening.clinic, wanted=wanted)
    if wanted:
        messages.success(request, "新しい公募回が発表されたら、メールでお知らせします。")
    else:
        messages.success(request, "新しい公募回のお知らせを取り消しました。")
    return redirect(reverse("screening_result", args=[screening.pk]) + "#new-round")
