"""Logged-in traffic (issue 21): private pages are never stored by a browser's or a proxy's
cache; the session lasts SESSION_COOKIE_AGE from the last activity, not from the login; and
when it has ended under the user's hands, the browser is sent to the login page with a message
(an htmx request included: no login page pasted into the wizard) and what was being typed in a
view that allows it is kept and given back after logging in again."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

SEEN = "seen"  # when the session was last renewed (epoch seconds)
RENEW_EVERY = 60  # seconds: renewing is a session write, so at most once a minute
TYPED = "typed_before_login"
TYPED_MAX_BYTES = 20_000
EXPIRED = "ログインの有効期限が切れました。もう一度ログインしてください。"


def session_started(sender, request, user, **kwargs) -> None:
    """At login: the session is new, so the first pages need not renew it."""
    request.session[SEEN] = int(time.time())


def keep_typed_across_login(view):
    """Mark a view whose form, when posted after the session ended, is kept until the user has
    logged in again (``typed_before_login`` gives it back)."""
    view.keeps_typed_across_login = True
    return view


def typed_before_login(request) -> QueryDict | None:
    """What was posted to this page (or to its htmx requests) when the session had ended; once."""
    typed = request.session.get(TYPED)
    if not typed or typed["path"] != request.path:
        return None
    del request.session[TYPED]
    data = QueryDict(mutable=True)
    for name, values in typed["data"].items():
        data.setlist(name, values)
    return data


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _sent_to_login(response):
            return _after_the_session_ended(request, response)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(SEEN, 0) >= RENEW_EVERY:
                request.session[SEEN] = now  # saved: the cookie and the row expire later
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_store=True)
        return response


def _sent_to_login(response) -> bool:
    if response.status_code not in (301, 302):
        return False
    return response.get("Location", "").split("?")[0] == resolve_url(settings.LOGIN_URL)


def _after_the_session_ended(request, response):
    """A post or an htmx request that needed a login: the session ended while the page was open.
    (A plain GET may be a first visit: it is redirected as Django does, without a message.)"""
    htmx = getattr(request, "htmx", False)
    if request.method != "POST" and not htmx:
        return response
    page = (htmx.current_url_abs_path if htmx else None) or request.path
    view = getattr(request.resolver_match, "func", None)
    if request.method == "POST" and getattr(view, "keeps_typed_across_login", False):
        data = {
            name: request.POST.getlist(name)
            for name in request.POST
            if name not in ("csrfmiddlewaretoken", "recalculate")
        }
        if len(repr(data)) <= TYPED_MAX_BYTES:
            request.session[TYPED] = {"path": page.split("?")[0], "data": data}
    messages.warning(request, EXPIRED)
    if not htmx:
        return response  # to the login page, then back to this one
    # the page the request came from, not the fragment's URL
    return HttpResponseClientRedirect(
        f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page}, safe='/')}"
    )
