"""Plain data for the engine: rules, facts and plans in; results out.

Nothing here imports Django. Money is ``int`` yen (names end in ``_yen``), rates and exact
amounts are ``mpq`` (gmpy2's exact rational, ~10× faster than ``fractions.Fraction``, and equal
to and hashed like the Fraction of the same value). Domain terms, once:

- ``sme``: 中小企業・小規模事業者等 (the seed's size table)
- ``small_business``: 小規模事業者 (its threshold for clinics is an assumption in the rules)
- ``minimum_wage_near``: 最低賃金近傍の事業者 (the 30%-of-staff, 3-months test)
- ``wage_increase_plan``: 賃金引上げ計画 (required for 4 or more processes in 通常枠)
- formulas (how a frame's subsidy is computed; each frame of a rule version names one):
  ``normal`` 通常枠, ``multi`` 複数者連携デジタル化・AI導入枠, ``invoice`` インボイス対応類型,
  ``e_trade`` 電子取引類型, ``security`` セキュリティ対策推進枠. A 2026 frame's code is its
  formula's name; next year's frame may have a new code and reuse a formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

from gmpy2 import mpq

FORMULA_NAMES = ("normal", "multi", "invoice", "e_trade", "security")
INVOICE_FUNCTIONS = ("accounting", "ordering", "payment")

ParamKind = Literal["rate", "yen", "count", "text"]
Verdict = Literal["eligible", "confirm", "not_eligible"]


# --- rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One figure of the programme with the line of the source it comes from."""

    key: str
    label: str
    kind: ParamKind
    value: mpq | int | str
    source: str
    needs_confirmation: bool = False


@dataclass(frozen=True)
class Round:
    """A deadline round (第N次申請締切日) of one frame."""

    number: int
    closes_on: date
    source: str


