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

MAX_INPUT_BYTES = 32 * 2**20  # 32 MB, about 130,000 cases: larger inputs are to be split


class Command(BaseCommand):
    help = (
        f"JSON のケース（1件または配列、{MAX_INPUT_BYTES // 2**20} MB まで）を判定し、"
        "結果を JSON で出力します。"
    )

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
        is_list = isinstance(payload, list)
        parsed = []
        for index, case in enumerate(payload if is_list else [payload]):
            try:
                parsed.append(parse_case(case, rules))
            except CaseError as error:
                raise CommandError(f"ケース {index}: {error}", returncode=2) from None
        del payload  # every case is checked; the parsed ones take less memory than the JSON
        results = (
            json.dumps(
                evaluation_to_json(evaluate(facts, plan, rules, as_of=as_of)),
                ensure_ascii=False,
                indent=1,
            )
            for facts, plan in parsed
        )
        if not is_list:
            self.stdout.write(next(results))
        elif not parsed:
            self.stdout.write("[]")
        else:
            # Each result is written as soon as it is computed, laid out as json.dumps(results,
            # indent=1) would: one more space on every line (a JSON string holds no raw newline).
            separator = "[\n "
            for text in results:
                self.stdout.write(separator + text.replace("\n", "\n "), ending="")
                separator = ",\n "
            self.stdout.write("\n]")

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
                data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
            else:
                with open(path, "rb") as handle:
                    data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as error:
            raise CommandError(
                f"{path}: 読み込めません（{error.strerror}）", returncode=2
            ) from None
        if len(data) > MAX_INPUT_BYTES:
            raise CommandError(
                f"{path}: {MAX_INPUT_BYTES // 2**20} MB を超える入力は受け付けられません"
                "（ケースを分けて実行してください）",
                returncode=2,
            )
        try:
            text = data.decode("utf-8-sig")
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
