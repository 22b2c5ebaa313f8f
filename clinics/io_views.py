"""Staff import the member list from CSV or Excel (upload, preview, confirm) and export it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_required

from . import exports, member_files, member_io
from .views import accept_url_for

TEMPLATE = "clinics/member_import.html"
PREVIEW_ROWS_PER_PAGE = 200
PREVIEW_FILTERS = {"": "すべて", **member_io.STATUS_LABELS}


@staff_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    """Upload a file; it is read and checked, and the preview is shown. Nothing is saved yet."""
    if request.method == "GET":
        return render(request, TEMPLATE, _page_ctx(form=member_io.MemberFileForm()))
    form = member_io.MemberFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            member_import = member_io.member_import_create(
                association=request.user.association,
                by=request.user,
                file_name=upload.name,
                data=upload.read(),
            )
        except member_files.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("member_import_preview", member_import.pk)
    return render(request, TEMPLATE, _page_ctx(form=form))


@staff_required
@require_http_methods(["GET"])
def member_import_preview(request, import_id: int):
    """Each row as 新規, 更新, 変更なし or エラー (filterable), then the confirmation; or, once
    confirmed, what was imported."""
    member_import = member_io.member_import_get_for_staff(user=request.user, import_id=import_id)
    planned = member_io.member_import_plan(member_import=member_import)
    show = request.GET.get("show", "")
    show = show if show in PREVIEW_FILTERS else ""
    shown = [plan for plan in planned if plan.status == show] if show else planned
    counts = member_io.count_statuses(planned)
    ctx = _page_ctx(
        member_import=member_import,
        counts=counts,
        page=Paginator(shown, PREVIEW_ROWS_PER_PAGE).get_page(request.GET.get("page")),
        show=show,
        filters=[(v, label, counts.get(v, len(planned))) for v, label in PREVIEW_FILTERS.items()],
    )
    return render(request, f"{TEMPLATE}#preview-table" if request.htmx else TEMPLATE, ctx)


@staff_required
@require_http_methods(["POST"])
def member_import_confirm(request, import_id: int):
    member_import = member_io.member_import_get_for_staff(user=request.user, import_id=import_id)
    try:
        result = member_io.member_import_confirm(
            member_import=member_import, skip_errors=request.POST.get("skip_errors") == "on"
        )
    except member_io.ImportRefused as refusal:
        messages.warning(request, str(refusal))
    else:
        messages.success(
            request,
            f"会員名簿を取り込みました（新規 {result['created']}件、更新 {result['updated']}件）。",
        )
    return redirect("member_import_preview", member_import.pk)


@staff_required
@require_http_methods(["POST"])
def member_import_invite(request, import_id: int):
    """Invite, in one action, the imported members whose row had an e-mail address."""
    member_import = member_io.member_import_get_for_staff(user=request.user, import_id=import_id)
    if member_import.confirmed_at is None:
        messages.warning(request, "取り込みを完了してから招待できます。")
        return redirect("member_import_preview", member_import.pk)
    counts = member_io.member_import_invite(
        member_import=member_import, by=request.user, accept_url_for=accept_url_for(request)
    )
    message = f"招待メールを{counts['sent']}件送りました。"
    if counts["skipped"]:
        message += f"{counts['skipped']}件は、すでに利用者がいるか招待済みのため送っていません。"
    messages.success(request, message)
    return redirect("member_import_preview", member_import.pk)


@staff_required
@require_http_methods(["GET"])
def member_export(request, fmt: str):
    """The association's members with the importer's headers, as CSV (UTF-8 with BOM) or xlsx."""
    clinics = member_io.member_list_for_export(user=request.user)
    filename, fallback = member_io.export_names(
        association=request.user.association, fmt=fmt, today=timezone.localdate()
    )
    return exports.download(
        member_io.export_rows(clinics),
        fmt=fmt,
        title="会員名簿",
        filename=filename,
        fallback=fallback,
        all_text=True,
    )


def _page_ctx(**ctx) -> dict:
    return {
        "columns": member_files.COLUMNS,
        "max_rows": member_files.MAX_ROWS,
        "max_megabytes": member_files.MAX_FILE_BYTES // 1024 // 1024,
        **ctx,
    }