@dataclass(frozen=True)
class FrameRules:
    code: str
    name: str
    formula: str  # one of FORMULA_NAMES
    group: str
    goal: str
    summary: str
    eligible_costs: str
    source: str
    params: Mapping[str, Param]
    rounds: tuple[Round, ...] = ()  # in the order of their dates (parse_rules checks it)
    values: Mapping[str, mpq | int | str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the figures by key, read many times a second by the formulas (their kinds are
        # checked by parse_rules against FRAME_PARAMS)
        object.__setattr__(self, "values", {k: p.value for k, p in self.params.items()})

    def param(self, key: str) -> Param:
        return self.params[key]

    def rate(self, key: str) -> mpq:
        return self.values[key]

    def yen(self, key: str) -> int:
        return self.values[key]

    count = yen


@dataclass(frozen=True)
class SizeCategory:
    """One row of the seed's table of who counts as an SME (①…⑮)."""

    number: int
    name: str
    requirement: str
    capital_max_yen: int | None
    employees_max: int | None
    source: str


@dataclass(frozen=True)
class LegalFormRules:
    code: str
    name: str
    size_category: int
    applicant_label: str  # how the seed's table treats it, e.g. 個人事業主（サービス業）
    small_business_max_employees: int
    small_business_source: str
    small_business_needs_confirmation: bool


@dataclass(frozen=True)
class ProcessCode:
    code: str
    name: str
    group: str


@dataclass(frozen=True)
class Tool:
    """A kind of IT tool in a clinic's words, mapped to a process and an invoice function."""

    code: str
    name: str
    process_code: str
    invoice_function: str
    needs_confirmation: bool


MILESTONES = ("applied", "adopted", "granted")  # what a stage counts as, for the funnel


@dataclass(frozen=True)
class ApplicationStage:
    """A stage of a clinic's application for a frame (検討中 … 補助金受領), in the document's
    order. ``milestones``: which of MILESTONES a clinic at this stage has reached (不採択 has
    applied, not adopted); ``records_application``: the stage asks the round, date and number."""

    code: str
    name: str
    milestones: frozenset[str]
    records_application: bool
    source: str


@dataclass(frozen=True)
class ChecklistItem:
    text: str
    frame_code: str  # "" for every frame
    condition: str  # "always", "wage_plan", "small_business", "minimum_wage_near"
    source: str
    needs_confirmation: bool = False


@dataclass(frozen=True)
class RuleSet:
    label: str
    programme: str
    status: str
    effective_from: date | None
    notice: str
    guideline_edition: str
    frames: Mapping[str, FrameRules]
    size_categories: Mapping[int, SizeCategory]
    legal_forms: Mapping[str, LegalFormRules]
    process_codes: Mapping[str, ProcessCode]
    tools: Mapping[str, Tool]
    checklist: tuple[ChecklistItem, ...]
    application_stages: tuple[ApplicationStage, ...] = ()
    reminder_days: tuple[int, ...] = ()  # e-mail N days before a round's deadline, largest first


# --- facts and plans -----------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicFacts:
    legal_form: str
    employees: int  # 常時使用する従業員の数
    minimum_wage_near: bool | None = False  # None: わからない (or not asked yet)
    wage_increase_plan: bool | None = False  # None: わからない (or not asked yet)


@dataclass(frozen=True)
class NormalPlan:
    processes: int
    cost_yen: int


@dataclass(frozen=True)
class InvoicePlan:
    functions: frozenset[str]
    software_cost_yen: int
    pc_cost_yen: int = 0
    register_cost_yen: int = 0


@dataclass(frozen=True)
class CostPlan:
    cost_yen: int


@dataclass(frozen=True)
class MultiPlan:
    """A consortium's budget: (a) invoice-type costs, (b) analysis costs, (c) administration."""

    members: int
    base: InvoicePlan
    analysis_cost_yen: int = 0
    admin_cost_yen: int = 0


class Plan(dict[str, NormalPlan | InvoicePlan | CostPlan | MultiPlan]):
    """What the clinic plans to buy under each frame, by frame code:
    ``Plan(normal=NormalPlan(2, 1_000_000), security=CostPlan(200_000))``."""


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """A sentence of the answer and the rule it rests on (``rule``: a key such as normal.rate)."""

    text: str
    rule: str
    source: str
    needs_confirmation: bool = False


@dataclass(frozen=True)
class Step:
    """One line of the arithmetic shown to the user; ``amount_yen`` is exact until the end."""

    label: str
    formula: str
    amount_yen: mpq


class FrameNumbers(NamedTuple):
    """A frame's result without its explanation (``evaluate(..., explain=False)``): the same
    numbers as its FrameResult, for the re-screen, the impact preview and the stored outcomes."""

    code: str
    eligible: bool
    verdict: Verdict
    rate: mpq | None
    subsidy_yen: int
    min_subsidy_yen: int
    max_subsidy_yen: int
    max_is_exclusive: bool
    next_deadline: Round | None


@dataclass(frozen=True)
class FrameResult:
    code: str
    name: str
    eligible: bool
    verdict: Verdict
    rate: mpq | None
    subsidy_yen: int
    min_subsidy_yen: int
    max_subsidy_yen: int
    max_is_exclusive: bool
    reasons: tuple[Reason, ...]
    why_not: str = ""  # the sentence that makes it 対象外, when it is
    requirements: tuple[Reason, ...] = ()
    steps: tuple[Step, ...] = ()
    improvements: tuple[Reason, ...] = ()
    rounds: tuple[Round, ...] = ()
    next_deadline: Round | None = None
    checklist: tuple[ChecklistItem, ...] = ()

    @property
    def confirmations(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons + self.requirements if r.needs_confirmation)


@dataclass(frozen=True)
class ApplicantResult:
    eligible: bool
    sme: bool
    small_business: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Evaluation:
    rule_version: str
    as_of: date
    applicant: ApplicantResult
    frames: tuple[FrameResult, ...] | tuple[FrameNumbers, ...] = field(default=())

    def frame(self, code: str) -> FrameResult | FrameNumbers | None:
        return next((f for f in self.frames if f.code == code), None)

    @property
    def total_subsidy_yen(self) -> int:
        return sum(f.subsidy_yen for f in self.frames if f.eligible)
