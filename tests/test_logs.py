"""What the processes write for the process manager: one line per request and per task, the
traceback of every error, JSON with DEBUG off; Sentry only when its variable is set."""

import io
import json
import logging
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.urls import path

from config.logs import JsonFormatter
from tests import factories

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("売上の集計で想定外の値")


urlpatterns = [path("broken/", broken_view)]


@pytest.fixture
def lines():
    """What the stdout handler writes, as JSON objects (the production format)."""
    handler = logging.getHandlerByName("stdout")
    buffer = io.StringIO()
    stream, formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(JsonFormatter())
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    handler.setStream(stream)
    handler.setFormatter(formatter)


def test_a_500_with_debug_off_writes_its_traceback_and_a_line(client, settings, lines):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    assert client.get("/broken/").status_code == 500
    logged = lines()
    [error] = [line for line in logged if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert "RuntimeError: 売上の集計で想定外の値" in error["traceback"]
    assert "broken_view" in error["traceback"]
    [request] = [line for line in logged if line["logger"] == "hojokin.request"]
    assert request["level"] == "ERROR"
    assert (request["method"], request["path"], request["status"]) == ("GET", "/broken/", 500)


def test_each_request_is_one_line_saying_who_what_and_how_long(client, lines):
    user = factories.clinic_user()
    client.force_login(user)
    client.get("/screenings/")
    client.get("/no-such-page/")
    requests = [line for line in lines() if line["logger"] == "hojokin.request"]
    assert [(r["path"], r["status"]) for r in requests] == [
        ("/screenings/", 200),
        ("/no-such-page/", 404),
    ]
    first = requests[0]
    assert first["message"].startswith("GET /screenings/ 200 ")
    assert first["user_id"] == user.pk and first["clinic_id"] == user.clinic_id
    assert first["association_id"] is None and first["htmx"] is False
    assert first["duration_ms"] > 0
    assert not [line for line in lines() if line["logger"] == "django.request"]  # no 404 warning


def test_each_task_run_is_one_line(lines):
    from announcements.tasks import deliver_emails

    deliver_emails.enqueue()
    [task] = [
        line for line in lines() if line["logger"].startswith(("hojokin.task", "django.tasks"))
    ]
    assert task["logger"] == "hojokin.task" and task["level"] == "INFO"
    assert task["task"] == "announcements.tasks.deliver_emails"
    assert task["status"] == "SUCCESSFUL" and task["duration_ms"] >= 0


def test_a_failed_task_writes_its_traceback(settings, run_ready_tasks, lines):
    from announcements.tasks import deliver_emails

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    deliver_emails.enqueue()
    with mock.patch("announcements.outbox.emails_deliver", side_effect=OSError("disk full")):
        [ran] = run_ready_tasks()
    assert ran.status == "FAILED"
    [task] = [line for line in lines() if line["logger"] == "hojokin.task"]
    assert task["level"] == "ERROR" and task["status"] == "FAILED"
    assert task["worker"] == "test"
    assert "OSError: disk full" in task["traceback"]


@pytest.mark.parametrize("dsn", ["", "https://public@sentry.example.invalid/1"])
def test_error_reports_go_to_sentry_only_when_its_variable_is_set(dsn):
    code = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings", "SENTRY_DSN": dsn}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == ("True" if dsn else "False")


def test_a_link_s_secret_is_not_written_to_the_log(client, lines):
    client.get("/share/a-secret-token-of-a-share-link/")
    client.get("/invite/an-invitation-token/")
    logged = " ".join(json.dumps(line, ensure_ascii=False) for line in lines())
    assert "a-secret-token-of-a-share-link" not in logged
    assert "an-invitation-token" not in logged
    assert "/share/<token>/" in logged and "/invite/<token>/" in logged
