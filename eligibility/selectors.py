"""Reads of the rule data and of the screenings. A version is a rule document (the shape of the
data file, of an export and of a diff); parse_rules makes it a RuleSet for the engine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db.models import Count, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from clinics.models import Association

from .engine import next_open_round, parse_rules
from .engine.answers import CostBreakdown, chosen_frames, evaluate_answers
from .engine.answers import steps as answers_steps
from .engine.diff import (
    Outcome,
    OutcomeChange,
    change_line,
    change_summary,
    document_diff,
    outcome_changes,
)
from .engine.types import Evaluation, FrameResult, FrameRules, Reason, Round, RuleSet
from .models import (
    ApplicationRecord,
    RescreenRun,
    RuleVersion,
    RuleVersionEvent,
    Screening,
    ScreeningChange,
    ScreeningOutcome,
)


def today() -> date:
    """The date in Japan, which is what deadlines are counted against."""
    return timezone.localdate()


def rule_version_published() -> RuleVersion | None:
    return RuleVersion.objects.filter(status=RuleVersion.Status.PUBLISHED).first()


def rule_version_get(*, label: str) -> RuleVersion | None:
    return RuleVersion.objects.filter(label=label).first()


def rule_version_document(*, version: RuleVersion) -> dict:
    """The version's rule document as stored (the shape of eligibility/rules/*.json)."""
    return RuleVersion.objects.values_list("document", flat=True).get(pk=version.pk)


def rule_set_for(*, version: RuleVersion) -> RuleSet:
    """The engine's view of a version. Published and retired versions never change, so their
    RuleSet is built once per process; a draft is read afresh from the database."""
    if version.is_draft:
        return parse_rules(rule_version_document(version=version), status=version.status)
    return _frozen_rule_set(version.pk, version.label, version.status, version.published_at)


@lru_cache(maxsize=32)
def _frozen_rule_set(version_id: int, label: str, status: str, published_at) -> RuleSet:
    document = RuleVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return parse_rules(document, status=status)


# --- screenings ----------------------------------------------------------------------------

STEP_LABELS = {
    "applicant": "申請者",
    "goals": "やりたいこと",
    "tools": "導入予定のITツールと費用",
    "wages": "賃金について",
    "result": "結果",
}


def wizard_steps(answers: dict, rules: RuleSet) -> list[tuple[str, str]]:
    """The steps this screening goes through (the engine decides which), with their labels."""
    return [(step, STEP_LABELS[step]) for step in answers_steps(answers, rules)]


def screening_list_for_clinic(*, clinic) -> QuerySet[Screening]:
    """The clinic's screenings; ``current_changes``: the notice that a screening's result is
    different under the published version (at most one); ``current_rechecks``: its copies
    already re-checked under the published version (the first is shown)."""
    published = RuleVersion.Status.PUBLISHED
    changes = (
        ScreeningChange.objects.filter(version__status=published)
        .select_related("version")
        .defer("version__document")
    )
    rechecks = (
        Screening.objects.filter(rule_version__status=published)
        .select_related("rule_version")
        .defer("rule_version__document")
        .order_by("id")
    )
    return (
        clinic.screenings.select_related("rule_version")
        .defer("rule_version__document")
        .prefetch_related(
            Prefetch("changes", queryset=changes, to_attr="current_changes"),
            Prefetch("rechecks", queryset=rechecks, to_attr="current_rechecks"),
        )
        .order_by("-updated_at", "-id")
    )


def screening_recheck_made(*, screening: Screening, result: ScreeningResult) -> Screening | None:
    """The copy of an outdated screening already re-checked under the published version."""
    if not result.is_outdated:
        return None
    return screening.rechecks.filter(rule_version=result.current_version).order_by("id").first()


def screening_get_for_user(*, user, screening_id: int, for_edit: bool = False) -> Screening:
    """A screening of a clinic this person may see: its own users (to edit or read) and its
    association's staff (to read); 404 for everyone else. Read in one query with its version
    (not its document: rule_set_for keeps the parsed rules of a published version), and to read
    also with its clinic and association (the result page and the PDF name them) and the id of
    the published version (screening_result says whether the result is outdated)."""
    screenings = Screening.objects.none()
    if user.is_authenticated and user.is_clinic_user:
        screenings = Screening.objects.filter(clinic_id=user.clinic_id)
    elif user.is_authenticated and user.is_association_staff and not for_edit:
        screenings = Screening.objects.filter(clinic__association_id=user.association_id)
    screenings = screenings.select_related("rule_version").defer("rule_version__document")
    if not for_edit:
        published = RuleVersion.objects.filter(status=RuleVersion.Status.PUBLISHED).values("pk")
        screenings = screenings.select_related("clinic__association").annotate(
            published_version_id=Subquery(published[:1])
        )
    found = screenings.filter(pk=screening_id).first()
    if found is None:
        raise Http404("確認結果が見つかりません。")
    return found


