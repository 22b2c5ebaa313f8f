"""The rule document is checked whole, in Japanese, naming the place of each problem."""

import copy

import pytest

from eligibility.engine import RulesError, parse_rules
from tests.conftest import rules_document


def problems_of(mutate) -> list[str]:
    doc = copy.deepcopy(rules_document())
    mutate(doc)
    with pytest.raises(RulesError) as error:
        parse_rules(doc)
    return error.value.problems


def frame_of(doc, code):
    return next(f for f in doc["frames"] if f["code"] == code)


def param_of(doc, code, key):
    return next(p for p in frame_of(doc, code)["params"] if p["key"] == key)


def test_the_shipped_2026_document_is_valid():
    rules = parse_rules(rules_document())
    assert rules.label == "2026.1"
    assert list(rules.frames) == ["normal", "multi", "invoice", "e_trade", "security"]
    assert len(rules.size_categories) == 15
    assert len(rules.process_codes) == 7


def test_every_figure_of_the_2026_document_has_a_source():
    rules = parse_rules(rules_document())
    for frame in rules.frames.values():
        for param in frame.params.values():
            assert "日医発第390号" in param.source, param.key
        for round_ in frame.rounds:
            assert "今後のスケジュール" in round_.source


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("3/2", "補助率は0より大きく1以下にしてください", id="1を超える"),
        pytest.param("0/3", "補助率は0より大きく1以下にしてください", id="0"),
        pytest.param("0.5", "「2/3」のように分数で入力してください", id="小数"),
        pytest.param("1/0", "「2/3」のように分数で入力してください", id="分母0"),
    ],
)
def test_a_rate_must_be_a_fraction_between_0_and_1(value, message):
    def mutate(doc):
        param_of(doc, "security", "rate_small")["value"] = value

    assert problems_of(mutate) == [f"セキュリティ対策推進枠の「補助率（小規模事業者）」: {message}"]


def test_a_minimum_must_be_below_its_maximum():
    def mutate(doc):
        param_of(doc, "security", "min_yen")["value"] = 2_000_000

    assert problems_of(mutate) == [
        "セキュリティ対策推進枠: 「補助額の下限」は「補助額の上限」より小さくしてください"
    ]


def test_rounds_must_be_numbered_without_gaps_and_in_date_order():
    def gap(doc):
        frame_of(doc, "normal")["rounds"].append(
            {"number": 6, "closes_on": "2027-01-20", "source": "x"}
        )

    def order(doc):
        frame_of(doc, "normal")["rounds"].append(
            {"number": 5, "closes_on": "2026-08-01", "source": "x"}
        )

    assert problems_of(gap) == [
        "通常枠: 締切の回次は1から順に欠番なく付けてください（第5次がありません）"
    ]
    assert problems_of(order) == ["通常枠: 第5次の締切は第4次より後の日付にしてください"]


def test_every_problem_is_reported_at_once():
    def mutate(doc):
        del param_of(doc, "normal", "rate")["value"]
        frame_of(doc, "invoice")["params"] = [
            p for p in frame_of(doc, "invoice")["params"] if p["key"] != "rate_tier2"
        ]
        doc["legal_forms"][0]["size_category"] = 99

    problems = problems_of(mutate)
    assert len(problems) == 3
    assert any("通常枠の「補助率」" in p for p in problems)
    assert any("rate_tier2" in p for p in problems)
    assert any("規模区分 99 がありません" in p for p in problems)


@pytest.mark.parametrize(
    ("key", "name"),
    [("programme", "制度名"), ("notice", "根拠の通知"), ("guideline_edition", "公募要領の版")],
)
@pytest.mark.parametrize("blank", ["", "　 "])
def test_the_versions_own_texts_must_not_be_blank(key, name, blank):
    """Found by tests/fuzz: an empty 制度名 passed this check and broke the import with a 500."""

    def mutate(doc):
        doc[key] = blank

    assert problems_of(mutate) == [f"版: 「{name}」（{key}）を入力してください"]
    assert parse_rules(copy.deepcopy(rules_document()) | {key: "x"}).label == "2026.1"


def test_a_document_that_is_not_an_object_is_refused():
    with pytest.raises(RulesError):
        parse_rules(["not", "a", "document"])


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        pytest.param(
            lambda doc: doc["tools"][0].update(colour="赤"),
            "ITツールの種類 1行目: 「colour」という項目はありません",
            id="unknown-key-in-a-row",
        ),
        pytest.param(
            lambda doc: doc.update(comment="x"),
            "版: 「comment」という項目はありません",
            id="unknown-key-in-the-version",
        ),
        pytest.param(
            lambda doc: doc["tools"][0].update(name="道\x00"),
            "ITツールの種類 1行目: 「name」に使えない制御文字（NUL）が含まれています",
            id="nul-that-postgresql-cannot-keep",
        ),
        pytest.param(
            lambda doc: doc["legal_forms"].append(dict(doc["legal_forms"][0])),
            "開設主体 4行目: コード medical_corporation が重複しています",
            id="duplicate-legal-form",
        ),
        pytest.param(
            lambda doc: doc["legal_forms"][0].update(code="医療法人"),
            "開設主体 1行目: コードは半角英小文字・数字・下線で書いてください（医療法人）",
            id="legal-form-code-not-ascii",
        ),
        pytest.param(
            lambda doc: doc.update(legal_forms=[]),
            "開設主体: 1行以上必要です",
            id="no-legal-form",
        ),
    ],
)
def test_the_document_has_one_shape_and_legal_forms_are_data(mutate, problem):
    assert problems_of(mutate) == [problem]


def test_a_new_legal_form_needs_no_code():
    doc = copy.deepcopy(rules_document())
    doc["legal_forms"].append(doc["legal_forms"][0] | {"code": "foundation", "name": "財団"})
    assert parse_rules(doc).legal_forms["foundation"].name == "財団"
