"""Fault drill (make fault-pg): restart PostgreSQL while clinics walk the wizard.

The production set-up (gunicorn, DEBUG off) serves a throwaway database; clinics save wizard
steps in a loop, each save carrying a new headcount. Mid-run PostgreSQL is restarted with
pg_ctlcluster. The script prints what the clinics saw second by second (errors only while the
database was down, then recovery with no restart of the app: CONN_HEALTH_CHECKS), and checks
that every save the site acknowledged (a redirect after POST) is in the database.

Loopback only; bounded in time. Needs root (pg_ctlcluster) and a local PostgreSQL cluster.
usage: .venv/bin/python scripts/fault_pg_restart.py [--clinics 8] [--seconds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import (
    CSRF_RE,
    ROOT,
    drop_database,
    login_and_start,
    prepare_database,
    server_env,
    start_server,
)


def restart_postgres() -> tuple[float, float]:
    version = sorted(Path(p).name for p in glob.glob("/etc/postgresql/*"))[-1]
    began = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
    )
    return began, time.monotonic()


async def clinic_saves(base, n, stop_at, log, acknowledged):
    async with httpx.AsyncClient(base_url=base, timeout=10, follow_redirects=False) as client:
        screening = await login_and_start(client, n, f"障害試験{n}")
        url = f"/screenings/{screening}/applicant/"
        employees = 0
        while time.monotonic() < stop_at:
            employees += 1
            try:
                page = await client.get(url)
                token = CSRF_RE.search(page.text).group(1) if page.status_code == 200 else None
                if token is None:
                    log.append((time.monotonic(), page.status_code))
                    await asyncio.sleep(0.2)
                    continue
                saved = await client.post(
                    url,
                    data={
                        "legal_form": "medical_corporation",
                        "employees": str(employees),
                        "csrfmiddlewaretoken": token,
                    },
                )
                log.append((time.monotonic(), saved.status_code))
                if saved.status_code == 302:
                    acknowledged[url] = employees
            except httpx.HTTPError:
                log.append((time.monotonic(), "connection error"))
                await asyncio.sleep(0.2)


def stored_headcounts(env: dict) -> dict[str, int]:
    code = """
from eligibility.models import Screening
for s in Screening.objects.all():
    print(f"/screenings/{s.pk}/applicant/", s.answers.get("employees"))
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return {
        line.split()[0]: int(line.split()[1]) for line in out.splitlines() if line.startswith("/")
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clinics", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--port", type=int, default=8098)
    options = parser.parse_args()
    env = server_env(options.port)
    prepare_database(env, options.clinics)
    server = start_server(env, options.port, 4)
    log: list = []
    acknowledged: dict[str, int] = {}
    started = time.monotonic()
    stop_at = started + options.seconds
    try:

        async def drill():
            walks = asyncio.gather(
                *(
                    clinic_saves(f"http://127.0.0.1:{options.port}", n, stop_at, log, acknowledged)
                    for n in range(options.clinics)
                )
            )
            await asyncio.sleep(options.seconds / 3)
            down, up = await asyncio.to_thread(restart_postgres)
            await walks
            return down, up

        down, up = asyncio.run(drill())
        print(f"PostgreSQL restarted at t={down - started:.1f}s, back at t={up - started:.1f}s")
        by_second = defaultdict(Counter)
        for at, status in log:
            by_second[int(at - started)][status] += 1
        for second in sorted(by_second):
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(by_second[second].items(), key=str))
            print(f"  t={second:3}s  {counts}")
        errors = [(at, s) for at, s in log if s not in (200, 302)]
        outside = [e for e in errors if not (down - 1 <= e[0] <= up + 5)]
        recovered = [s for at, s in log if at > up + 5]
        print(f"errors: {len(errors)} in all; outside the restart window (+5 s): {len(outside)}")
        print(
            f"after recovery: {len(recovered)} requests, {sum(s == 302 for s in recovered)} saves"
        )
        stored = stored_headcounts(env)
        # A save whose answer was lost on the way back may still be stored: never less than acked.
        lost = {
            url: (n, stored.get(url)) for url, n in acknowledged.items() if stored.get(url, 0) < n
        }
        print(
            f"acknowledged saves checked: {len(acknowledged)} screenings; lost or different: {len(lost)}"
        )
        ok = not outside and recovered and not lost and server.poll() is None
        print(
            "RESULT:",
            "recovered without an app restart; nothing saved was lost" if ok else "FAILED",
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        drop_database()


if __name__ == "__main__":
    main()