@dataclass(frozen=True)
class FrameView:
    result: FrameResult
    cost: CostBreakdown | None
    frame: FrameRules
    history: tuple[ApplicationRecord, ...] = ()  # the clinic's stages for it, latest first

    @property
    def stage(self) -> ApplicationRecord | None:
        return self.history[0] if self.history else None

    @property
    def checklist(self) -> list:
        """What this frame alone asks for; the items every frame shares are listed once."""
        return [item for item in self.result.checklist if item.frame_code == self.frame.code]


@dataclass(frozen=True)
class ScreeningResult:
    """Everything the result page and the PDF show, computed once from the stored answers under
    the screening's own rule version."""

    screening: Screening
    rules: RuleSet
    evaluation: Evaluation
    frames: list[FrameView]
    multi: FrameRules | None
    common_checklist: list
    confirmations: list[Reason]
    current_version: RuleVersion | None
    as_of: date

    @property
    def is_outdated(self) -> bool:
        return (
            self.current_version is not None and self.current_version != self.screening.rule_version
        )

    @property
    def multi_next_round(self) -> Round | None:
        return next_open_round(self.multi.rounds, self.as_of) if self.multi else None

    @property
    def waiting(self) -> list[FrameView]:
        """Frames the clinic qualifies for (or may: 要確認) but cannot apply for now: no round
        of this version is open."""
        return [v for v in self.frames if v.result.eligible and v.result.next_deadline is None]

    @property
    def upcoming_deadlines(self) -> list[tuple[FrameRules, Round]]:
        found = []
        for view in self.frames:
            found += [(view.frame, r) for r in view.result.rounds if r.closes_on >= self.as_of]
        if self.multi is not None:
            found += [(self.multi, r) for r in self.multi.rounds if r.closes_on >= self.as_of]
        return sorted(found, key=lambda pair: pair[1].closes_on)


def screening_result(
    *, screening: Screening, as_of: date, version: RuleVersion | None = None
) -> ScreeningResult:
    """The screening's result under its own version (or, to compare, under ``version``)."""
    rules = rule_set_for(version=version or screening.rule_version)
    return build_result(
        screening=screening,
        rules=rules,
        as_of=as_of,
        current_version=_published_for(screening),
        records=application_records(clinic_id=screening.clinic_id, programme=rules.programme),
    )


def application_records(*, clinic_id: int, programme: str) -> list[ApplicationRecord]:
    """The clinic's application stages recorded for the programme's frames, latest first."""
    return list(
        ApplicationRecord.objects.filter(clinic_id=clinic_id, programme=programme)
        .select_related("recorded_by")
        .order_by("-id")
    )


def _published_for(screening: Screening) -> RuleVersion | None:
    """The published version: the screening's own, when screening_get_for_user read that it
    is (the usual case, no query); otherwise read here."""
    published_id = getattr(screening, "published_version_id", None)
    if published_id is not None and published_id == screening.rule_version_id:
        return screening.rule_version
    return rule_version_published()


def build_result(
    *,
    screening: Screening,
    rules: RuleSet,
    as_of: date,
    current_version: RuleVersion | None,
    records: list[ApplicationRecord] = (),
) -> ScreeningResult:
    """The result of a screening's answers under ``rules``, with the clinic's application
    ``records``: no query here (benchmarks and tests build it from unsaved objects)."""
    evaluation, costs = evaluate_answers(screening.answers, rules, as_of=as_of)
    frames = [
        FrameView(
            r,
            costs.get(r.code),
            rules.frames[r.code],
            tuple(record for record in records if record.frame_code == r.code),
        )
        for r in evaluation.frames
    ]
    common = [
        item for item in rules.checklist if not item.frame_code and item.condition == "always"
    ]
    for view in frames:
        common += [i for i in view.result.checklist if not i.frame_code and i not in common]
    confirmations = [r for r in evaluation.applicant.reasons if r.needs_confirmation]
    for view in frames:
        confirmations += [r for r in view.result.confirmations if r not in confirmations]
    return ScreeningResult(
        screening=screening,
        rules=rules,
        evaluation=evaluation,
        frames=frames,
        multi=next(  # a group frame chosen but not computed (a screening made before it was)
            (
                f
                for f in chosen_frames(screening.answers, rules)
                if f.formula == "multi" and evaluation.frame(f.code) is None
            ),
            None,
        ),
        common_checklist=common,
        confirmations=confirmations,
        current_version=current_version,
        as_of=as_of,
    )


