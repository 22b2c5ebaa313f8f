"""python manage.py evaluate [--as-of YYYY-MM-DD] [--rules LABEL] FILE|-"""

import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from eligibility.engine import RulesError, evaluate, parse_rules
from eligibility.engine.io import CaseError, evaluation_to_json, parse_case
from eligibility.engine.types import RuleSet
from eligibility.selectors import rule_set_for, rule_version_get, rule_version_published, today


class Command(BaseCommand):
    help = "JSON のケース（1件または配列）を判定し、結果を JSON で出力します。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="入力ファイル（- で標準入力）")
        parser.add_argument("--as-of", dest="as_of", help="判定日 YYYY-MM-DD（既定: 今日）")
        parser.add_argument("--rules", help="ルールの版（既定: 公開中の版）")
        parser.add_argument(
            "--rules-file",
            dest="rules_file",
            help="ルールの文書（JSON）を直接使う（DB を使わない）",
        )

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else today()
        except ValueError:
            raise CommandError(
                f"--as-of: 「{options['as_of']}」は YYYY-MM-DD の日付ではありません", returncode=2
            ) from None
        rules = self._rules(options["rules"], options["rules_file"])
        payload = self._read(options["file"])
        cases = payload if isinstance(payload, list) else [payload]
        legal_forms = tuple(rules.legal_forms)
        parsed = []
        for index, case in enumerate(cases):
            try:
                parsed.append(parse_case(case, legal_forms))
            except CaseError as error:
                raise CommandError(f"ケース {index}: {error}", returncode=2) from None
        results = [
            evaluation_to_json(evaluate(facts, plan, rules, as_of=as_of)) for facts, plan in parsed
        ]
        output = results if isinstance(payload, list) else results[0]
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=1))

    def _rules(self, label: str | None, path: str | None) -> RuleSet:
        if path:
            try:
                return parse_rules(self._read(path))
            except RulesError as error:
                raise CommandError(f"--rules-file: {error}", returncode=2) from None
        try:
            version = rule_version_get(label=label) if label else rule_version_published()
        except DatabaseError:
            raise CommandError(
                "データベースが準備されていません（manage.py migrate と load_rules を実行するか、"
                "--rules-file を指定してください）",
                returncode=2,
            ) from None
        if version is None:
            what = f"ルールの版「{label}」" if label else "公開中のルールの版"
            raise CommandError(f"--rules: {what}がありません", returncode=2)
        return rule_set_for(version=version)

    def _read(self, path: str):
        try:
            if path == "-":
                text = sys.stdin.buffer.read().decode("utf-8-sig")
            else:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(
                f"{path}: 読み込めません（{error.strerror}）", returncode=2
            ) from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: UTF-8 のテキストではありません", returncode=2) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{path}: JSON として読めません（{error.lineno}行目 {error.colno}文字目: {error.msg}）",
                returncode=2,
            ) from None
        except (ValueError, RecursionError):  # a number of thousands of digits, nesting too deep
            raise CommandError(
                f"{path}: JSON として読めません（桁の多すぎる数か、深すぎる入れ子があります）",
                returncode=2,
            ) from None
