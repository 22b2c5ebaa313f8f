"""Batch re-screening at the scale of Japan (a benchmark, not a test): make bench-rescreen.

For each database (a throwaway SQLite file and a throwaway PostgreSQL database), it generates
synthetic clinics with completed screenings under 2026.1 (26,250, then 52,500, then 105,000,
about the number of clinics in Japan), publishes a new version cloned from 2026.1 with one
changed figure (セキュリティ対策推進枠 小規模 2/3 → 3/4) and a new 通常枠 round, and times
`manage.py rescreen --rules LABEL` on all of them, in its own process: clinics per second,
seconds, and that process's peak memory (ru_maxrss). The databases are removed afterwards.

    python manage.py bench_rescreen [--sizes 26250,52500,105000] [--databases sqlite,postgres]
"""

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

SQLITE_PATH = Path("/tmp/bench.sqlite3")
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_DATABASE = "bench_rescreen"
CHUNK = 5000
TARGET_SECONDS = 5  # issue 19: 105,000 on PostgreSQL with one worker
WORKER_OPTIONS = ("--batch", "--no-startup-delay", "--interval", "0", "--no-reload", "-v", "0")


class Command(BaseCommand):
    help = "10万5千件の確認を新しい版で再判定する時間とメモリを測ります（SQLite と PostgreSQL）。"

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="26250,52500,105000")
        parser.add_argument("--databases", default="sqlite,postgres")
        parser.add_argument("--pg-server", default=PG_SERVER)
        parser.add_argument("--keep", action="store_true", help="測定後もデータベースを残す")
        # the steps below run inside the throwaway database (called by the benchmark itself)
        parser.add_argument("--generate", type=int, help="(内部用)")
        parser.add_argument("--new-version", metavar="LABEL", help="(内部用)")
        parser.add_argument("--impact", metavar="LABEL", help="(内部用)")
        parser.add_argument("--run-summary", metavar="LABEL", help="(内部用)")
        parser.add_argument("--workers", default="1,2", help="PostgreSQL で比べる db_worker の数")

    def handle(self, *args, sizes, databases, pg_server, keep, generate, new_version, **opts):
        if generate:
            return self._generate(generate)
        if new_version:
            return self._new_version(new_version)
        if opts["impact"]:
            return self._impact(opts["impact"])
        if opts["run_summary"]:
            return self._run_summary(opts["run_summary"])
        self.workers = [int(n) for n in opts["workers"].split(",") if n.strip()]
        sizes = sorted(int(s.replace("_", "")) for s in sizes.split(","))
        results = {}
        for database in [d.strip() for d in databases.split(",") if d.strip()]:
            if database == "sqlite":
                results["SQLite"] = self._bench_sqlite(sizes, keep)
            elif database == "postgres":
                results["PostgreSQL"] = self._bench_postgres(sizes, pg_server, keep)
            else:
                raise CommandError(f"unknown database {database!r} (sqlite, postgres)")
        self._summary(results)

    # --- orchestration (outer process) --------------------------------------------------------

    def _bench_sqlite(self, sizes, keep):
        for path in (SQLITE_PATH, Path(f"{SQLITE_PATH}-journal"), Path(f"{SQLITE_PATH}-wal")):
            path.unlink(missing_ok=True)
        try:
            return self._bench("SQLite", f"sqlite:///{SQLITE_PATH}", sizes)
        finally:
            if not keep:
                SQLITE_PATH.unlink(missing_ok=True)

    def _bench_postgres(self, sizes, server, keep):
        import psycopg

        def admin(sql):
            with psycopg.connect(server.rstrip("/") + "/postgres", autocommit=True) as conn:
                conn.execute(sql)

        admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        admin(f"CREATE DATABASE {PG_DATABASE}")
        try:
            return self._bench(
                "PostgreSQL", server.rstrip("/") + f"/{PG_DATABASE}", sizes, self.workers
            )
        finally:
            if not keep:
                admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")

    def _bench(self, name, url, sizes, workers=()):
        env = os.environ | {"DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "bench-only"}
        self.stdout.write(f"\n== {name} ({url})")
        self._run(env, "migrate", "--no-input", quiet=True)
        self._run(env, "load_rules", "2026.1", quiet=True)
        rows, existing = [], 0
        for i, size in enumerate(sizes, start=2):
            started = time.perf_counter()
            self._run(env, "bench_rescreen", "--generate", str(size - existing), quiet=True)
            existing = size
            label = f"2026.{i}"
            self._run(env, "bench_rescreen", "--new-version", label, quiet=True)
            self.stdout.write(
                f"  {size:,} clinics with completed screenings ready "
                f"({time.perf_counter() - started:.1f} s to generate and publish {label})"
            )
            impact = self._run(env, "bench_rescreen", "--impact", label, quiet=True).strip()
            self.stdout.write(f"  impact preview (read and re-evaluate, no writes): {impact}")
            rows.append((size, *self._timed_rescreen(env, label)))
            size_, seconds, inner, changed, rss = rows[-1]
            self.stdout.write(
                f"  rescreen --rules {label}: {size_:,} screenings in {inner:.2f} s "
                f"({size_ / inner:,.0f} clinics/s; {seconds:.2f} s with start-up), "
                f"{changed:,} changed, peak memory {rss / 1024:.0f} MB"
            )
        if workers:
            self._compare_workers(env, f"2026.{len(sizes) + 1}", sizes[-1], workers)
        return rows

    def _compare_workers(self, env, label, size, counts):
        """The same re-screen queued as chunk tasks and run by N `db_worker` processes at
        once (each exits when the queue is empty): wall time, including their start-up."""
        times = {}
        for count in counts:
            self._run(env, "rescreen", "--rules", label, "--queue", quiet=True)
            started = time.perf_counter()
            workers = [
                subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
                    env=env,
                    cwd=settings.BASE_DIR,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(count)
            ]
            for worker in workers:
                worker.wait()
            times[count] = time.perf_counter() - started
            summary = self._run(env, "bench_rescreen", "--run-summary", label, quiet=True)
            self.stdout.write(
                f"  {count} db_worker: {size:,} screenings in {times[count]:.2f} s "
                f"(workers started and stopped included; {summary.strip()})"
            )
        if len(times) > 1:
            first, *_, last = counts
            self.stdout.write(
                f"  speed-up with {last} workers against {first}: "
                f"{times[first] / times[last]:.2f}x (this machine has {os.cpu_count()} cores)"
            )

    def _run(self, env, *args, quiet=False):
        command = [sys.executable, "manage.py", *args]
        done = subprocess.run(
            command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise CommandError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        if not quiet:
            self.stdout.write(done.stdout)
        return done.stdout

    def _timed_rescreen(self, env, label):
        """Run `manage.py rescreen` in its own process; its wall time, the time it reports,
        the number of changed screenings and its peak resident memory (KB)."""
        command = [sys.executable, "manage.py", "rescreen", "--rules", label]
        with tempfile.TemporaryFile("w+") as out:
            started = time.perf_counter()
            process = subprocess.Popen(
                command, env=env, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT
            )
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.perf_counter() - started
            out.seek(0)
            output = out.read()
        found = re.search(r"([\d,]+)件 ([\d.]+)秒.*変わった確認 ([\d,]+)件", output)
        if process.returncode != 0 or found is None:
            raise CommandError(f"rescreen failed:\n{output}")
        inner = float(found.group(2))
        changed = int(found.group(3).replace(",", ""))
        return seconds, inner, changed, usage.ru_maxrss

    def _summary(self, results):
        self.stdout.write("\n== Summary: re-screening every stored screening under a new version")
        self.stdout.write(
            f"{'database':<11} {'clinics':>8} {'seconds':>8} {'clinics/s':>10} "
            f"{'µs/clinic':>10} {'peak MB':>8}"
        )
        for name, rows in results.items():
            for size, _, inner, _, rss in rows:
                self.stdout.write(
                    f"{name:<11} {size:>8,} {inner:>8.2f} {size / inner:>10,.0f} "
                    f"{inner / size * 1e6:>10.1f} {rss / 1024:>8.0f}"
                )
            smallest, largest = rows[0], rows[-1]
            growth = largest[2] / smallest[2]
            self.stdout.write(
                f"{name}: {largest[0] / smallest[0]:.0f}x the clinics took {growth:.2f}x the "
                f"time; {largest[0]:,} in {largest[2]:.1f} s in one process"
            )
            if name == "PostgreSQL" and largest[0] >= 105_000:
                met = "met    " if largest[2] <= TARGET_SECONDS else "NOT MET"
                self.stdout.write(
                    f"  {met} 105,000 re-screened on PostgreSQL by one worker in "
                    f"≤ {TARGET_SECONDS} s ({largest[2]:.1f} s)"
                )

    # --- inside the throwaway database ------------------------------------------------------

    def _run_summary(self, label):
        from eligibility.models import RescreenRun

        run = RescreenRun.objects.filter(version__label=label).order_by("-pk").first()
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
        chunks = run.chunks.count()
        self.stdout.write(
            f"run #{run.pk} {run.status}: {run.processed:,} re-screened, {run.changed:,} "
            f"changed, {chunks} chunks, first chunk taken to last finished {seconds:.2f} s"
        )

    def _generate(self, count):
        """``count`` more clinics, each with one completed screening under 2026.1 (answers,
        outcomes and total computed by the engine), written with bulk inserts in chunks."""
        from clinics.models import Association, Clinic
        from eligibility.engine.answers import evaluate_answers
        from eligibility.models import RuleVersion, Screening, ScreeningOutcome
        from eligibility.selectors import rule_set_for

        version = RuleVersion.objects.get(label="2026.1")
        rules = rule_set_for(version=version)
        associations = list(Association.objects.values_list("pk", "prefecture"))
        start = Clinic.objects.count()
        rng = random.Random(2026 + start)
        as_of, now = timezone.localdate(), timezone.now()
        normal_tools = [t.code for t in rules.tools.values() if t.process_code]
        invoice_tools = [t.code for t in rules.tools.values() if t.invoice_function]
        for offset in range(0, count, CHUNK):
            size = min(CHUNK, count - offset)
            with transaction.atomic():
                clinics = []
                for n in range(start + offset, start + offset + size):
                    association_id, prefecture = associations[n % len(associations)]
                    answers = _answers(rng, normal_tools, invoice_tools)
                    clinics.append(
                        Clinic(
                            association_id=association_id,
                            name=f"ベンチマーク医院{n + 1}",
                            name_kana=f"ベンチマークイイン{n + 1}",
                            legal_form=answers["legal_form"],
                            prefecture=prefecture,
                            employees=answers["employees"],
                        )
                    )
                    clinics[-1].answers = answers
                Clinic.objects.bulk_create(clinics)
                screenings, outcomes = [], []
                for clinic in clinics:
                    evaluation, _ = evaluate_answers(clinic.answers, rules, as_of=as_of)
                    screening = Screening(
                        clinic_id=clinic.pk,
                        name="見積り",
                        rule_version=version,
                        answers=clinic.answers,
                        step="result",
                        completed_at=now,
                        total_subsidy_yen=evaluation.total_subsidy_yen,
                    )
                    screening.frames = evaluation.frames
                    screenings.append(screening)
                Screening.objects.bulk_create(screenings)
                for screening in screenings:
                    outcomes += [
                        ScreeningOutcome(
                            screening_id=screening.pk,
                            frame_code=f.code,
                            verdict=f.verdict,
                            eligible=f.eligible,
                            subsidy_yen=f.subsidy_yen,
                            next_deadline=f.next_deadline.closes_on if f.next_deadline else None,
                        )
                        for f in screening.frames
                    ]
                ScreeningOutcome.objects.bulk_create(outcomes, batch_size=2000)

    def _impact(self, label):
        """The impact preview's selector on every screening (what the page computes)."""
        from eligibility.models import RuleVersion
        from eligibility.selectors import rule_version_impact

        started = time.perf_counter()
        version = RuleVersion.objects.get(label=label)
        impact = rule_version_impact(version=version, as_of=timezone.localdate())
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{impact.total:,} screenings in {seconds:.2f} s, {impact.changed:,} would change"
        )

    def _new_version(self, label):
        """2026.1 cloned, with 2/3 → 3/4 for small clinics in セキュリティ対策推進枠 and a
        第5次 round for 通常枠 eight weeks from today, published."""
        from eligibility.models import RuleVersion
        from eligibility.services import rule_admin_clone, rule_admin_edit, rule_admin_publish

        base = RuleVersion.objects.get(label="2026.1")
        draft = rule_admin_clone(version=base, label=label, by=None)
        document = draft.document
        frames = {f["code"]: f for f in document["frames"]}
        rate = next(p for p in frames["security"]["params"] if p["key"] == "rate_small")
        rate["value"] = "3/4"
        closes = timezone.localdate() + timedelta(weeks=8)
        frames["normal"]["rounds"].append(
            {"number": 5, "closes_on": closes.isoformat(), "source": "ベンチマーク"}
        )
        rule_admin_edit(version=draft, document=document, by=None, what="ベンチマーク")
        rule_admin_publish(version=draft, effective_from=timezone.localdate(), by=None)


def _answers(rng: random.Random, normal_tools: list, invoice_tools: list) -> dict:
    """A clinic's wizard answers, in the shapes the wizard stores."""
    legal_form = rng.choices(
        ["medical_corporation", "individual", "social_welfare_corporation"], [45, 50, 5]
    )[0]
    employees = rng.choice([rng.randint(0, 5), rng.randint(0, 30), rng.randint(0, 400)])
    goals = [
        code
        for code, chance in (
            ("normal", 0.7),
            ("invoice", 0.5),
            ("e_trade", 0.1),
            ("security", 0.35),
        )
        if rng.random() < chance
    ] or ["security"]
    answers = {"legal_form": legal_form, "employees": employees, "goals": goals}
    if "normal" in goals:
        answers["normal"] = {
            "tools": rng.sample(normal_tools, rng.randint(1, min(5, len(normal_tools)))),
            "purchase_yen": rng.choice([0, 300_000, 800_000, 2_000_000]),
            "cloud_monthly_yen": rng.choice([0, 20_000, 50_000]),
            "cloud_months": rng.choice([12, 24, 36]),
            "service_yen": rng.choice([0, 100_000, 500_000]),
        }
        answers["minimum_wage_near"] = rng.random() < 0.2
        answers["wage_increase_plan"] = rng.random() < 0.5
    if "invoice" in goals:
        answers["invoice"] = {
            "tools": rng.sample(invoice_tools, rng.randint(1, min(3, len(invoice_tools)))),
            "purchase_yen": rng.choice([100_000, 400_000, 1_500_000]),
            "pc_yen": rng.choice([0, 150_000]),
            "register_yen": rng.choice([0, 300_000]),
        }
    if "e_trade" in goals:
        answers["e_trade"] = {"purchase_yen": rng.choice([500_000, 3_000_000])}
    if "security" in goals:
        answers["security"] = {
            "service_monthly_yen": rng.choice([10_000, 20_000, 40_000]),
            "service_months": rng.choice([12, 24]),
        }
    answers["tools_done"] = True
    return answers