# --- rule administration -------------------------------------------------------------------


def rule_version_list() -> QuerySet[RuleVersion]:
    """Every version, newest first, with how many screenings were made under it."""
    return (
        RuleVersion.objects.select_related("based_on")
        .annotate(screening_count=Count("screenings"))
        .order_by("-created_at", "-id")
    )


def rule_version_get_for_admin(*, version_id: int) -> RuleVersion:
    version = RuleVersion.objects.select_related("based_on").filter(pk=version_id).first()
    if version is None:
        raise Http404("ルールの版が見つかりません。")
    return version


def rule_version_events(*, version: RuleVersion) -> QuerySet[RuleVersionEvent]:
    return version.events.select_related("by")


def rule_version_compared_with(*, version: RuleVersion) -> RuleVersion | None:
    """What a version's changes are read against: a draft against the published version, a
    published or retired one against the version it was cloned from."""
    if version.is_draft:
        published = rule_version_published()
        return published if published != version else None
    return version.based_on


def rule_version_diff(*, version: RuleVersion, against: RuleVersion | None) -> list[str]:
    if against is None:
        return []
    return document_diff(against.document, version.document)


def rescreen_runs(*, version: RuleVersion) -> QuerySet[RescreenRun]:
    return version.rescreen_runs.select_related("created_by")


def screening_changes_count_for_association(*, association) -> tuple[RuleVersion | None, int]:
    """How many of the association's clinics have a screening whose result is different under
    the published version and that they have not re-checked under it yet (the staff's
    「結果が変わった医療機関」; a clinic's own list shows 「再確認済み」 for the others)."""
    version = rule_version_published()
    if version is None:
        return None, 0
    count = (
        ScreeningChange.objects.filter(version=version, screening__clinic__association=association)
        .exclude(screening__rechecks__rule_version=version)
        .values("screening__clinic")
        .distinct()
        .count()
    )
    return version, count


# --- impact of a version on the stored screenings --------------------------------------------


@dataclass(frozen=True)
class ScreeningImpact:
    """One stored screening re-evaluated under another version. ``changes`` is None when its
    answers cannot be evaluated (counted as skipped)."""

    screening_id: int
    clinic_id: int
    clinic_name: str
    association_id: int
    screening_name: str
    old_total_yen: int
    new_total_yen: int
    changes: tuple[OutcomeChange, ...] | None
    frame_names: dict

    @property
    def lines(self) -> list[str]:
        return [change_line(c, self.frame_names) for c in self.changes or ()]

    def changed(self, kind: str) -> bool:
        return any(c.kind == kind for c in self.changes or ())


_IMPACT_FIELDS = (
    "id",
    "clinic_id",
    "clinic__name",
    "clinic__association_id",
    "name",
    "rule_version_id",
    "answers",
    "total_subsidy_yen",
)


def screenings_to_rescreen(*, version: RuleVersion) -> QuerySet[Screening]:
    """The completed screenings made under any other version."""
    return Screening.objects.filter(completed_at__isnull=False).exclude(rule_version=version)


def screening_impact_range(
    *, version: RuleVersion, as_of: date, first_id: int, last_id: int
) -> Iterator[ScreeningImpact]:
    """The screenings of a re-screen chunk (ids ``first_id`` to ``last_id``), re-evaluated."""
    for chunk in screening_impact_chunks(
        version=version, as_of=as_of, chunk_size=5000, ids=(first_id, last_id)
    ):
        yield from chunk


