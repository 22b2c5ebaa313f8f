"""Bring the stored outcomes up to the engine now deployed (run after each deploy):

    python manage.py refresh_outcomes [--as-of 2026-12-01]

A screening's outcomes (the per-frame summary the staff pages count) are a cache of its
evaluation, keyed by its answers, its rule version and the engine's code; this re-computes those
an older engine wrote. Nothing is done, quickly, when the engine has not changed."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from eligibility.services import screening_outcomes_refresh


class Command(BaseCommand):
    requires_system_checks = []
    help = "エンジンの更新後に、保存済みの判定結果（枠ごとの要約）を計算し直します。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="判定日（既定：今日）")

    def handle(self, *args, as_of, verbosity, **options):
        done = screening_outcomes_refresh(as_of=as_of or timezone.localdate())
        if verbosity >= 1:
            self.stdout.write(f"判定結果を計算し直した確認：{done:,}件")
