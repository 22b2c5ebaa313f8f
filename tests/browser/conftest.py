"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's
live server. Every test leaves a screenshot of its last page (and a trace when it fails) in
test-artifacts/playwright/."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

from clinics.services import associations_ensure
from eligibility.services import rule_version_load_file

# Playwright's sync API keeps an event loop running in this thread; the test's own database
# calls are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# On SQLite the test database lives in memory and the live server shares the test's one
# connection; its threaded server would use it from two threads when two requests overlap (an
# htmx preview and a submit, a page and the next browser's login), which SQLite answers with
# "bad parameter or other API misuse". A server that answers one request at a time (and closes
# each connection, so that a browser's keep-alive cannot hold it) avoids that.
class OneRequestAtATimeServer(WSGIServer):
    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)  # the server's thread already uses the shared one


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    LiveServerThread.server_class = OneRequestAtATimeServer

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "chromium is not installed: run scripts/ensure_packages.sh test (make test does)"
        )
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


# Every page a browser test opens is watched for Content Security Policy violations (Chromium
# reports each on the console: "Refused to apply inline style because it violates…"): a test
# that met one fails, naming the page and the message.
_csp_violations: list[str] = []


def watch_csp(context):
    """Record the CSP violations of every page of ``context``."""

    def on_console(message):
        if "Content Security Policy" in message.text:
            _csp_violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", on_console)
    return context


def new_context(browser, **kwargs):
    """A browser context as the tests open them (Japanese locale), watched for CSP violations."""
    return watch_csp(browser.new_context(**{"locale": "ja-JP", **kwargs}))


@pytest.fixture
def context(context):
    return watch_csp(context)


@pytest.fixture(autouse=True)
def _no_csp_violations():
    _csp_violations.clear()
    yield
    assert not _csp_violations, "CSP violations:\n" + "\n".join(_csp_violations)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the reference data a fresh database has (the flush between
    transactional tests removes what migrations loaded)."""
    associations_ensure()
    rule_version_load_file(label="2026.1")
    return live_server.url


def login(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def assert_accessible(page) -> None:
    """axe-core (shipped inside axe-playwright-python, no CDN): no serious or critical issue."""
    results = Axe().run(page)
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, f"{page.url}: {serious}"