def screening_impact_chunks(
    *,
    version: RuleVersion,
    as_of: date,
    chunk_size: int = 2000,
    ids: tuple[int, int] | None = None,
) -> Iterator[list[ScreeningImpact]]:
    """Every completed screening made under another version, re-evaluated under ``version`` as
    of ``as_of``, compared with what it said, ``chunk_size`` screenings at a time (memory stays
    flat whatever the number of screenings).

    What it said: the stored outcome of each frame (verdict, eligible, subsidy). The next
    deadline is taken as of ``as_of`` under the screening's own version rather than as stored
    when it was completed: a stored deadline that has since passed is not a change the new
    version makes. The version's RuleSet is built once; screenings and their outcomes are read
    by ranges of ids (keyset pagination, two queries a chunk, no model instances), so nothing
    holds a cursor open between chunks and the caller may write and commit in between."""
    rules = rule_set_for(version=version)
    frame_names = {code: frame.name for code, frame in rules.frames.items()}
    baselines: dict[int, dict[str, date | None]] = {}
    screenings = screenings_to_rescreen(version=version).order_by("id")
    if ids is not None:
        screenings = screenings.filter(id__range=ids)
    last_id = 0
    while True:
        rows = list(screenings.filter(id__gt=last_id).values_list(*_IMPACT_FIELDS)[:chunk_size])
        if not rows:
            return
        first_id, last_id = rows[0][0], rows[-1][0]
        stored: dict[int, dict[str, tuple]] = {row[0]: {} for row in rows}
        outcomes = ScreeningOutcome.objects.filter(
            screening_id__gte=first_id, screening_id__lte=last_id
        ).values_list("screening_id", "frame_code", "verdict", "eligible", "subsidy_yen")
        for screening_id, code, verdict, eligible, subsidy in outcomes:
            if screening_id in stored:
                stored[screening_id][code] = (verdict, eligible, subsidy)
        chunk = []
        for sid, clinic_id, clinic_name, association_id, name, version_id, answers, total in rows:
            if version_id not in baselines:
                baselines[version_id] = _next_deadlines(version_id, as_of)
            baseline = baselines[version_id]
            before = {
                code: Outcome(verdict, eligible, subsidy, baseline.get(code))
                for code, (verdict, eligible, subsidy) in stored[sid].items()
            }
            try:
                evaluation, _ = evaluate_answers(answers, rules, as_of=as_of, explain=False)
            except (KeyError, TypeError, ValueError, AttributeError):
                changes, new_total = None, total
            else:
                after = {
                    f.code: Outcome(
                        f.verdict,
                        f.eligible,
                        f.subsidy_yen,
                        f.next_deadline.closes_on if f.next_deadline else None,
                    )
                    for f in evaluation.frames
                }
                changes = tuple(outcome_changes(before, after))
                new_total = evaluation.total_subsidy_yen
            chunk.append(
                ScreeningImpact(
                    sid,
                    clinic_id,
                    clinic_name,
                    association_id,
                    name,
                    total,
                    new_total,
                    changes,
                    frame_names,
                )
            )
        yield chunk


def _next_deadlines(version_id: int, as_of: date) -> dict[str, date | None]:
    rules = rule_set_for(version=RuleVersion.objects.get(pk=version_id))
    found = {}
    for code, frame in rules.frames.items():
        next_round = next_open_round(frame.rounds, as_of)
        found[code] = next_round.closes_on if next_round else None
    return found


@dataclass
class AssociationImpact:
    association: Association
    clinic_ids: set = field(default_factory=set)
    screenings: int = 0
    examples: list = field(default_factory=list)

    @property
    def clinics(self) -> int:
        return len(self.clinic_ids)

    @property
    def more(self) -> int:
        return self.screenings - len(self.examples)


@dataclass
class Impact:
    """What publishing ``version`` would change for the stored screenings."""

    version: RuleVersion
    as_of: date
    total: int = 0
    changed: int = 0
    eligibility: int = 0
    subsidy: int = 0
    deadline: int = 0
    skipped: int = 0
    summaries: list = field(default_factory=list)  # (line, screenings), most frequent first
    associations: list = field(default_factory=list)  # AssociationImpact, most affected first

    @property
    def clinics(self) -> int:
        return sum(a.clinics for a in self.associations)


def rule_version_impact(
    *,
    version: RuleVersion,
    as_of: date,
    chunk_size: int = 2000,
    examples: int = 30,
    progress: Callable[[int], None] | None = None,
) -> Impact:
    """The impact preview: counts of screenings whose eligibility, subsidy or next deadline
    changes, the changes most often seen, and per association the clinics affected (the first
    ``examples`` screenings of each listed by name)."""
    impact = Impact(version=version, as_of=as_of)
    summaries: Counter = Counter()
    by_association: dict[int, AssociationImpact] = {}
    associations = {a.pk: a for a in Association.objects.all()}
    for chunk in screening_impact_chunks(version=version, as_of=as_of, chunk_size=chunk_size):
        if progress is not None:
            progress(impact.total)
        for item in chunk:
            impact.total += 1
            if item.changes is None:
                impact.skipped += 1
                continue
            if not item.changes:
                continue
            impact.changed += 1
            impact.eligibility += item.changed("eligibility")
            impact.subsidy += item.changed("subsidy")
            impact.deadline += item.changed("deadline")
            summaries.update({change_summary(c, item.frame_names) for c in item.changes})
            group = by_association.get(item.association_id)
            if group is None:
                group = by_association[item.association_id] = AssociationImpact(
                    associations[item.association_id]
                )
            group.clinic_ids.add(item.clinic_id)
            group.screenings += 1
            if len(group.examples) < examples:
                group.examples.append(item)
    impact.summaries = summaries.most_common()
    impact.associations = sorted(
        by_association.values(), key=lambda g: (-g.clinics, g.association.prefecture_code)
    )
    return impact
