"""The rule administration pages (/rules/admin/), for rule administrators only: the versions,
a draft's sections, the diff, the impact preview, publishing, re-screening, export and import.

Our own pages rather than Django admin: a version is one document edited section by section
and checked whole by parse_rules before anything is saved, with the diff, the impact on stored
screenings and the history beside it; a published version is shown read-only. Django admin
edits one model row at a time, which would let a half-edited version be saved and hide the
checks that only make sense for the whole document.
"""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.decorators import rule_admin_required

from . import services
from .engine import RulesError
from .engine.document import document_in_order
from .forms import input_id
from .models import PublishedVersionError, RuleVersion
from .rules_forms import CloneForm, ImportForm, PublishForm, section_get, sections
from .selectors import (
    rescreen_runs,
    rule_version_compared_with,
    rule_version_diff,
    rule_version_events,
    rule_version_get_for_admin,
    rule_version_list,
    rule_version_published,
    today,
)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _versions_page(request, *, clone_form=None, import_form=None, problems=(), status=200):
    published = rule_version_published()
    ctx = {
        "versions": rule_version_list(),
        "published": published,
        "clone_form": clone_form or CloneForm(initial={"label": _next_label(published)}),
        "import_form": import_form or ImportForm(),
        "problems": problems,
    }
    return render(request, "eligibility/rules_admin/versions.html", ctx, status=status)


def _next_label(published: RuleVersion | None) -> str:
    """2026.1 -> 2026.2, the usual name of the next version (only a suggestion)."""
    if published is None:
        return ""
    head, _, tail = published.label.rpartition(".")
    return f"{head}.{int(tail) + 1}" if head and tail.isdecimal() else ""


@rule_admin_required
@require_GET
def versions(request):
    return _versions_page(request)


@rule_admin_required
@require_POST
def version_clone(request):
    """A draft copy of the published version under a new name."""
    published = rule_version_published()
    form = CloneForm(request.POST)
    if published is None or not form.is_valid():
        return _versions_page(request, clone_form=form, status=400)
    try:
        draft = services.rule_admin_clone(
            version=published, label=form.cleaned_data["label"], by=request.user
        )
    except services.RuleAdminError as error:
        form.add_error("label", error.problems)
        return _versions_page(request, clone_form=form, status=400)
    messages.success(request, f"版 {published.label} を複製して下書き {draft.label} を作りました。")
    return redirect("rules_admin_version", draft.pk)


