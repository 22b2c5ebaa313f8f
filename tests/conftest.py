import json

import pytest
from django.core.cache import cache
from django.test.utils import override_settings

from eligibility.engine import parse_rules
from eligibility.selectors import _frozen_rule_set
from eligibility.services import RULES_DIR, rule_version_load_file


def rules_document(label: str = "2026.1") -> dict:
    return json.loads((RULES_DIR / f"{label}.json").read_text(encoding="utf-8"))


def _flushes_the_database(item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that end with a flush of the database (the browser tests, with their live server)
    run after all the others, as pytest-django means them to: the rules every other test reads
    are loaded once per session, and a flush removes them. Run last, so that pytest's own
    grouping by parametrized fixtures cannot move a test behind them."""
    items.sort(key=_flushes_the_database)


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """What the suite changes in the settings, for every test (and the live server's thread):
    uploads go to a temporary folder, never the demo site's var/uploads; passwords are hashed
    with a quick hasher, as Django's documentation advises for test suites (thousands of users
    are made and logged in; the hasher itself is Django's, not ours, and not under test)."""
    with override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("uploads"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture(scope="session")
def rules():
    """The 2026 rules as the engine sees them, straight from the data file (no database)."""
    return parse_rules(rules_document(), status="published")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the shipped 2026.1 version, published."""
    with django_db_blocker.unblock():
        rule_version_load_file(label="2026.1")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches: ids are reused after a rolled-back test."""
    _frozen_rule_set.cache_clear()
    cache.clear()
    yield
    _frozen_rule_set.cache_clear()
    cache.clear()


@pytest.fixture
def run_ready_tasks():
    """What `manage.py db_worker` does with each ready task of the database backend (its own
    loop closes the connection, which would end the test's transaction). Returns the results."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    def run() -> list:
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test",
            excluded_queue_names=[],
        )
        ran = []
        for task_result in DBTaskResult.objects.ready():
            task_result.claim("test")
            worker.run_task(task_result)
            task_result.refresh_from_db()
            ran.append(task_result)
        return ran

    return run
