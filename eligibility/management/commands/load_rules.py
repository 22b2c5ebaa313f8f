from django.core.management.base import BaseCommand

from eligibility.services import rule_version_load_file


class Command(BaseCommand):
    help = "リポジトリに同梱のルールの版（eligibility/rules/LABEL.json）を読み込み、公開します。"

    def add_arguments(self, parser):
        parser.add_argument("label", nargs="?", default="2026.1")

    def handle(self, *args, label, **options):
        version = rule_version_load_file(label=label)
        self.stdout.write(f"ルールの版 {version.label}（{version.get_status_display()}）")