@rule_admin_required
@require_POST
def version_import(request):
    """A draft from an exported JSON file; a broken file changes nothing and says why."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _versions_page(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD_BYTES:
        problems = [
            "ファイルが大きすぎます（2MBまで）。書き出したファイルをそのままお使いください。"
        ]
        return _versions_page(request, import_form=form, problems=problems, status=400)
    try:
        version = services.rule_admin_import(
            raw=upload.read(), by=request.user, file_name=upload.name
        )
    except services.RuleAdminError as error:
        return _versions_page(request, import_form=form, problems=error.problems, status=400)
    messages.success(request, f"ファイルを読み込み、下書き {version.label} を作りました。")
    return redirect("rules_admin_version", version.pk)


def _version_page(request, version, *, bound=None, problems=(), publish_form=None, status=200):
    """The version's page: for a draft, every section as a small form (``bound``: the section
    just posted, with its errors); for a published or retired version, the same read-only."""
    document = version.document
    against = rule_version_compared_with(version=version)
    opened = bound.key if bound else request.GET.get("section", "")
    shown = []
    for section in sections(document):
        form = bound.form if bound and bound.key == section.key else section.form(document)
        if not version.is_draft:
            _disable(form)
        errors = problems if bound and bound.key == section.key else ()
        shown.append({"section": section, "form": form, "problems": errors})
    ctx = {
        "version": version,
        "against": against,
        "diff": rule_version_diff(version=version, against=against),
        "sections": shown,
        "opened": opened,
        "events": rule_version_events(version=version),
        "runs": rescreen_runs(version=version)[:5],
        "publish_form": publish_form or PublishForm(initial={"effective_from": today()}),
        "today": today(),
    }
    return render(request, "eligibility/rules_admin/version.html", ctx, status=status)


def _disable(form) -> None:
    for each in getattr(form, "forms", [form]):
        for field in each.fields.values():
            field.disabled = True


@rule_admin_required
@require_GET
def version_detail(request, version_id: int):
    version = rule_version_get_for_admin(version_id=version_id)
    if request.htmx and request.GET.get("part") == "progress":
        ctx = {"version": version, "runs": rescreen_runs(version=version)[:5]}
        return render(request, "eligibility/rules_admin/version.html#rescreen-progress", ctx)
    return _version_page(request, version)


class _Bound:
    def __init__(self, key, form):
        self.key, self.form = key, form


@rule_admin_required
@require_POST
def version_section(request, version_id: int, section: str):
    """Save one section of a draft, if the whole would-be document is valid."""
    version = rule_version_get_for_admin(version_id=version_id)
    if not version.is_draft:
        messages.error(request, f"版 {version.label} は公開済みのため編集できません。")
        return redirect("rules_admin_version", version.pk)
    document = version.document
    spec = section_get(document, section)
    if spec is None:
        raise Http404("この項目はありません。")
    form = spec.form(document, request.POST)
    problems = []
    if form.is_valid():
        try:
            changes = services.rule_admin_edit(
                version=version,
                document=spec.apply(document, form),
                by=request.user,
                what=spec.title,
            )
        except RulesError as error:
            problems = _linked(form, error.problems)
        except PublishedVersionError as error:
            messages.error(request, error.messages[0])
            return redirect("rules_admin_version", version.pk)
        else:
            if changes:
                messages.success(
                    request, f"「{spec.title}」を保存しました：" + "／".join(changes[:5])
                )
            else:
                messages.info(request, f"「{spec.title}」に変更はありませんでした。")
            url = reverse("rules_admin_version", args=[version.pk])
            return redirect(f"{url}?section={spec.key}")
    else:
        problems = [("入力に誤りがあります。赤字の項目をご確認ください。", "")] + [
            (f"{field.label}：{error}", input_id(field))
            for field in _bound_fields(form)
            for error in field.errors
        ]
    return _version_page(request, version, bound=_Bound(spec.key, form), problems=problems)


def _bound_fields(form):
    """The fields of a section's form, or of every row of a section's formset."""
    for each in getattr(form, "forms", None) or [form]:
        yield from each


def _linked(form, problems: list[str]) -> list[tuple[str, str]]:
    """Each problem of the whole document with a link to the field it names (by its label in
    「」), when this section has it."""
    fields = [f for f in _bound_fields(form) if f.label]
    return [
        (problem, next((input_id(f) for f in fields if f"「{f.label}」" in problem), ""))
        for problem in problems
    ]


@rule_admin_required
@require_GET
def version_impact(request, version_id: int):
    """Every stored screening re-evaluated under this version, compared with what it said:
    computed by the worker while the page shows its progress (htmx polls ``?part=progress``
    and the page reloads once it is ready)."""
    version = rule_version_get_for_admin(version_id=version_id)
    preview = services.impact_preview(
        version=version, as_of=today(), again=request.GET.get("again") == "1"
    )
    if request.htmx and request.GET.get("part") == "progress":
        if preview.impact is not None:
            return HttpResponseClientRefresh()
        ctx = {"version": version, "preview": preview}
        return render(request, "eligibility/rules_admin/impact.html#impact-progress", ctx)
    ctx = {
        "version": version,
        "preview": preview,
        "impact": preview.impact,
        "publish_form": PublishForm(initial={"effective_from": today()}),
    }
    return render(request, "eligibility/rules_admin/impact.html", ctx)


@rule_admin_required
@require_POST
def version_publish(request, version_id: int):
    version = rule_version_get_for_admin(version_id=version_id)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _version_page(request, version, publish_form=form, status=400)
    try:
        services.rule_admin_publish(
            version=version, effective_from=form.cleaned_data["effective_from"], by=request.user
        )
    except (services.RuleAdminError, PublishedVersionError) as error:
        for problem in getattr(error, "problems", None) or error.messages:
            messages.error(request, problem)
        return redirect("rules_admin_version", version.pk)
    messages.success(
        request, f"版 {version.label} を公開しました。前の版は過去の版として残ります。"
    )
    if form.cleaned_data["rescreen"]:
        _start_rescreen(request, version)
    return redirect("rules_admin_version", version.pk)


@rule_admin_required
@require_POST
def version_delete(request, version_id: int):
    version = rule_version_get_for_admin(version_id=version_id)
    try:
        services.rule_admin_delete_draft(version=version, by=request.user)
    except PublishedVersionError as error:
        messages.error(request, error.messages[0])
        return redirect("rules_admin_version", version.pk)
    messages.success(request, f"下書き {version.label} を削除しました。")
    return redirect("rules_admin")


def _start_rescreen(request, version) -> None:
    try:
        run = services.rescreen_run_start(version=version, by=request.user)
    except services.RuleAdminError as error:
        messages.error(request, error.problems[0])
        return
    if run.status == run.Status.DONE:
        messages.success(
            request,
            f"保存済みの確認{run.processed:,}件を再判定しました。"
            f"結果が変わった確認は{run.changed:,}件です。",
        )
    elif run.status == run.Status.FAILED:
        messages.error(request, "再判定を完了できませんでした。時間をおいてやり直してください。")
    else:
        messages.success(request, "再判定を始めました。進み具合はこの画面に表示されます。")


@rule_admin_required
@require_POST
def version_rescreen(request, version_id: int):
    version = rule_version_get_for_admin(version_id=version_id)
    _start_rescreen(request, version)
    return redirect("rules_admin_version", version.pk)


@rule_admin_required
@require_GET
def version_export(request, version_id: int):
    """The version as its rule document, rules-<label>.json (same form as eligibility/rules/)."""
    version = rule_version_get_for_admin(version_id=version_id)
    body = json.dumps(document_in_order(version.document), ensure_ascii=False, indent=1)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rules-{version.label}.json"'
    return response
