"""The Japan Medical Association's view (issue 22): the funnel per prefecture, counts only, and
notice templates it publishes to every association's staff, who make their own draft from one.
Nothing here reads or shows a clinic: the role reaches no clinic-level data anywhere."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import national_required, staff_required
from clinics import exports
from clinics.forms import PlainCharField, TextLinesField
from clinics.models import Association

from . import services
from .funnel import STEPS, funnels_for, national_rate, national_rows
from .models import NationalTemplate


class NationalTemplateForm(forms.ModelForm):
    class Meta:
        model = NationalTemplate
        fields = ["title", "cover_message", "body"]
        field_classes = {
            "title": PlainCharField,
            "cover_message": TextLinesField,
            "body": TextLinesField,
        }
        help_texts = {
            "cover_message": "各医師会が会員に宛てる送付状のひな形です。医師会ごとに書き換えられます。",
            "body": "お知らせの本文です。空行で段落が分かれます。",
        }
        widgets = {
            "title": forms.TextInput(attrs={"class": "wide"}),
            "cover_message": forms.Textarea(attrs={"rows": 8}),
            "body": forms.Textarea(attrs={"rows": 12}),
        }


def _prefecture_funnels():
    associations = list(Association.objects.order_by("prefecture_code"))
    funnels = funnels_for(associations)
    return [(association, funnels[association.pk]) for association in associations]


@national_required
@require_GET
def national_dashboard(request):
    """Each prefecture's funnel (47 rows) and the whole country's."""
    rows = _prefecture_funnels()
    totals = {key: sum(funnel.counts[key] for _, funnel in rows) for key, _ in STEPS}
    ctx = {
        "rows": rows,
        "steps": STEPS,
        "totals": [totals[key] for key, _ in STEPS],
        "national": national_rate(),
        "templates": NationalTemplate.objects.all(),
    }
    return render(request, "announcements/national.html", ctx)


@national_required
@require_GET
def national_export(request):
    stamp = timezone.localdate().strftime("%Y%m%d")
    return exports.download(
        national_rows(_prefecture_funnels()),
        fmt="csv",
        title="都道府県別の申請までの進み具合",
        filename=f"都道府県別_申請までの進み具合_{stamp}.csv",
        fallback=f"national-funnel-{stamp}.csv",
    )


@national_required
@require_http_methods(["GET", "POST"])
def national_template_new(request):
    form = NationalTemplateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        template.created_by = request.user
        template.save()
        messages.success(
            request, f"ひな形「{template.title}」を保存しました（医師会にはまだ見えません）。"
        )
        return redirect("national_dashboard")
    status = 400 if form.errors else 200
    return render(
        request, "announcements/national_template_new.html", {"form": form}, status=status
    )


@national_required
@require_POST
def national_template_publish(request, template_id: int):
    """Every association's staff see the template from now on (once: a second click keeps
    the first time)."""
    template = get_object_or_404(NationalTemplate, pk=template_id)
    NationalTemplate.objects.filter(pk=template.pk, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    messages.success(request, f"ひな形「{template.title}」を全国の医師会の事務局に公開しました。")
    return redirect("national_dashboard")


@staff_required
@require_POST
def staff_notice_from_template(request, template_id: int):
    """A draft of the association's own notice from a published template, to adapt."""
    template = get_object_or_404(NationalTemplate, pk=template_id, published_at__isnull=False)
    association = request.user.association
    draft = services.publication_create(
        association=association,
        by=request.user,
        title=template.title,
        cover_message=template.cover_message,
        contact=services.association_contact_text(association),
        body=template.body,
    )
    messages.success(
        request,
        "日本医師会のひな形から下書きを作りました。貴会に合わせて内容を編集してから公開してください。",
    )
    return redirect("staff_notice", draft.pk)


def published_templates():
    return NationalTemplate.objects.filter(published_at__isnull=False)
