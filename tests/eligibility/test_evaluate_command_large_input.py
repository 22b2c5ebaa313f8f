"""manage.py evaluate on large inputs: refused beyond MAX_INPUT_BYTES before parsing, and each
result written as soon as it is computed, in the layout of json.dumps(results, indent=1)."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from eligibility.engine import evaluate
from eligibility.management.commands import evaluate as evaluate_command
from eligibility.management.commands.evaluate import MAX_INPUT_BYTES
from eligibility.services import RULES_DIR

RULES_FILE = RULES_DIR / "2026.1.json"
TOO_LARGE = "32 MB を超える入力は受け付けられません"


def case(**overrides):
    return {"legal_form": "medical_corporation", "employees": 40} | overrides


CASES = [
    case(plans={"normal": {"processes": 3, "cost": 3_000_000}}),
    case(employees=301, plans={"security": {"cost": 200_000}}),
    case(legal_form="individual", employees=101),
]


def run(tmp_path, text: str) -> str:
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "evaluate", str(path), "--rules-file", str(RULES_FILE), "--as-of", "2026-06-15", stdout=out
    )
    return out.getvalue()


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_it_refuses_input_over_the_limit_without_a_traceback(tmp_path, source):
    data = b"[]" + b" " * (MAX_INPUT_BYTES - 1)  # valid JSON, one byte too long
    path = tmp_path / "large.json"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "manage.py", "evaluate", "--rules-file", str(RULES_FILE)]
        + ([str(path)] if source == "file" else ["-"]),
        input=data if source == "stdin" else None,
        capture_output=True,
        check=False,
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/absent.sqlite3", "PATH": ""},
    )
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2
    assert TOO_LARGE in stderr and "Traceback" not in stderr
    assert done.stdout == b""


@pytest.mark.parametrize(
    ("size", "refused"),
    [
        pytest.param(100_000, False, id="at-the-limit"),
        pytest.param(100_001, True, id="one-byte-over"),
    ],
)
def test_it_reads_up_to_the_limit_and_not_a_byte_more(tmp_path, monkeypatch, size, refused):
    monkeypatch.setattr(evaluate_command, "MAX_INPUT_BYTES", 100_000)  # the rules file is 42 kB
    text = "[]".ljust(size)
    if refused:
        with pytest.raises(CommandError) as error:
            run(tmp_path, text)
        assert "を超える入力は受け付けられません" in str(error.value)
        assert error.value.returncode == 2
    else:
        assert run(tmp_path, text) == "[]\n"


def test_it_writes_each_result_before_evaluating_the_next(tmp_path, monkeypatch):
    out = io.StringIO()
    written_before = []

    def evaluate_and_count(*args, **kwargs):
        written_before.append(out.getvalue().count('"rule_version"'))
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(evaluate_command, "evaluate", evaluate_and_count)
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(CASES), encoding="utf-8")
    call_command("evaluate", str(path), "--rules-file", str(RULES_FILE), stdout=out)
    assert written_before == [0, 1, 2]
    assert len(json.loads(out.getvalue())) == 3


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_list_is_laid_out_as_json_dumps_would(tmp_path, count):
    singles = [json.loads(run(tmp_path, json.dumps(c))) for c in CASES[:count]]
    expected = json.dumps(singles, ensure_ascii=False, indent=1) + "\n"
    assert run(tmp_path, json.dumps(CASES[:count])) == expected
