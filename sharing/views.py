"""The clinic's share links (its own users only) and what a link opens: the result page and its
PDF, for anyone holding a usable token, without logging in."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import clinic_user_required
from eligibility.result_pdf import result_pdf

from . import services
from .forms import ShareLinkForm
from .selectors import (
    screening_get_shareable,
    share_link_find,
    share_link_get_for_user,
    share_link_list_for_screening,
    shared_result,
)

PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",  # the token in the URL goes nowhere else
    "Cache-Control": "private, no-store",
}


JUST_CREATED = "share_link_just_created"  # the session key of the URL shown once


@clinic_user_required
@require_http_methods(["GET", "POST"])
def share_links(request, screening_id: int):
    """The screening's links, and a new one. Its URL is shown once: after the redirect that
    follows the creation (so a reload makes no second link), from the session, then forgotten."""
    screening = screening_get_shareable(user=request.user, screening_id=screening_id)
    form = ShareLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        link, token = services.share_link_create(
            screening=screening, by=request.user, days=form.cleaned_data["days"]
        )
        request.session[JUST_CREATED] = {"link": link.pk, "token": token}
        return redirect("share_links", screening.pk)
    links = share_link_list_for_screening(screening=screening)
    created = None
    just = request.session.pop(JUST_CREATED, None) if request.method == "GET" else None
    if just is not None:
        link = next((link for link in links if link.pk == just["link"]), None)
        if link is not None:
            url = request.build_absolute_uri(reverse("shared_result", args=[just["token"]]))
            created = {"link": link, "url": url}
    ctx = {"screening": screening, "form": form, "created": created, "links": links}
    return render(request, "sharing/share_links.html", ctx, status=400 if form.errors else 200)


@clinic_user_required
@require_POST
def share_link_revoke(request, screening_id: int, link_id: int):
    link = share_link_get_for_user(user=request.user, screening_id=screening_id, link_id=link_id)
    services.share_link_revoke(link=link)
    messages.success(request, "共有リンクを無効にしました。このURLはもう開けません。")
    return redirect("share_links", screening_id)


@require_GET
def shared_result_page(request, token: str):
    """The result, read-only, as the clinic's own result page shows it."""
    link, result = _usable(token)
    if result is None:
        return _invalid(link)
    services.share_link_opened(link=link)
    ctx = {"link": link, "result": result, "screening": result.screening, "token": token}
    return _public(render_to_string("sharing/shared_result.html", ctx))


@require_GET
def shared_result_pdf(request, token: str):
    """The result's PDF, the same file as the clinic's own download."""
    link, result = _usable(token)
    if result is None:
        return _invalid(link)
    services.share_link_opened(link=link, download=True)
    response = _public(result_pdf(result), content_type="application/pdf")
    filename = f"hojokin-navi-HN-{result.screening.pk:06d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _usable(token: str):
    """The link of this token and its result; the result is None when the link does not open
    (unknown, expired, revoked, or its screening no longer complete)."""
    link = share_link_find(token=token)
    if link is None or not link.is_usable:
        return link, None
    return link, shared_result(link=link)


def _invalid(link):
    """One friendly page for every link that does not open: 410 for a link that existed."""
    status = 404 if link is None else 410
    return _public(render_to_string("sharing/invalid.html"), status=status)


def _public(content, *, status: int = 200, content_type: str | None = None) -> HttpResponse:
    """A response of the vendor's side. Rendered without the request, so it is the same for
    whoever opens it (no user, no session, no CSRF token), never indexed and never cached."""
    response = HttpResponse(content, status=status, content_type=content_type)
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response
