"""Production settings, headers and login throttling."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests import factories

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-for-the-check-" + "k" * 30,
    "ALLOWED_HOSTS": "navi.example.jp",
    "EMAIL_HOST": "smtp.example.jp",
    "DATABASE_URL": "sqlite:////tmp/check-deploy.sqlite3",
}


def test_check_deploy_is_clean_with_production_settings():
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=environment | PRODUCTION,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_a_bad_boolean_stops_the_start_up():
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        capture_output=True,
        text=True,
        env=os.environ | {"DEBUG": "maybe"},
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert done.returncode != 0 and "DEBUG='maybe' is not a boolean" in done.stderr


def test_with_redis_sessions_are_shared_by_every_app_server():
    """REDIS_URL: one cache for all app servers, sessions read from it and kept in the database
    too; without it, sessions stay in the database only (no per-process session cache)."""
    show = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"
    )

    def configured(**environment):
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", show],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "REDIS_URL"} | environment,
            cwd=settings.BASE_DIR,
            check=True,
        )
        return done.stdout.split()

    assert configured(REDIS_URL="redis://127.0.0.1:6379/3") == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]
    assert configured() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
    ]


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_code(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy and "http" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html  # the htmx script tag
    assert "<style" not in html and ' style="' not in html
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_with_a_japanese_message(client):
    user = factories.clinic_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.email, "password": "wrong-password"})
    locked = client.post(
        "/accounts/login/", {"username": user.email, "password": factories.PASSWORD}
    )
    assert locked.status_code == 429
    assert "ログインを一時的に停止しています" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_correct_password_logs_in_before_the_limit(client):
    user = factories.clinic_user()
    client.post("/accounts/login/", {"username": user.email, "password": "wrong-password"})
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
