"""Backup drill (make backup-drill): back up the PostgreSQL database, restore it into a fresh
one, start the app against the copy and compare it with the original.

A throwaway database is filled as a season of use would: the demo data, the 47 associations,
CLINICS clinics with users, a completed screening each (with its stored outcomes), a notice
published with its e-mail rows. Then, as the operator would (docs/operations.md, Backups):

    pg_dump --format=custom --file=… <source>
    createdb <copy> && pg_restore --no-owner --dbname=<copy> …

and the app (Django, DEBUG off, the copy's DATABASE_URL) answers for the copy what it answers
for the original: every table's row count, and one screening's result page and PDF, byte for
byte. Prints each step's time and the dump's size; exits non-zero if anything differs.

Needs the PostgreSQL client tools (pg_dump, pg_restore; installed with the server here).
usage: .venv/bin/python scripts/backup_drill.py [--clinics 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throwaway import PG, manage, pg_admin

SOURCE, COPY = "backup_drill_source", "backup_drill_copy"

FILL = """
from django.db import transaction
from accounts.models import User
from announcements.models import Publication
from announcements.services import notice_jma_ensure, publication_publish
from eligibility.selectors import today
from eligibility.services import screening_complete, screening_create
from tests import factories
ANSWERS = {
    "legal_form": "medical_corporation", "employees": 40,
    "goals": ["normal", "invoice", "security"],
    "normal": {"tools": ["web_reservation", "emr_integration"], "purchase_yen": 1_200_000,
               "cloud_monthly_yen": 30_000, "cloud_months": 36},
    "invoice": {"tools": ["accounting", "cashless"], "purchase_yen": 1_000_000},
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "minimum_wage_near": False, "wage_increase_plan": True, "tools_done": True,
}
with transaction.atomic():
    for n in range(CLINICS):
        # no password: hashing one takes half a second, and the drill logs in with force_login
        user = User.objects.create_user(
            f"drill{n}@example.jp", None, clinic=factories.clinic(employees=10 + n % 60)
        )
        screening = screening_create(clinic=user.clinic, name=f"見積り{n}", by=user)
        screening.answers = ANSWERS | {"employees": 10 + n % 60}
        screening.save()
        screening_complete(screening=screening, as_of=today())
    staff = factories.staff("東京都")
    draft = Publication.objects.create(
        association=factories.association("東京都"), notice=notice_jma_ensure(),
        title="デジタル化・AI導入補助金2026のご案内", cover_message="会員の皆さまへ。",
        created_by=staff,
    )
    publication_publish(publication=draft)
print(screening.pk, user.email)
"""

# The app against one database: every table's rows, one screening's result page and PDF.
LOOK = """
import hashlib, json, re
from django.db import connection
from django.test import Client
from accounts.models import User
with connection.cursor() as cursor:
    tables = sorted(connection.introspection.table_names(cursor))
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
client = Client()
client.force_login(User.objects.get(email=EMAIL))
page = client.get("/screenings/SCREENING/result/", secure=True)
pdf = client.get("/screenings/SCREENING/result.pdf", secure=True)
assert page.status_code == 200 and pdf.status_code == 200, (page.status_code, pdf.status_code)
main = re.search(r"<main.*?</main>", page.content.decode(), re.S).group(0)
main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
print(json.dumps({
    "counts": counts,
    "page": hashlib.sha256(main.encode()).hexdigest(),
    "pdf": hashlib.sha256(pdf.content).hexdigest(),
    "pdf_bytes": len(pdf.content),
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinics", type=int, default=2000)
    args = parser.parse_args()

    def env_for(database: str) -> dict:
        return os.environ | {
            "DATABASE_URL": f"{PG}/{database}",
            "DEBUG": "false",
            "SECRET_KEY": "backup-drill-only",
            "ALLOWED_HOSTS": "testserver",
            "TASKS_IMMEDIATE": "false",
            "PDF_PRERENDER": "false",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
        }

    def run(database: str, *command: str, debug_storage: bool = False) -> str:
        env = env_for(database)
        if debug_storage:  # pages in-process: static files are not collected for the drill
            env["DEBUG"] = "true"
        return manage(env, *command)

    def timed(what: str, step) -> object:
        started = time.monotonic()
        value = step()
        took = time.monotonic() - started
        figures[what] = took
        print(f"  {what:<44} {took:6.1f} s")
        return value

    def shell(database: str, code: str) -> str:
        return run(database, "shell", "--no-imports", "-c", code, debug_storage=True)

    figures: dict[str, float] = {}
    for database in (SOURCE, COPY):
        pg_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {SOURCE}")
    began = time.monotonic()
    print(f"backup drill: PostgreSQL, {args.clinics} clinics with a completed screening each")
    try:
        with tempfile.TemporaryDirectory(prefix="backup-drill-") as folder:
            dump = Path(folder) / "hojokin-navi.dump"
            timed("migrate and load the demo", lambda: _fill(run))
            screening, email = timed(
                f"{args.clinics} clinics complete a screening",
                lambda: _screenings(shell, args.clinics),
            )
            timed(
                "pg_dump --format=custom",
                lambda: subprocess.run(
                    ["pg_dump", "--format=custom", f"--file={dump}", f"{PG}/{SOURCE}"], check=True
                ),
            )
            size = dump.stat().st_size
            timed("createdb + pg_restore into a fresh database", lambda: _restore(dump))
            look = LOOK.replace("EMAIL", repr(email)).replace("SCREENING", screening)
            source = timed(
                "the app against the source",
                lambda: json.loads(shell(SOURCE, look).splitlines()[-1]),
            )
            copy = timed(
                "the app against the copy", lambda: json.loads(shell(COPY, look).splitlines()[-1])
            )
            digest = hashlib.sha256(dump.read_bytes()).hexdigest()[:16]
    finally:
        for database in (SOURCE, COPY):
            pg_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

    rows = sum(source["counts"].values())
    print(
        f"  dump: {size / 1e6:.1f} MB (sha256 {digest}…), {len(source['counts'])} tables, {rows:,} rows"
    )
    differing = [
        table
        for table in sorted(set(source["counts"]) | set(copy["counts"]))
        if source["counts"].get(table) != copy["counts"].get(table)
    ]
    backup_restore = (
        figures["pg_dump --format=custom"] + figures["createdb + pg_restore into a fresh database"]
    )
    print(
        f"  backup + restore: {backup_restore:.1f} s; the whole drill {time.monotonic() - began:.1f} s"
    )
    checks = [
        (
            not differing,
            f"every table's row count is the same ({len(source['counts'])} tables)"
            if not differing
            else f"row counts differ: {differing}",
        ),
        (source["page"] == copy["page"], "screening's result page identical"),
        (
            source["pdf"] == copy["pdf"],
            f"screening's PDF identical ({source['pdf_bytes']:,} bytes)",
        ),
    ]
    for ok, what in checks:
        print(f"  {'ok    ' if ok else 'FAILED'} {what}")
    return 0 if all(ok for ok, _ in checks) else 1


def _fill(run) -> None:
    run(SOURCE, "migrate", "--no-input", "-v", "0")
    run(SOURCE, "load_demo")


def _screenings(shell, clinics: int) -> tuple[str, str]:
    screening, email = shell(SOURCE, FILL.replace("CLINICS", str(clinics))).split()[-2:]
    return screening, email


def _restore(dump: Path) -> None:
    pg_admin(f"CREATE DATABASE {COPY}")
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={PG}/{COPY}", str(dump)],
        check=True,
    )


if __name__ == "__main__":
    sys.exit(main())
