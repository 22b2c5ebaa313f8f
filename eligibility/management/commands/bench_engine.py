"""Engine throughput over generated clinics (a benchmark, not a test): make bench.

Three loops over the same parsed cases, taking turns so that the machine's noise falls on all
three: a bare numbers-only implementation of the 2026 formulas written here (the yardstick:
what the arithmetic costs with no engine around it), the engine's numbers path
(``explain=False``: the re-screen, the impact, the stored outcomes) and the engine with its full
explanation (the result page, the PDF, the CLI). Prints evaluations per second, the ratio to the
bare loop, and the targets of issue 19 marked met or not.
"""

import io
import json
import os
import random
import statistics
import tempfile
import time
from datetime import date
from math import floor
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from eligibility.engine import evaluate, parse_rules
from eligibility.engine.io import parse_case
from eligibility.services import RULES_DIR

RULES_FILE = RULES_DIR / "2026.1.json"
TARGET_NUMBERS_PER_S = 100_000
TARGET_EXPLAINED_PER_S = 40_000


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


def bare_loop(rules):
    """The 2026 formulas of 通常枠, インボイス対応類型, セキュリティ対策推進枠 and 電子取引類型,
    numbers only, written as plainly as possible with every figure read once: the total
    subsidy of one case. The yardstick of the benchmark, checked against the engine."""
    normal, invoice = rules.frames["normal"], rules.frames["invoice"]
    security, e_trade = rules.frames["security"], rules.frames["e_trade"]
    sizes = {
        code: (rules.size_categories[f.size_category].employees_max, f.small_business_max_employees)
        for code, f in rules.legal_forms.items()
    }
    n_rate, n_near = normal.rate("rate"), normal.rate("rate_minimum_wage_near")
    n_small_max = normal.count("small_band_max_processes")
    n_small_min, n_small_limit = (
        normal.yen("small_band_min_yen"),
        normal.yen("small_band_limit_yen"),
    )
    n_large_min, n_large_max = normal.yen("large_band_min_yen"), normal.yen("large_band_max_yen")
    tier_limit, tier2 = invoice.yen("tier_limit_yen"), invoice.rate("rate_tier2")
    tier1, tier1_small = invoice.rate("rate_tier1"), invoice.rate("rate_tier1_small")
    one_cap, multi_cap = invoice.yen("one_function_max_yen"), invoice.yen("multi_function_max_yen")
    pc_rate, pc_cap = invoice.rate("pc_rate"), invoice.yen("pc_max_yen")
    reg_rate, reg_cap = invoice.rate("register_rate"), invoice.yen("register_max_yen")
    s_rate, s_small, s_min, s_max = (
        *(security.rate("rate"), security.rate("rate_small")),
        *(security.yen("min_yen"), security.yen("max_yen")),
    )
    e_rate, e_large, e_max = (
        e_trade.rate("rate"),
        e_trade.rate("rate_large"),
        e_trade.yen("max_yen"),
    )

    def total(facts, plan) -> int:
        limit, small_max = sizes[facts.legal_form]
        sme = facts.employees <= limit
        small = sme and facts.employees <= small_max
        total = 0
        p = plan.get("normal")
        if sme and p is not None and p.processes >= 1 and p.cost_yen > 0:
            exact = p.cost_yen * (n_near if facts.minimum_wage_near else n_rate)
            if p.processes <= n_small_max:
                if exact >= n_small_min:
                    total += floor(min(exact, n_small_limit - 1))
            elif facts.wage_increase_plan and exact >= n_large_min:
                total += floor(min(exact, n_large_max))
        p = plan.get("invoice")
        if sme and p is not None and p.functions and p.software_cost_yen > 0:
            rate1 = tier1_small if small else tier1
            cap = one_cap if len(p.functions) == 1 else multi_cap
            cost, tier1_cost = p.software_cost_yen, tier_limit / rate1
            if cost <= tier1_cost or cap <= tier_limit:
                software = cost * rate1
            else:
                software = tier_limit + (cost - tier1_cost) * tier2
            exact = min(software, cap)
            exact += min(p.pc_cost_yen * pc_rate, pc_cap) + min(
                p.register_cost_yen * reg_rate, reg_cap
            )
            total += floor(exact)
        p = plan.get("security")
        if sme and p is not None and p.cost_yen > 0:
            exact = p.cost_yen * (s_small if small else s_rate)
            if exact >= s_min:
                total += floor(min(exact, s_max))
        p = plan.get("e_trade")
        if p is not None and p.cost_yen > 0:
            total += floor(min(p.cost_yen * (e_rate if sme else e_large), e_max))
        return total

    return total


class Command(BaseCommand):
    help = "判定エンジンの処理速度を測ります（1秒あたりの判定件数、素の計算ループとの比）。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=5000)
        parser.add_argument("--repeat", type=int, default=7)

    def handle(self, *args, count, repeat, **options):
        out = self.stdout.write
        rules = parse_rules(json.loads(RULES_FILE.read_text(encoding="utf-8")))
        parsed = [parse_case(c, rules) for c in generated_cases(count)]
        as_of = date(2026, 6, 1)
        bare = bare_loop(rules)
        engine_totals = [
            evaluate(f, p, rules, as_of=as_of, explain=False).total_subsidy_yen for f, p in parsed
        ]
        agree = engine_totals == [bare(f, p) for f, p in parsed]

        def bare_run():
            for f, p in parsed:
                bare(f, p)

        def numbers_run():
            for f, p in parsed:
                evaluate(f, p, rules, as_of=as_of, explain=False)

        def explained_run():
            for f, p in parsed:
                evaluate(f, p, rules, as_of=as_of)

        loops = {  # each result is dropped at once, as the re-screen and the pages do
            "bare numbers-only loop": bare_run,
            "engine, numbers only": numbers_run,
            "engine, with explanation": explained_run,
        }
        timings: dict[str, list[float]] = {name: [] for name in loops}
        for _ in range(repeat):
            for name, loop in loops.items():
                started = time.perf_counter()
                loop()
                timings[name].append(time.perf_counter() - started)
        per_s = {name: count / statistics.median(t) for name, t in timings.items()}
        yardstick = per_s["bare numbers-only loop"]
        load = os.getloadavg()[0]
        out(f"engine: {count:,} generated clinics, {repeat} turns each, medians (load {load:.2f})")
        for name, rate in per_s.items():
            ratio = f"{rate / yardstick:.2f}x the bare loop"
            out(f"  {name:<26} {rate:>9,.0f} evaluations/s  {1e6 / rate:6.1f} µs  {ratio}")
        out(f"  the bare loop and the engine agree on every total: {'yes' if agree else 'NO'}")
        for name, target in (
            ("engine, numbers only", TARGET_NUMBERS_PER_S),
            ("engine, with explanation", TARGET_EXPLAINED_PER_S),
        ):
            mark = "met    " if per_s[name] >= target else "NOT MET"
            out(f"  {mark} {name}: {per_s[name]:,.0f}/s (target ≥ {target:,}/s on one core)")
        mark = "met    " if per_s["engine, numbers only"] >= yardstick else "not yet"
        out(f"  {mark} ambition: the numbers path as fast as the bare loop (1.00x)")

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "cases.json"
            path.write_text(json.dumps(generated_cases(10_000)), encoding="utf-8")
            started = time.perf_counter()
            call_command(
                "evaluate", str(path), "--rules-file", str(RULES_FILE), stdout=io.StringIO()
            )
            elapsed = time.perf_counter() - started
        out(f"manage.py evaluate, 10,000 cases (parse + evaluate + JSON): {elapsed:.2f} s")
        if not agree:
            raise SystemExit(1)
