"""``manage.py evaluate`` and the pure parsers under bad input: JSON-ish values of every type,
mutations of a valid case (wrong types, unknown keys, negative and huge costs), money as people
type it, and the normalizers of the profile. The command answers a list of results or stops
with CommandError(returncode=2) naming the case and the field, never another exception."""

import io
import json
import re
import subprocess
import sys
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clinics import normalize
from clinics.normalize import nfkc
from eligibility.engine.document import parse_rules
from eligibility.engine.io import CASE_KEYS, PLAN_KEYS, CaseError, parse_case
from eligibility.engine.types import ClinicFacts, Plan
from eligibility.forms import parse_yen
from eligibility.services import RULES_DIR

from . import PARSER_SETTINGS, VIEW_SETTINGS, any_text, examples, is_japanese, nasty_text

RULES_FILE = RULES_DIR / "2026.1.json"
RULES = parse_rules(json.loads(RULES_FILE.read_text(encoding="utf-8")))
LEGAL_FORMS = tuple(RULES.legal_forms)

# --- JSON-ish values and cases -----------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**30, -(10**30), 10**12, 10**12 + 1, 10**6 + 1, -1, 0, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(sorted(CASE_KEYS)), any_text), inner, max_size=3),
    ),
    max_leaves=10,
)
VALID_CASE = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "minimum_wage_near": False,
    "wage_increase_plan": True,
    "plans": {
        "normal": {"processes": 4, "cost": 3_000_000},
        "invoice": {
            "functions": ["accounting", "ordering"],
            "software_cost": 400_000,
            "pc_cost": 100_000,
            "register_cost": 0,
        },
        "security": {"cost": 200_000},
        "e_trade": {"cost": 600_000},
        "multi": {
            "members": 10,
            "functions": ["accounting"],
            "software_cost": 0,
            "pc_cost": 0,
            "register_cost": 0,
            "analysis_cost": 0,
            "admin_cost": 0,
        },
    },
}
CASE_PATHS = [("legal_form",), ("employees",), ("minimum_wage_near",), ("wage_increase_plan",)]
CASE_PATHS += [("plans",)] + [("plans", code) for code in PLAN_KEYS]
CASE_PATHS += [("plans", code, key) for code, keys in PLAN_KEYS.items() for key in sorted(keys)]
money = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from([-1, 0, 10**12, 10**12 + 1, 10**30, -(10**30)]),
)


@st.composite
def mutated_case(draw) -> dict:
    """A valid case with a few places changed: another value (any type, or a number at the
    edges), a key left out, or an unknown key added."""
    case = json.loads(json.dumps(VALID_CASE))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        *head, last = draw(st.sampled_from(CASE_PATHS))
        target = case
        for key in head:
            target = target.get(key) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            continue
        how = draw(st.sampled_from(["value", "money", "drop", "unknown"]))
        if how == "drop":
            target.pop(last, None)
        elif how == "unknown":
            target[draw(any_text)] = draw(json_values)
        else:
            target[last] = draw(json_values if how == "value" else money)
    return case


cases = st.one_of(mutated_case(), mutated_case(), json_values)


def check_case_error(error: CaseError) -> None:
    """A refused case names the field (a key of the case, dotted for plans) in Japanese."""
    assert error.field and str(error).startswith(f"{error.field}: ")
    assert not re.search(r"[\x00-\x1f\x7f\u202e]", error.field), error.field
    assert is_japanese(str(error))


@PARSER_SETTINGS
@given(case=cases)
@example(case=VALID_CASE | {"employees": 10**30})
@example(case=VALID_CASE | {"legal_form": ["individual"]})
@example(case=VALID_CASE | {"legal_form": {"x": 1}})
@example(case=VALID_CASE | {"plans": {"normal": {"processes": 2, "cost": float("nan")}}})
@example(case=VALID_CASE | {"plans": {"invoice": {"functions": [1], "software_cost": 1}}})
@example(case=VALID_CASE | {"plans": []})
@example(case=VALID_CASE | {"": 1})
@example(case=VALID_CASE | {"\x1b[31m": 1})
def test_a_case_is_parsed_or_refused_naming_the_field(case):
    try:
        facts, plan = parse_case(case, RULES)
    except CaseError as error:
        check_case_error(error)
    else:
        assert isinstance(facts, ClinicFacts) and isinstance(plan, Plan)
        assert 0 <= facts.employees <= 10**6


# --- the command -------------------------------------------------------------------------------


def run_command(tmp_path, text: str):
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("evaluate", str(path), "--rules-file", str(RULES_FILE), stdout=out)
    return json.loads(out.getvalue())


def check_command_error(error: CommandError) -> None:
    assert error.returncode == 2
    assert is_japanese(str(error)), str(error)


def first_refused(payload) -> tuple[int, CaseError] | None:
    """The case the command must name: the first that parse_case refuses."""
    for index, case in enumerate(payload if isinstance(payload, list) else [payload]):
        try:
            parse_case(case, RULES)
        except CaseError as error:
            return index, error
    return None


