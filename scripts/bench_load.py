"""Load benchmark (make bench-load): the production set-up on this machine, driven from a
second process.

gunicorn (config.wsgi, DEBUG off, whitenoise) against PostgreSQL and Redis (sessions, cache;
BENCH_REDIS_URL, default redis://127.0.0.1:6379/0) serves a throwaway database;
20 logged-in clinics walk the wizard and open their results concurrently, then the same clients
send as many requests to a bare Django view (/health/), for comparison; the two take turns in
blocks. Traffic stays on 127.0.0.1 and every loop is bounded in requests and time. Prints
p50/p95/p99, requests/s and errors for both, and the SQL queries per wizard step, then checks
the capacity target (docs/performance.md): wizard requests >= 100/s, p95 <= 250 ms for each
kind of wizard request, 0 errors, and queries per request small (<= 8) and the same on every
walk.

usage: .venv/bin/python scripts/bench_load.py [--clinics 20] [--rounds 15] [--blocks 5]
       [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bench_load"
PASSWORD = "bench-load-2026-pass"
TIME_LIMIT_S = 120
TARGET_REQUESTS_PER_S = 100
TARGET_P95_MS = 250
TARGET_MAX_QUERIES = 8
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

STEPS = [
    ("applicant", {"legal_form": "medical_corporation", "employees": "40"}),
    ("goals", {"goals": ["normal", "invoice"]}),
    (
        "tools",
        {
            "normal-tools": ["web_reservation", "emr_integration"],
            "normal-purchase_yen": "120万円",
            "normal-cloud_monthly_yen": "30,000",
            "normal-cloud_months": "36",
            "invoice-tools": ["accounting", "cashless"],
            "invoice-purchase_yen": "100万",
        },
    ),
    ("wages", {"minimum_wage_near": "no"}),
]


def server_env(port: int) -> dict:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-load-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, no TLS proxy in front
        "SECURE_COOKIES": "false",
        "TASKS_IMMEDIATE": "true",
        "SITE_URL": f"http://127.0.0.1:{port}",
        # Sessions and the cache in Redis, as in production; keys of this run only.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CACHE_KEY_PREFIX": f"bench-load-{os.getpid()}",
    }


def prepare_database(env: dict, clinics: int) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_rules"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    code = f"""
from accounts.models import User
from clinics.models import Association, Clinic
tokyo = Association.objects.get(prefecture="東京都")
for n in range({clinics}):
    clinic = Clinic.objects.create(association=tokyo, name=f"負荷試験クリニック{{n}}",
        legal_form="medical_corporation", employees=40)
    User.objects.create_user(f"load{{n}}@example.jp", "{PASSWORD}", clinic=clinic)
"""
    subprocess.run([*manage, "shell", "-c", code], cwd=ROOT, env=env, check=True)


def drop_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,  # a log line per request (as in production), not shown here
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.elapsed = 0.0  # seconds spent in timing() blocks

    @property
    def count(self) -> int:
        return sum(len(times) for times in self.times.values())

    @contextlib.contextmanager
    def timing(self):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.elapsed += time.perf_counter() - started

    async def request(self, client: httpx.AsyncClient, kind: str, method: str, url: str, **kw):
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kw)
        except httpx.HTTPError:
            self.errors[kind] += 1
            return None
        self.times[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            self.errors[kind] += 1
        return response


async def login_and_start(client: httpx.AsyncClient, n: int, name: str) -> str:
    """Log in as clinic ``n`` through the login form and start a screening; its id."""
    page = await client.get("/accounts/login/")
    token = CSRF_RE.search(page.text).group(1)
    credentials = {"username": f"load{n}@example.jp", "password": PASSWORD}
    await client.post("/accounts/login/", data=credentials | {"csrfmiddlewaretoken": token})
    page = await client.get("/screenings/")
    token = CSRF_RE.search(page.text).group(1)
    created = await client.post("/screenings/", data={"name": name, "csrfmiddlewaretoken": token})
    return created.headers["location"].split("/")[2]


async def clinic_walk(
    client: httpx.AsyncClient, screening: str, rounds: int, rec: Recorder, stop_at: float
) -> None:
    """A logged-in clinic walks its screening's wizard ``rounds`` times, opening the result."""
    for _ in range(rounds):
        if time.monotonic() > stop_at:
            return
        for step, data in STEPS:
            url = f"/screenings/{screening}/{step}/"
            got = await rec.request(client, "wizard step (GET)", "GET", url)
            if got is None or got.status_code != 200:
                continue
            token = CSRF_RE.search(got.text).group(1)
            await rec.request(
                client, "wizard step (POST)", "POST", url,
                data=data | {"csrfmiddlewaretoken": token},
            )  # fmt: skip
        await rec.request(client, "result", "GET", f"/screenings/{screening}/result/")


async def bare_view(client: httpx.AsyncClient, requests: int, rec: Recorder, stop_at: float):
    for _ in range(requests):
        if time.monotonic() > stop_at:
            return
        await rec.request(client, "bare view (/health/)", "GET", "/health/")


