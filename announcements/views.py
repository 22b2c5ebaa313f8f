from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import clinic_user_required, staff_required
from accounts.models import User
from clinics import exports
from clinics.selectors import clinic_visible_to
from eligibility.templatetags.yen import jdate

from . import charts, selectors, services
from .deadlines import opt_out_user
from .forms import AttachmentForm, PublicationForm, PublishForm
from .funnel import funnel_for, funnel_rows, national_rate
from .national import published_templates
from .outbox import email_counts
from .past_results import TABLE_NAMES, comparison, past_results


def _own_prefecture(user) -> str | None:
    """The prefecture to highlight: the clinic's, else the association's, else none."""
    if user.clinic_id:
        return user.clinic.prefecture
    if user.association_id:
        return user.association.prefecture
    return None


@login_required
@require_GET
def past_results_page(request):
    """IT導入補助金2024・2025 results: charts drawn on the server, each with its table and CSV."""
    results = past_results()
    prefecture = _own_prefecture(request.user)
    svgs = charts.all_charts(results, highlight=prefecture)
    marks = {"prefectures": prefecture, "industries": charts.HEALTHCARE}
    sections = [
        {"table": comparison(name, results), "svg": mark_safe(svgs[name]), "mark": marks.get(name)}
        for name in ("frames", "industries", "prefectures", "amounts", "headcounts")
    ]  # the SVG text is escaped in charts
    ctx = {"results": results, "sections": sections, "prefecture": prefecture}
    return render(request, "announcements/past_results.html", ctx)


@login_required
@require_GET
def past_results_csv(request, table: str):
    """One table as CSV for Excel: UTF-8 with BOM, Japanese headers, CRLF line ends."""
    if table not in TABLE_NAMES:
        raise Http404("その表はありません。")
    filename = f"it_hojokin_2024_2025_{table}.csv"
    return exports.download(
        comparison(table).csv_rows(), fmt="csv", title=table, filename=filename, fallback=filename
    )


# --- notices: association staff ----------------------------------------------------------------

FOLLOW_UP_PER_PAGE = 25


def _staff_notice_ctx(request, publication, **forms) -> dict:
    return {
        "publication": publication,
        "emails": email_counts(publication.emails.all()) if publication.notified_at else None,
        "failed_emails": selectors.publication_failed_emails(publication=publication),
        "attachments": selectors.attachment_list(publication=publication),
        "counts": selectors.publication_read_counts(publication=publication),
        "members": clinic_visible_to(user=request.user).count(),
        "outline": selectors.notice_outline() if publication.notice_id else None,
        "publish_form": forms.get("publish_form") or PublishForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
    }


