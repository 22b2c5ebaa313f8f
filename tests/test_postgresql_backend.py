"""config/postgresql: the health check reads the socket, sends nothing, and still replaces a
connection the server has ended. Against the PostgreSQL the project runs beside
(127.0.0.1:5432, database test), on both CI runs: the SQLite run tests this backend too."""

import time
from unittest import mock

import dj_database_url
import psycopg
import pytest
from django.db import connections

from config.postgresql.base import DatabaseWrapper

URL = "postgres://postgres@127.0.0.1:5432/test"


@pytest.fixture
def wrapper(django_db_blocker):
    settings = dj_database_url.parse(URL, conn_max_age=60, conn_health_checks=True)
    settings = connections.configure_settings({"default": settings})["default"]
    settings["ENGINE"] = "config.postgresql"
    db = DatabaseWrapper(settings, alias="health")
    with django_db_blocker.unblock():
        db.ensure_connection()
        yield db
        db.close()


def backend_pid(db) -> int:
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_live_connection_passes_without_a_query(wrapper):
    backend_pid(wrapper)
    kept = wrapper.connection
    wrapper.health_check_done = False  # as at the start of the next request
    with mock.patch.object(psycopg.Connection, "cursor", side_effect=AssertionError("a query")):
        assert wrapper.is_usable()
        wrapper.close_if_health_check_failed()
    assert wrapper.connection is kept


def test_a_connection_the_server_ended_is_replaced_before_the_next_query(wrapper):
    ended = backend_pid(wrapper)
    with psycopg.connect(URL, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [ended])
    deadline = time.monotonic() + 10  # the FATAL message arrives at once; this only bounds it
    while wrapper.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not wrapper.is_usable()

    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()
    assert wrapper.connection is None
    assert backend_pid(wrapper) != ended  # a new connection, and no error for this "request"


def test_a_closed_connection_is_not_usable(wrapper):
    wrapper.connection.close()
    assert not wrapper.is_usable()
