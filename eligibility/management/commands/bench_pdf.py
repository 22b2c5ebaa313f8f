"""PDF pipeline benchmark (a benchmark, not a test): .venv/bin/python manage.py bench_pdf

Renders templates/eligibility/pdf_sample.html (one A4 page) and prints median milliseconds per
PDF for: our pipeline cold (first PDF in a fresh subprocess) and warm; WeasyPrint layout alone
(HTML.render() without write_pdf); a clinic name that needs the fallback fonts; then ratios,
sizes and the targets. (The comparison with a Noto Sans CJK build is gone: layout dominates
both, and what a clinic feels is the first click, which scripts/bench_first_click.py measures.)

The warm measurements take turns, one run of each per round, so a busy machine slows them all
alike; both wall-clock and CPU time of this process are shown, and the ratios are medians of
each round's ratio. --options also measures
WeasyPrint's PDF options on our pipeline.
"""

import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string

from eligibility import pdf

SAMPLE_CONTEXT = {
    "clinic_name": "医療法人社団 青葉会 あおば内科クリニック",
    "as_of": "2026年6月1日",
}
RARE_CLINIC_NAME = "医療法人 𠮷田会 𠮷田内科・剝離外来"  # 𠮷: NaviGothic Rare, 剝: NaviGothic Ext

# Runs in a fresh interpreter: its first PDF pays for building the pipeline.
COLD_CHILD = """
import json, sys, time
started = time.perf_counter()
from eligibility.pdf import STATIC_DIR, render_pdf
imported = time.perf_counter()
html = open(sys.argv[1], encoding="utf-8").read()
before = time.perf_counter()
render_pdf(html, base_url=STATIC_DIR)
print(json.dumps({"import_ms": (imported - started) * 1000,
                  "first_pdf_ms": (time.perf_counter() - before) * 1000}))
"""


def sample_html(**context) -> str:
    """The sample page, with SAMPLE_CONTEXT unless context overrides it."""
    return render_to_string("eligibility/pdf_sample.html", {**SAMPLE_CONTEXT, **context})


def embedded_fonts(data: bytes) -> list[str]:
    """BaseFont names (without the subset tag) of the fonts a PDF embeds."""
    from pypdf import PdfReader  # a dev dependency, like this command

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return sorted(names)


class Run:
    """Timings of one contender: prepare (untimed) then timed(prepared) per run."""

    def __init__(self, timed, prepare=lambda: None):
        self.timed, self.prepare = timed, prepare
        self.walls: list[float] = []
        self.cpus: list[float] = []
        self.result = None

    def once(self) -> None:
        prepared = self.prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        self.result = self.timed(prepared)
        self.cpus.append((time.process_time() - cpu) * 1000)
        self.walls.append((time.perf_counter() - wall) * 1000)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def paired(numerator: Run, denominator: Run) -> tuple[float, float]:
    """The median over rounds of numerator / denominator, wall and CPU: each round's pair ran
    back to back, so a slow spell of the machine cancels out of the ratio."""
    return (
        statistics.median(a / b for a, b in zip(numerator.walls, denominator.walls, strict=True)),
        statistics.median(a / b for a, b in zip(numerator.cpus, denominator.cpus, strict=True)),
    )


def take_turns(runs: dict[str, Run], rounds: int) -> None:
    for run in runs.values():  # warm-up: pipelines built, caches filled
        run.once()
        run.walls.clear()
        run.cpus.clear()
    for _ in range(rounds):
        for run in runs.values():
            run.once()