@staff_required
@require_GET
def staff_notice_list(request):
    """The association's notices with their state and how many members have read them."""
    ctx = {
        "publications": selectors.publication_list_for_staff(user=request.user),
        "members": clinic_visible_to(user=request.user).count(),
        "jma": selectors.notice_jma(),
        "templates": published_templates(),
    }
    return render(request, "announcements/staff_notice_list.html", ctx)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_notice_new(request):
    """A new draft: the JMA notice with a cover message (?from=jma), or the staff's own."""
    association = request.user.association
    notice = selectors.notice_jma() if request.GET.get("from") == "jma" else None
    initial = services.publication_initial(association=association, notice=notice)
    form = PublicationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        publication = services.publication_create(
            association=association, by=request.user, **form.cleaned_data
        )
        messages.success(request, "下書きを保存しました。内容を確かめてから公開してください。")
        return redirect("staff_notice", publication.pk)
    return render(request, "announcements/staff_notice_form.html", {"form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_notice_edit(request, publication_id: int):
    publication = selectors.publication_get_for_staff(
        user=request.user, publication_id=publication_id
    )
    if not publication.is_draft:
        messages.warning(request, "公開・取り下げ済みのお知らせは編集できません。")
        return redirect("staff_notice", publication.pk)
    form = PublicationForm(request.POST if request.method == "POST" else None, instance=publication)
    if request.method == "POST" and form.is_valid():
        services.publication_update(publication=publication, **form.cleaned_data)
        messages.success(request, "下書きを保存しました。")
        return redirect("staff_notice", publication.pk)
    ctx = {"form": form, "publication": publication}
    return render(request, "announcements/staff_notice_form.html", ctx)


@staff_required
@require_GET
def staff_notice(request, publication_id: int):
    """A notice as members will see it, its files, read counts, and publish or withdraw."""
    publication = selectors.publication_get_for_staff(
        user=request.user, publication_id=publication_id
    )
    ctx = _staff_notice_ctx(request, publication)
    return render(request, "announcements/staff_notice.html", ctx)


@staff_required
@require_POST
def staff_notice_attach(request, publication_id: int):
    publication = selectors.publication_get_for_staff(
        user=request.user, publication_id=publication_id
    )
    form = AttachmentForm(request.POST, request.FILES)
    if publication.is_draft and form.is_valid():
        upload = form.cleaned_data["file"]
        services.attachment_add(publication=publication, upload=upload, by=request.user)
        messages.success(request, f"「{upload.name}」を添付しました。")
        return redirect("staff_notice", publication.pk)
    if not publication.is_draft:
        form.add_error(None, "公開・取り下げ済みのお知らせにはファイルを添付できません。")
    ctx = _staff_notice_ctx(request, publication, attachment_form=form)
    return render(request, "announcements/staff_notice.html", ctx, status=400)


@staff_required
@require_POST
def staff_notice_detach(request, publication_id: int, attachment_id: int):
    publication = selectors.publication_get_for_staff(
        user=request.user, publication_id=publication_id
    )
    attachment = get_object_or_404(publication.attachments, pk=attachment_id)
    try:
        services.attachment_remove(attachment=attachment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"「{attachment.original_name}」を外しました。")
    return redirect("staff_notice", publication.pk)


@staff_required
@require_POST
def staff_notice_publish(request, publication_id: int):
    """Publish now (members are e-mailed at once) or at a date and time (scheduled)."""
    publication = selectors.publication_get_for_staff(
        user=request.user, publication_id=publication_id
    )
    form = PublishForm(request.POST)
    if not form.is_valid():
        ctx = _staff_notice_ctx(request, publication, publish_form=form)
        return render(request, "announcements/staff_notice.html", ctx, status=400)
    at = form.cleaned_data["publish_at"]
    try:
        sent = services.publication_publish(publication=publication, at=at)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _published_message(at, sent))
    return redirect("staff_notice", publication.pk)


def _published_message(at, sent: int) -> str:
    if at is None:
        return (
            f"公開しました。会員の医療機関の利用者{sent}人にお知らせメールを送ります"
            "（人数が多いと、届くまで数分かかることがあります）。"
        )
    when = timezone.localtime(at)
    return (
        f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}に公開するよう予約しました。"
        "その時刻になると会員に表示され、お知らせメールが送られます。"
    )


@staff_required
@require_POST
def staff_notice_withdraw(request, publication_id: int):
    publication = selectors.publication_get_for_staff(
        user=request.user, publication_id=publication_id
    )
    services.publication_withdraw(publication=publication)
    messages.success(request, f"「{publication.title}」を取り下げました。会員には表示されません。")
    return redirect("staff_notice", publication.pk)


@staff_required
@require_POST
def staff_notice_resend(request, publication_id: int):
    """Send the notice's e-mail again to the members it could not be sent to."""
    publication = selectors.publication_get_for_staff(
        user=request.user, publication_id=publication_id
    )
    queued = services.publication_resend(publication=publication)
    if queued:
        messages.success(
            request, f"送信できなかった{queued}人に、お知らせメールをもう一度送ります。"
        )
    else:
        messages.info(request, "もう一度送るメールはありません。")
    return redirect("staff_notice", publication.pk)


# --- notices: clinic users ---------------------------------------------------------------------


@clinic_user_required
@require_GET
def notice_list(request):
    """The association's notices, newest first; unread ones marked."""
    ctx = {"publications": selectors.publication_list_for_member(user=request.user)}
    return render(request, "announcements/notice_list.html", ctx)


@clinic_user_required
@require_GET
def notice_detail(request, publication_id: int):
    """A notice; opening it records the read receipt (once per person)."""
    publication = selectors.publication_get_for_member(
        user=request.user, publication_id=publication_id
    )
    services.read_receipt_record(publication=publication, user=request.user)
    ctx = {
        "publication": publication,
        "emails": email_counts(publication.emails.all()) if publication.notified_at else None,
        "failed_emails": selectors.publication_failed_emails(publication=publication),
        "attachments": selectors.attachment_list(publication=publication),
        "outline": selectors.notice_outline() if publication.notice_id else None,
    }
    return render(request, "announcements/notice_detail.html", ctx)


