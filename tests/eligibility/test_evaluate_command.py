"""manage.py evaluate: JSON in, JSON out; bad input named by field and case, exit status 2."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from eligibility.services import RULES_DIR

RULES_FILE = RULES_DIR / "2026.1.json"

pytestmark = pytest.mark.django_db


def run(tmp_path, payload, *args) -> object:
    path = tmp_path / "cases.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    out = io.StringIO()
    call_command("evaluate", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def case(**overrides):
    return {"legal_form": "medical_corporation", "employees": 40} | overrides


def test_it_answers_a_single_case(tmp_path):
    plans = {"invoice": {"functions": ["accounting", "ordering"], "software_cost": 1_000_000}}
    result = run(tmp_path, case(plans=plans), "--as-of", "2026-06-15")
    assert result["rule_version"] == "2026.1"
    assert result["applicant"] | {"reasons": None} == {
        "eligible": True,
        "sme": True,
        "small_business": False,
        "reasons": None,
    }
    invoice = result["frames"]["invoice"]
    assert (invoice["eligible"], invoice["rate"], invoice["subsidy"]) == (True, "3/4", 722_222)
    assert invoice["next_deadline"] == "2026-06-15"
    assert invoice["max_subsidy"] == 3_800_000


def test_it_answers_a_list_with_a_list(tmp_path):
    cases = [
        case(plans={"normal": {"processes": 3, "cost": 3_000_000}}),
        case(employees=301, plans={"normal": {"processes": 3, "cost": 3_000_000}}),
        case(legal_form="individual", employees=101),
    ]
    results = run(tmp_path, cases, "--as-of", "2026-08-26")
    normal = results[0]["frames"]["normal"]
    assert (normal["subsidy"], normal["max_subsidy"], normal["next_deadline"]) == (
        1_499_999,
        1_499_999,
        None,
    )
    assert results[1]["applicant"]["eligible"] is False
    assert results[1]["frames"]["normal"]["eligible"] is False
    assert results[1]["frames"]["e_trade"]["eligible"] is False
    assert set(results[2]["frames"]) == {"e_trade"}
    assert results[2]["frames"]["e_trade"]["rate"] == "1/2"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param([case(colour="red")], "ケース 0: colour: 知らない項目です", id="unknown-key"),
        pytest.param(
            [case(), case(plans={"security": {"cost": -1}})],
            "ケース 1: plans.security.cost: 0以上の整数で指定してください",
            id="negative-cost",
        ),
        pytest.param(
            [case(employees="40")], "ケース 0: employees: 整数で指定してください", id="text"
        ),
        pytest.param(
            [case(plans={"normal": {"processes": 2}})],
            "ケース 0: plans.normal.cost: 必須の項目です",
            id="missing",
        ),
        pytest.param(
            [case(minimum_wage_near="yes")],
            "ケース 0: minimum_wage_near: true か false で指定してください",
            id="not-bool",
        ),
        pytest.param('{"legal_form": ', "JSON として読めません", id="invalid-json"),
    ],
)
def test_it_names_the_field_and_case_of_bad_input(tmp_path, payload, message):
    with pytest.raises(CommandError) as error:
        run(tmp_path, payload)
    assert message in str(error.value)
    assert error.value.returncode == 2


def test_it_refuses_an_unknown_rule_label(tmp_path):
    with pytest.raises(CommandError) as error:
        run(tmp_path, case(), "--rules", "1999.1")
    assert "1999.1" in str(error.value) and error.value.returncode == 2


def test_it_exits_2_without_a_traceback(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"legal_form": "medical_corporation", "employees": -3}]', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "evaluate", "--rules-file", str(RULES_FILE), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "employees" in done.stderr


def test_it_can_read_the_rules_from_a_file_without_the_database(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(case(plans={"e_trade": {"cost": 600_000}})), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "evaluate", "--rules-file", str(RULES_FILE), str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/absent.sqlite3", "PATH": ""},
    )
    assert json.loads(done.stdout)["frames"]["e_trade"]["subsidy"] == 400_000
