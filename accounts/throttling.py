"""Limits on guessing: the login lockout (django-axes) and the password-reset e-mails.

Both count the client's address as `client_address` reads it, and the e-mail address as the
user model stores it (lower case), so neither a proxy nor capital letters make a new count."""

import hashlib
import ipaddress
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest

from accounts.models import UserManager


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from (AXES_CLIENT_IP_CALLABLE).

    With no proxy in front (CLIENT_PROXY_COUNT=0, from the environment's AXES_PROXY_COUNT) it is
    REMOTE_ADDR. Behind CLIENT_PROXY_COUNT reverse proxies, each appending the address it
    received from to X-Forwarded-For, it is the entry that many places from the right: the one
    the outermost proxy saw. Entries further left were written by the client and are never
    trusted. Without such an entry (a request that did not pass every proxy, or a value that is
    not an address) it is REMOTE_ADDR."""
    remote_addr = request.META.get("REMOTE_ADDR")
    count = settings.CLIENT_PROXY_COUNT
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if count == 0 or len(entries) < count:
        return remote_addr
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote_addr


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account axes counts failures for (AXES_USERNAME_CALLABLE): the typed address in
    lower case, so that AOBA@EXAMPLE.JP and aoba@example.jp are one account to the lockout, as
    they are to the login."""
    typed = (credentials or request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return UserManager.normalize_email(typed) if typed else typed


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a second limit, for one account from any addresses.

    Axes compares every lockout parameter with one failure limit and one cool-off, so its own
    parameter stays ("username", "ip_address"): AXES_FAILURE_LIMIT failures from one address
    lock that account for that address for AXES_COOLOFF_TIME. This handler adds: when the
    account's failures from all addresses, in attempts within the last
    LOGIN_ACCOUNT_COOLOFF_MINUTES, reach LOGIN_ACCOUNT_FAILURE_LIMIT, the account is locked for
    everyone. The higher limit is never reached by one person mistyping (the address lock comes
    first), and the short window means that someone rotating addresses gets few guesses, yet
    cannot keep the owner out for longer than that window after they stop."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self._account_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if self._account_locked(request, credentials):
            request.axes_locked_out = True  # answered with the lockout page, as axes does
            request.axes_credentials = credentials

    def _account_locked(self, request, credentials) -> bool:
        since = request.axes_attempt_time - timedelta(
            minutes=settings.LOGIN_ACCOUNT_COOLOFF_MINUTES
        )
        failures = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), attempt_time__gte=since
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT


def password_reset_allowed(*, email: str, request: HttpRequest) -> bool:
    """Count one password-reset request for the address and for the client; True while both
    are within their limits for the current window (PASSWORD_RESET_LIMIT_PER_EMAIL and
    PASSWORD_RESET_LIMIT_PER_CLIENT per PASSWORD_RESET_WINDOW_MINUTES). Counts live in the cache
    (Redis in production, shared by every app server)."""
    email_count = _count("email", UserManager.normalize_email(email))
    client_count = _count("client", client_address(request) or "")
    return (
        email_count <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        and client_count <= settings.PASSWORD_RESET_LIMIT_PER_CLIENT
    )


def _count(kind: str, value: str) -> int:
    """One more in this window; the window starts with the first request and lasts its time."""
    key = f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=window)
        return 1