@login_required
@require_GET
def notice_attachment(request, publication_id: int, attachment_id: int):
    """A file, only to the association's clinic users (once published) and staff."""
    attachment = selectors.attachment_get_for_user(
        user=request.user, publication_id=publication_id, attachment_id=attachment_id
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("ファイルが見つかりません。") from None
    response = FileResponse(handle, content_type=attachment.content_type)
    suffix = PurePath(attachment.original_name).suffix.lower()
    response["Content-Disposition"] = exports.content_disposition(
        attachment.original_name, f"attachment-{attachment.pk}{suffix}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the staff dashboard -----------------------------------------------------------------------


@staff_required
@require_GET
def staff_dashboard(request):
    """Members, readers of the latest notice, screenings, likely eligible per frame, the sum
    of subsidies, and the members to follow up."""
    dashboard = selectors.dashboard_for_staff(user=request.user)
    follow_up = selectors.members_to_follow_up(
        association=dashboard.association, publication=dashboard.publication
    )
    page = Paginator(follow_up, FOLLOW_UP_PER_PAGE).get_page(request.GET.get("page"))
    funnel = funnel_for(dashboard.association)
    ctx = {
        "dashboard": dashboard,
        "page": page,
        "funnel": funnel,
        "funnel_svg": mark_safe(charts.funnel_svg(funnel.steps)),
        "national": national_rate(),
    }
    template = "announcements/dashboard.html"
    return render(request, template + "#follow-up-table" if request.htmx else template, ctx)


@staff_required
@require_GET
def staff_follow_up_export(request, fmt: str):
    """The members to follow up as CSV (UTF-8 with BOM, for Excel) or .xlsx."""
    association = request.user.association
    stamp = timezone.localdate().strftime("%Y%m%d")
    return exports.download(
        selectors.follow_up_rows(association=association),
        fmt=fmt,
        title="未読・未確認の会員",
        filename=f"{association.name}_未読・未確認の会員_{stamp}.{fmt}",
        fallback=f"follow-up-{stamp}.{fmt}",
    )


@staff_required
@require_GET
def staff_funnel_export(request, fmt: str):
    """The association's funnel as CSV (UTF-8 with BOM, for Excel) or .xlsx."""
    association = request.user.association
    stamp = timezone.localdate().strftime("%Y%m%d")
    return exports.download(
        funnel_rows(funnel_for(association)),
        fmt=fmt,
        title="申請までの進み具合",
        filename=f"{association.name}_申請までの進み具合_{stamp}.{fmt}",
        fallback=f"funnel-{stamp}.{fmt}",
    )


@staff_required
@require_POST
def staff_reminders_send(request):
    """One click: a reminder e-mail to the clinic users of the members to follow up."""
    try:
        reached, sent, unreachable = services.reminders_send(
            association=request.user.association, by=request.user
        )
    except services.ReminderTooSoon as too_soon:
        sent_at = timezone.localtime(too_soon.last.sent_at)
        minutes = services.REMINDER_PAUSE.seconds // 60
        messages.warning(
            request,
            f"前回のリマインドメール（{jdate(sent_at)} {sent_at:%H:%M}）から{minutes}分たって"
            "いないため、送りませんでした。同じ会員に続けて届かないようにしています。",
        )
        return redirect("staff_dashboard")
    if sent:
        text = f"{reached}件の医療機関（{sent}人）にリマインドメールを送ります。"
    else:
        text = "メールを送る相手はいませんでした。"
    if unreachable:
        text += (
            f"利用者が登録されていない{unreachable}件には送れていません。会員一覧から招待できます。"
        )
    messages.success(request, text)
    return redirect("staff_dashboard")


# --- deadline reminders: the stop link in each e-mail ----------------------------------------


@csrf_exempt  # the signed token is the credential; mail clients post it (RFC 8058 one-click)
@require_http_methods(["GET", "POST"])
def deadline_reminders_stop(request, token: str):
    """Stop the deadline reminders of the user the link was made for: a page with one button,
    and the one-click POST of List-Unsubscribe-Post. No login needed."""
    target = opt_out_user(token)
    stopped = False
    if target is not None and request.method == "POST":
        User.objects.filter(pk=target.pk).update(deadline_reminders=False)
        stopped = True
    ctx = {"target": target, "stopped": stopped}
    return render(request, "announcements/reminders_stop.html", ctx, status=200 if target else 404)
