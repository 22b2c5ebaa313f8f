"""Re-screen the stored screenings under a published rule version, from the shell:

    python manage.py rescreen --rules 2026.2 [--chunk-size 5000] [--as-of 2026-12-01]

The same work as the background tasks started from the rule administration page, the chunks
done one after the other in this process (memory stays flat), with the progress printed."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from eligibility.selectors import rule_version_get
from eligibility.services import (
    RESCREEN_CHUNK_SIZE,
    RuleAdminError,
    rescreen_run_create,
    rescreen_run_execute,
)


class Command(BaseCommand):
    # a batch job: the system checks would import every view (and the PDF library) first
    requires_system_checks = []
    help = "公開中のルールの版で保存済みの確認を再判定し、結果が変わった確認にお知らせを付けます。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--rules", required=True, metavar="LABEL", help="公開中の版（例：2026.2）"
        )
        parser.add_argument("--chunk-size", type=int, default=RESCREEN_CHUNK_SIZE)
        parser.add_argument("--as-of", type=date.fromisoformat, help="判定日（既定：今日）")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="ここでは実行せず、区間ごとのタスクとして登録します（db_worker が分担して実行）",
        )

    def handle(self, *args, rules, chunk_size, as_of, queue, verbosity, **options):
        version = rule_version_get(label=rules)
        if version is None:
            raise CommandError(f"版 {rules} がありません。")
        try:
            run = rescreen_run_create(
                version=version,
                by=None,
                how="（コマンドから）",
                as_of=as_of,
                chunk_size=chunk_size,
            )
        except RuleAdminError as error:
            raise CommandError(error.problems[0]) from None
        if queue:
            from eligibility.tasks import rescreen_chunk

            chunk_ids = list(run.chunks.values_list("pk", flat=True))
            for chunk_id in chunk_ids:
                rescreen_chunk.enqueue(chunk_id)
            self.stdout.write(
                f"版 {version.label} の再判定（{run.total:,}件）を{len(chunk_ids)}区間のタスクとして"
                f"登録しました（実行 #{run.pk}）。起動中の db_worker が分担して実行します。"
            )
            return
        started = time.perf_counter()

        def progress(run):
            if verbosity >= 1:
                elapsed = time.perf_counter() - started
                self.stdout.write(
                    f"  {run.processed:,} / {run.total:,}件  "
                    f"結果が変わった確認 {run.changed:,}件  {elapsed:.1f}秒"
                )

        self.stdout.write(f"版 {version.label} で保存済みの確認を再判定します。")
        run = rescreen_run_execute(run=run, progress=progress)
        elapsed = time.perf_counter() - started
        rate = run.processed / elapsed if elapsed else 0
        self.stdout.write(
            f"再判定が終わりました：{run.processed:,}件 {elapsed:.2f}秒"
            f"（{rate:,.0f}件/秒）、結果が変わった確認 {run.changed:,}件"
        )