class Command(BaseCommand):
    help = "PDF（WeasyPrint）の生成時間とファイルサイズを測ります。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15, help="warm runs of each (rounds)")
        parser.add_argument("--cold-runs", type=int, default=3, help="fresh subprocesses")
        parser.add_argument("--options", action="store_true", help="also WeasyPrint PDF options")

    def handle(self, *args, runs, cold_runs, options, **rest):
        out = self.stdout.write
        html = sample_html()
        base_url = pdf.STATIC_DIR
        out(f"bench_pdf: templates/eligibility/pdf_sample.html; medians of {runs} runs")

        cold = self.cold(html, cold_runs)
        out(
            f"(a) ours, cold: first PDF in a fresh process {cold['first_pdf_ms']:6.1f} ms wall"
            f" (+ {cold['import_ms']:.0f} ms importing WeasyPrint; {cold_runs} processes)"
        )

        def ours_document():
            return pdf.render_document(html, base_url=base_url)

        rare_html = sample_html(clinic_name=RARE_CLINIC_NAME)
        started = time.perf_counter()
        pdf.render_pdf(rare_html, base_url=base_url)
        rare_first_ms = (time.perf_counter() - started) * 1000

        contenders = {
            "(a) ours, warm": Run(lambda _: pdf.render_pdf(html, base_url=base_url)),
            "(b) layout alone (render())": Run(lambda _: ours_document()),
            "    ours, write_pdf() alone": Run(lambda doc: doc.write_pdf(), ours_document),
            "(d) ours, 𠮷 and 剝 (fallback)": Run(
                lambda _: pdf.render_pdf(rare_html, base_url=base_url)
            ),
        }
        take_turns(contenders, runs)

        for label, run in contenders.items():
            out(f"{label:32} {run.wall:7.1f} ms wall {run.cpu:7.1f} ms CPU")
        out(
            f"    first fallback PDF in this process {rare_first_ms:.0f} ms "
            "(registers the WOFF2 fallback fonts once)"
        )

        ours = contenders["(a) ours, warm"]
        layout = contenders["(b) layout alone (render())"]
        size = len(ours.result)
        sizes = f"sizes: ours {size / 1024:.1f} KB ({', '.join(embedded_fonts(ours.result))})"
        rare = contenders["(d) ours, 𠮷 and 剝 (fallback)"].result
        sizes += f"; with fallback {len(rare) / 1024:.1f} KB"
        out(sizes)

        warm_wall, warm_cpu = paired(ours, layout)
        targets = [
            (
                f"warm / layout = {warm_wall:.2f} wall, {warm_cpu:.2f} CPU",
                max(warm_wall, warm_cpu) <= 1.5,
                "≤ 1.5",
            ),
            (f"size {size / 1024:.1f} KB", size < 100 * 1024, "< 100 KB"),
        ]
        for label, met, goal in targets:
            out(f"  {'met    ' if met else 'NOT MET'}  {label}  (target {goal})")

        self.real_result(max(5, runs // 2))
        if options:
            self.pdf_options(html, max(3, runs // 3))

    def real_result(self, runs: int) -> None:
        """The actual result page of a typical clinic (通常枠, インボイス, セキュリティ), first
        rendered, then downloaded again from the cache as the view serves it."""
        from django.core.cache import cache

        from eligibility import result_pdf

        result = typical_result()
        html = result_pdf.result_html(result)
        cache.delete(result_pdf.cache_key(result))
        started = time.perf_counter()
        data = result_pdf.result_pdf(result)
        first_ms = (time.perf_counter() - started) * 1000
        render = Run(lambda _: pdf.render_pdf(html, base_url=pdf.STATIC_DIR))
        layout = Run(lambda _: pdf.render_document(html, base_url=pdf.STATIC_DIR))
        repeat = Run(lambda _: result_pdf.result_pdf(result))
        take_turns({"render": render, "layout": layout, "repeat": repeat}, runs)
        pages = len(layout.result.pages)
        out = self.stdout.write
        out(f"(e) the result page of a typical clinic ({pages} pages, {len(data) / 1024:.1f} KB):")
        out(
            f"    first PDF {first_ms:.1f} ms; warm {render.wall:.1f} ms; layout {layout.wall:.1f} ms"
        )
        out(
            f"    warm / layout = {render.wall / layout.wall:.2f}; "
            f"repeat download (cache) {repeat.wall:.3f} ms "
            f"({'met' if repeat.wall < 10 else 'NOT MET'}, target < 10 ms)"
        )

    def cold(self, html: str, processes: int) -> dict[str, float]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sample.html"
            path.write_text(html, encoding="utf-8")
            results = [
                json.loads(
                    subprocess.run(
                        [sys.executable, "-c", COLD_CHILD, str(path)],
                        cwd=settings.BASE_DIR,
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                )
                for _ in range(processes)
            ]
        return {key: statistics.median(r[key] for r in results) for key in results[0]}

    def pdf_options(self, html: str, runs: int) -> None:
        self.stdout.write("WeasyPrint write_pdf options on our pipeline:")
        variants = {
            "default": {},
            "uncompressed_pdf=True": {"uncompressed_pdf": True},
            "hinting=True": {"hinting": True},
            "optimize_images=True": {"optimize_images": True},
            "pdf_variant='pdf/a-3b'": {"pdf_variant": "pdf/a-3b"},
            "pdf_variant='pdf/ua-1'": {"pdf_variant": "pdf/ua-1"},
            "full_fonts=True": {"full_fonts": True},
        }
        contenders = {
            label: Run(
                lambda _, kwargs=kwargs: pdf.render_pdf(html, base_url=pdf.STATIC_DIR, **kwargs)
            )
            for label, kwargs in variants.items()
        }
        take_turns(contenders, runs)
        for label, run in contenders.items():
            self.stdout.write(
                f"  {label:24} {run.wall:7.1f} ms wall {run.cpu:7.1f} ms CPU "
                f"{len(run.result) / 1024:8.1f} KB"
            )


def typical_result():
    """A result built from unsaved objects (no database): a 医療法人 with 40 staff."""
    from datetime import date

    from clinics.models import Association, Clinic
    from eligibility.engine import parse_rules
    from eligibility.models import RuleVersion, Screening
    from eligibility.selectors import build_result
    from eligibility.services import RULES_DIR

    document = json.loads((RULES_DIR / "2026.1.json").read_text(encoding="utf-8"))
    rules = parse_rules(document)
    association = Association(name="東京都医師会", prefecture="東京都")
    clinic = Clinic(association=association, name=SAMPLE_CONTEXT["clinic_name"])
    version = RuleVersion(label=rules.label, document=document)
    screening = Screening(pk=4242, clinic=clinic, name="A社の見積り", rule_version=version)
    screening.answers = {
        "legal_form": "medical_corporation",
        "employees": 40,
        "goals": ["normal", "invoice", "security"],
        "normal": {
            "tools": ["web_reservation", "emr_integration", "attendance_payroll"],
            "purchase_yen": 1_200_000,
            "cloud_monthly_yen": 30_000,
            "cloud_months": 36,
            "service_yen": 300_000,
        },
        "invoice": {
            "tools": ["accounting", "cashless"],
            "purchase_yen": 1_000_000,
            "pc_yen": 150_000,
        },
        "security": {"service_monthly_yen": 20_000, "service_months": 24},
        "minimum_wage_near": False,
        "tools_done": True,
    }
    return build_result(
        screening=screening, rules=rules, as_of=date(2026, 6, 1), current_version=None
    )