@settings(VIEW_SETTINGS, max_examples=examples(60))
@given(payload=st.one_of(cases, st.lists(cases, max_size=4)))
@example(payload=[VALID_CASE, VALID_CASE | {"plans": {"security": {"cost": -1}}}])
@example(payload=[])
@example(payload=[VALID_CASE] * 3)
def test_the_command_answers_every_case_or_names_the_bad_one(tmp_path, payload):
    count = len(payload) if isinstance(payload, list) else 1
    refused = first_refused(payload)
    try:
        output = run_command(tmp_path, json.dumps(payload, ensure_ascii=False))
    except CommandError as error:
        check_command_error(error)
        assert refused is not None, str(error)
        index, case_error = refused
        assert str(error) == f"ケース {index}: {case_error}"
    else:
        assert refused is None
        results = output if isinstance(payload, list) else [output]
        assert len(results) == count
        for result in results:
            assert set(result) >= {"rule_version", "applicant", "frames"}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            '{"legal_form": "individual", "employees": ' + "9" * 5000 + "}", id="5000-digits"
        ),
        pytest.param("[" * 100_000, id="deep-nesting"),
        pytest.param('{"legal_form": "individual", "employees": NaN}', id="nan"),
        pytest.param('{"legal_form": "individual", "employees": 1e400}', id="inf"),
        pytest.param("\u3042", id="not-json"),
    ],
)
def test_the_command_refuses_unreadable_json_with_status_2(tmp_path, text):
    with pytest.raises(CommandError) as error:
        run_command(tmp_path, text)
    check_command_error(error.value)
    assert re.match(r".*(JSON として読めません|ケース 0: employees: 整数)", str(error.value))


def test_the_command_refuses_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "cases.json"
    path.write_bytes('{"legal_form": "個人"}'.encode("cp932"))
    with pytest.raises(CommandError) as error:
        call_command("evaluate", str(path), "--rules-file", str(RULES_FILE), stdout=io.StringIO())
    check_command_error(error.value)
    assert "UTF-8 のテキストではありません" in str(error.value)


def test_the_command_reads_utf8_with_a_bom(tmp_path):
    """Windows editors save UTF-8 with a BOM; the rule import reads it too."""
    assert run_command(tmp_path, "\ufeff" + json.dumps(VALID_CASE))["rule_version"] == "2026.1"


def _subprocess(tmp_path, text: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "evaluate", "--rules-file", str(RULES_FILE), "-"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/absent.sqlite3", "PATH": ""},
        timeout=60,
    )


@settings(VIEW_SETTINGS, max_examples=examples(3))
@given(payload=st.lists(mutated_case(), min_size=1, max_size=3))
@example(payload='{"legal_form": "individual", "employees": ' + "9" * 5000 + "}")
def test_the_command_in_a_shell_exits_0_or_2_without_a_traceback(tmp_path, payload):
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    done = _subprocess(tmp_path, text)
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in stderr
    if done.returncode == 0:
        assert len(json.loads(done.stdout)) == len(payload)
    else:
        assert done.returncode == 2 and is_japanese(stderr), stderr


# --- money as people type it -------------------------------------------------------------------

decimal_text = st.builds(
    lambda whole, frac, man, yen: (
        f"{whole}{'.' + frac if frac else ''}{'万' if man else ''}{'円' if yen else ''}"
    ),
    st.text("0123456789", min_size=1, max_size=40),
    st.text("0123456789", max_size=40),
    st.booleans(),
    st.booleans(),
)
money_text = st.one_of(
    decimal_text,
    decimal_text.map(lambda t: t.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))),
    st.integers(min_value=0, max_value=10**15).map(lambda n: f"{n:,}"),
    st.integers(min_value=0, max_value=10**15).map(lambda n: f"¥{n:,}円"),
    nasty_text,
)


def expected_yen(raw: str) -> int | None:
    """The amount the text says, computed exactly with fractions (the reference). Thousands
    separators stand every three digits or not at all: '1,2,3' is not an amount."""
    text = nfkc(raw).replace(" ", "").replace("¥", "")
    found = re.fullmatch(r"((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)(万)?円?", text)
    if not found or len(found[1]) > 4000:  # thousands of digits are not an amount
        return None
    whole, _, frac = found[1].replace(",", "").partition(".")
    value = Fraction(int(whole + frac), 10 ** len(frac)) * (10_000 if found[2] else 1)
    return int(value) if value.denominator == 1 else None


@PARSER_SETTINGS
@given(raw=money_text)
@example(raw="1.00000000000000000000000000001万")
@example(raw="9" * 400)
@example(raw="9" * 5000)
@example(raw="9" * 1_000_001)
@example(raw="1e309")
@example(raw="NaN")
@example(raw="٣٤٥")
@example(raw="1,2,3")
@example(raw="1_000")
@example(raw="１，２００，０００")
def test_parse_yen_gives_the_exact_whole_yen_or_none(raw):
    amount = parse_yen(raw)
    assert amount is None or (type(amount) is int and amount >= 0)
    if re.fullmatch(r"[0-9０-９,，.．万円¥ ]*", raw):
        assert amount == expected_yen(raw), raw


# --- the normalizers of the profile ------------------------------------------------------------

odd_text = st.one_of(
    nasty_text,
    st.text("0123456789０１２３４５６７８９-ー－‐―−()（）〒 　٣١٢", max_size=20),
)


@PARSER_SETTINGS
@given(raw=odd_text)
@example(raw="١٢٣٤٥٦٧")
@example(raw="〒١٠٠-٠٠٠١")
def test_the_normalizers_never_fail_and_keep_one_canonical_form(raw):
    assert re.fullmatch(r"[0-9]*", normalize.digits(raw))
    postal = normalize.postal_code(raw)
    assert postal is None or re.fullmatch(r"[0-9]{3}-[0-9]{4}", postal)
    phone = normalize.phone(raw)
    assert phone is None or re.fullmatch(r"0[0-9]*(-[0-9]+){0,2}", phone)
    number = normalize.corporate_number(raw)
    assert number is None or re.fullmatch(r"[0-9]{13}", number)
    for function in (normalize.postal_code, normalize.phone, normalize.corporate_number):
        once = function(raw)
        assert once is None or function(once) == once, (function.__name__, raw)
    for function in (normalize.text, normalize.kana, normalize.nfkc, normalize.lines):
        once = function(raw)
        assert function(once) == once, (function.__name__, raw)
    normalize.is_katakana(normalize.kana(raw))
