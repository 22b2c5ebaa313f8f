"""Engine throughput over generated clinics (a benchmark, not a test): make bench."""

import io
import json
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from eligibility.engine import evaluate, parse_rules
from eligibility.engine.io import parse_case
from eligibility.services import RULES_DIR

RULES_FILE = RULES_DIR / "2026.1.json"


def generated_cases(count: int, seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    forms = ["medical_corporation", "individual", "social_welfare_corporation"]
    cases = []
    for _ in range(count):
        plans = {}
        if rng.random() < 0.8:
            plans["normal"] = {"processes": rng.randint(1, 6), "cost": rng.randint(0, 12_000_000)}
        if rng.random() < 0.6:
            plans["invoice"] = {
                "functions": rng.sample(["accounting", "ordering", "payment"], rng.randint(1, 3)),
                "software_cost": rng.randint(0, 6_000_000),
                "pc_cost": rng.choice([0, 150_000, 300_000]),
                "register_cost": rng.choice([0, 400_000]),
            }
        if rng.random() < 0.4:
            plans["security"] = {"cost": rng.randint(0, 4_000_000)}
        if rng.random() < 0.1:
            plans["e_trade"] = {"cost": rng.randint(0, 8_000_000)}
        cases.append(
            {
                "legal_form": rng.choice(forms),
                "employees": rng.choice([rng.randint(0, 20), rng.randint(0, 400)]),
                "minimum_wage_near": rng.random() < 0.3,
                "wage_increase_plan": rng.random() < 0.5,
                "plans": plans,
            }
        )
    return cases


class Command(BaseCommand):
    help = "判定エンジンの処理速度を測ります（1秒あたりの判定件数）。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=5000)
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, count, repeat, **options):
        rules = parse_rules(json.loads(RULES_FILE.read_text(encoding="utf-8")))
        parsed = [parse_case(c, tuple(rules.legal_forms)) for c in generated_cases(count)]
        as_of = date(2026, 6, 1)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            for facts, plan in parsed:
                evaluate(facts, plan, rules, as_of=as_of)
            timings.append(time.perf_counter() - started)
        best, median = min(timings), sorted(timings)[len(timings) // 2]
        self.stdout.write(f"engine: {count} clinics x {repeat} runs")
        self.stdout.write(
            f"  median {median * 1000:.1f} ms  -> {count / median:,.0f} evaluations/s"
        )
        self.stdout.write(f"  best   {best * 1000:.1f} ms  -> {count / best:,.0f} evaluations/s")
        self.stdout.write(f"  per evaluation {median / count * 1e6:.1f} µs (median)")

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "cases.json"
            path.write_text(json.dumps(generated_cases(10_000)), encoding="utf-8")
            started = time.perf_counter()
            call_command(
                "evaluate", str(path), "--rules-file", str(RULES_FILE), stdout=io.StringIO()
            )
            elapsed = time.perf_counter() - started
        self.stdout.write(
            f"manage.py evaluate, 10,000 cases (parse + evaluate + JSON): {elapsed:.2f} s"
        )
