"""What the drills and benchmarks that run the production set-up on a throwaway PostgreSQL
database share: statements to the server itself, and manage.py run with a given environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


def pg_admin(sql: str) -> None:
    """A statement outside any database's transaction (CREATE / DROP DATABASE)."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def manage(env: dict, *command: str) -> str:
    """manage.py ``command`` with ``env``; its stdout, or exit with what it printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout
