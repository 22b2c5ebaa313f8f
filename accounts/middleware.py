"""Two answers for logged-in traffic (issue 21): private pages are never stored by a browser's
or a proxy's cache, and an htmx request whose session has ended sends the browser to the login
page instead of having the login page pasted into the wizard."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _to_login(request, response):
            messages.warning(
                request, "ログインの有効期限が切れました。もう一度ログインしてください。"
            )
            return HttpResponseClientRedirect(response["Location"])
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _to_login(request, response) -> bool:
    """An htmx request answered with the redirect to the login page."""
    if not getattr(request, "htmx", False) or response.status_code not in (301, 302):
        return False
    return response.get("Location", "").split("?")[0] == resolve_url(settings.LOGIN_URL)
