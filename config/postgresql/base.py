"""PostgreSQL as Django's own backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django checks a reused connection before each request's first query,
and its PostgreSQL backend does so by sending ``SELECT 1``: one more round trip on every page,
which under load waits for the database process to be scheduled like any query. Here the check
looks at the socket instead. An idle connection has nothing to read; when PostgreSQL restarts
or ends a backend it writes a FATAL message and closes the connection, so the socket turns
readable, and the connection is closed and opened afresh, as after a failed ``SELECT 1``. Any
other pending message (a notice, a changed setting) also closes it: a reconnect, never a wrong
answer. A server that vanishes without a word is not seen by either check before the query
(``SELECT 1`` would wait for TCP to give up). The same peek is what pgdog does on every checkout
(pgdogdev/pgdog#1318) and ruby-pg's ``check_socket`` offers.

Used by settings.py for every postgres:// DATABASE_URL; tests/test_postgresql_backend.py.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN)
        return not poller.poll(0)