async def load(base: str, clinics: int, rounds: int, blocks: int) -> tuple[Recorder, Recorder]:
    """Every clinic logs in and starts a screening first (untimed: a login hashes the password
    slowly on purpose, ~0.4 s of CPU, and is not a wizard step). Then ``blocks`` times: all
    clinics walk the wizard ``rounds / blocks`` times at once, then the same clients send as many
    requests to the bare view. Taking turns in blocks, a slow spell of this shared machine
    falls on both alike. Returns the wizard's and the bare view's recordings."""
    wizard, bare = Recorder(), Recorder()
    clients = [httpx.AsyncClient(base_url=base, timeout=30) for _ in range(clinics)]
    try:
        screenings = await asyncio.gather(
            *(login_and_start(client, n, f"負荷試験{n}") for n, client in enumerate(clients))
        )
        stop_at = time.monotonic() + TIME_LIMIT_S
        for block in range(blocks):
            block_rounds = rounds // blocks + (block < rounds % blocks)
            before = wizard.count
            with wizard.timing():
                await asyncio.gather(
                    *(
                        clinic_walk(client, screening, block_rounds, wizard, stop_at)
                        for client, screening in zip(clients, screenings, strict=True)
                    )
                )
            per_client = max(1, (wizard.count - before) // clinics)
            with bare.timing():
                await asyncio.gather(
                    *(bare_view(client, per_client, bare, stop_at) for client in clients)
                )
    finally:
        for client in clients:
            await client.aclose()
    return wizard, bare


def summary(rec: Recorder, elapsed: float) -> dict[str, float]:
    p95 = {}
    for kind, times in sorted(rec.times.items()):
        q = statistics.quantiles(times, n=100)
        p95[kind] = q[94]
        print(
            f"  {kind:22} n={len(times):5}  p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  "
            f"p99 {q[98]:7.1f} ms  {len(times) / elapsed:7.1f} req/s  errors {rec.errors[kind]}"
        )
    return p95


def queries_per_step(env: dict) -> bool:
    """The SQL queries of each wizard request, walked twice in-process after a warm-up walk;
    whether they are small and the same both times."""
    code = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User
user = User.objects.get(email="load0@example.jp")
client = Client()
client.force_login(user)
screening = user.clinic.screenings.first()
for step, data in STEPS:  # warm-up: this process's first pages load the rules and templates
    client.post(f"/screenings/{screening.pk}/{step}/", data)
walks = []
for _ in range(2):
    counts = {}
    for step, data in STEPS:
        url = f"/screenings/{screening.pk}/{step}/"
        with CaptureQueriesContext(connection) as get:
            client.get(url)
        with CaptureQueriesContext(connection) as post:
            client.post(url, data)
        counts[step] = (len(get), len(post))
    with CaptureQueriesContext(connection) as result:
        client.get(f"/screenings/{screening.pk}/result/")
    counts["result"] = (len(result), None)
    walks.append(counts)
for step, (get, post) in walks[-1].items():
    print(f"  {step:10} GET {get:2} queries" + (f", POST {post:2}" if post is not None else ""))
print("SAME" if walks[0] == walks[1] else "DIFFERENT", max(
    n for counts in walks for pair in counts.values() for n in pair if n is not None
))
"""
    # its request lines would mix with the counts printed on stdout
    env = env | {"ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "WARNING"}
    code = f"STEPS = {STEPS!r}\n" + code
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    *lines, last = done.stdout.rstrip().splitlines()
    print("\n".join(lines))
    same, most = last.split()
    met = same == "SAME" and int(most) <= TARGET_MAX_QUERIES
    print(f"  at most {most} queries a request; the two walks: {same.lower()}")
    return met


def verdict(met: bool) -> str:
    return f"{'met' if met else 'NOT MET':7}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clinics", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--blocks", type=int, default=5, help="wizard and bare view take turns")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8099)
    options = parser.parse_args()
    env = server_env(options.port)
    base = f"http://127.0.0.1:{options.port}"
    prepare_database(env, options.clinics)
    server = start_server(env, options.port, options.workers)
    try:
        print(
            f"gunicorn {options.workers} workers, PostgreSQL; {options.clinics} concurrent "
            f"clinics x {options.rounds} rounds of the wizard (4 steps GET+POST, result), "
            f"taking turns with the bare view in {options.blocks} blocks"
        )
        wizard, bare = asyncio.run(load(base, options.clinics, options.rounds, options.blocks))
        print(
            f"wizard: {wizard.count} requests in {wizard.elapsed:.1f} s "
            f"({wizard.count / wizard.elapsed:.1f} req/s)"
        )
        wizard_p95 = summary(wizard, wizard.elapsed)
        print(f"baseline: {bare.count} requests in {bare.elapsed:.1f} s")
        summary(bare, bare.elapsed)
        errors = sum(wizard.errors.values()) + sum(bare.errors.values())
        print("SQL queries per request (in-process, same database):")
        queries_met = queries_per_step(env)
        rate = wizard.count / wizard.elapsed
        print(f"capacity ({options.clinics} concurrent clinics):")
        print(
            f"  {verdict(rate >= TARGET_REQUESTS_PER_S)} wizard requests: {rate:.1f}/s "
            f"(target ≥ {TARGET_REQUESTS_PER_S}/s)"
        )
        for kind in ("wizard step (GET)", "wizard step (POST)", "result"):
            print(
                f"  {verdict(wizard_p95[kind] <= TARGET_P95_MS)} {kind} p95 "
                f"{wizard_p95[kind]:.1f} ms (target ≤ {TARGET_P95_MS} ms)"
            )
        print(f"  {verdict(errors == 0)} errors: {errors} (target 0)")
        print(
            f"  {verdict(queries_met)} SQL queries per request: small (≤ {TARGET_MAX_QUERIES}) "
            "and the same on every walk"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        drop_database()


if __name__ == "__main__":
    main()
