"""The association's funnel (issue 22): members → read the latest notice → screened → qualify
(the latest result, per frame) → applied → adopted → granted, counted per clinic; and the same
per prefecture for the Japan Medical Association (counts only, never a clinic).

"Qualify" is the latest completed screening's verdict 申請可能 or 要確認 for a frame; the stages
are each clinic's current application record (the latest) for the published programme, a
clinic counting once when any of its frames reached the milestone."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import OuterRef, Subquery

from clinics.models import Association
from eligibility.models import ApplicationRecord, Screening, ScreeningOutcome
from eligibility.selectors import rule_set_for, rule_version_published

from .past_results import past_results, percent
from .selectors import members_with_progress, publication_latest_live

QUALIFIES = ("eligible", "confirm")
STEPS = (
    ("members", "会員"),
    ("read", "お知らせを読んだ"),
    ("screened", "申請可否を確認した"),
    ("qualify", "申請できる枠がある（要確認を含む）"),
    ("applied", "申請した"),
    ("adopted", "採択された"),
    ("granted", "補助金を受領した"),
)


@dataclass(frozen=True)
class Funnel:
    counts: dict[str, int]  # by STEPS key
    by_frame: list[tuple[str, str, int]]  # (code, name, clinics whose latest result qualifies)

    @property
    def steps(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.counts[key]) for key, label in STEPS]

    @property
    def adoption_rate(self) -> Fraction | None:
        """採択率 of the members that applied: adopted / applied (None before any applied)."""
        applied = self.counts["applied"]
        return Fraction(self.counts["adopted"], applied) if applied else None

    @property
    def adoption_rate_text(self) -> str:
        rate = self.adoption_rate
        return "—" if rate is None else percent(rate)


@dataclass(frozen=True)
class NationalRate:
    """What the past results let us compare with: the 2025 rate of all applications. The
    results print adoptions per 業種 (医療、福祉 2,634) but no applications per 業種, so a
    rate for 医療、福祉 cannot be computed from them."""

    year: int
    rate: Fraction
    applications: int
    adoptions: int
    healthcare_adoptions: int

    @property
    def text(self) -> str:
        return percent(self.rate)


def national_rate() -> NationalRate:
    year = past_results().last
    return NationalRate(
        year=year.year,
        rate=year.frames.total.adoption_rate,
        applications=year.frames.total.applications,
        adoptions=year.frames.total.adoptions,
        healthcare_adoptions=year.industries.get("医療、福祉").adoptions,
    )


def funnel_for(association: Association) -> Funnel:
    """The association's funnel, in four queries whatever its size."""
    return funnels_for([association])[association.pk]


def funnels_for(associations: list[Association]) -> dict[int, Funnel]:
    """Each association's funnel: the members' progress one query per association (each has
    its own latest notice), then qualification and stages in one query each for all."""
    version = rule_version_published()
    rules = rule_set_for(version=version) if version else None
    counts: dict[int, dict[str, int]] = {}
    clinic_association: dict[int, int] = {}
    for association in associations:
        publication = publication_latest_live(association=association)
        members = members_with_progress(association=association, publication=publication)
        rows = list(members.values_list("pk", "has_read", "has_screened"))
        clinic_association |= {pk: association.pk for pk, _, _ in rows}
        counts[association.pk] = {key: 0 for key, _ in STEPS} | {
            "members": len(rows),
            "read": sum(read for _, read, _ in rows),
            "screened": sum(screened for _, _, screened in rows),
        }

    latest = (
        Screening.objects.filter(clinic=OuterRef("screening__clinic"), completed_at__isnull=False)
        .order_by("-completed_at", "-id")
        .values("pk")[:1]
    )
    qualifying = ScreeningOutcome.objects.filter(
        verdict__in=QUALIFIES,
        screening_id=Subquery(latest),
        screening__clinic__association__in=associations,
    ).values_list("screening__clinic_id", "frame_code")
    per_frame: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    qualified: dict[int, set[int]] = defaultdict(set)
    for clinic_id, frame_code in qualifying:
        association_id = clinic_association[clinic_id]
        per_frame[association_id][frame_code].add(clinic_id)
        qualified[association_id].add(clinic_id)

    reached: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    if rules is not None:
        current: dict[tuple[int, str], tuple[bool, bool, bool]] = {}
        records = ApplicationRecord.objects.filter(
            programme=rules.programme, clinic__association__in=associations
        ).order_by("-id")
        for clinic_id, frame, *milestones in records.values_list(
            "clinic_id", "frame_code", "applied", "adopted", "granted"
        ):
            current.setdefault((clinic_id, frame), tuple(milestones))
        for (clinic_id, _), milestones in current.items():
            for key, done in zip(("applied", "adopted", "granted"), milestones, strict=True):
                if done:
                    reached[clinic_association[clinic_id]][key].add(clinic_id)

    frames = rules.frames if rules else {}
    funnels = {}
    for association in associations:
        figures = counts[association.pk]
        figures["qualify"] = len(qualified[association.pk])
        for key in ("applied", "adopted", "granted"):
            figures[key] = len(reached[association.pk][key])
        counted = per_frame[association.pk]
        by_frame = [
            (code, frame.name, len(counted.get(code, ()))) for code, frame in frames.items()
        ]
        # a frame only an older version had (a latest result made under it), by its code
        by_frame += [
            (code, code, len(ids)) for code, ids in sorted(counted.items()) if code not in frames
        ]
        funnels[association.pk] = Funnel(counts=figures, by_frame=by_frame)
    return funnels


EXPORT_HEADER = ["段階", "医療機関の数"]


def funnel_rows(funnel: Funnel):
    """The funnel as rows for the export helper: the steps, then each frame's qualifying."""
    yield EXPORT_HEADER
    for _, label, count in funnel.steps:
        yield [label, count]
    for _, name, count in funnel.by_frame:
        yield [f"申請できる枠：{name}", count]
    yield ["採択率（採択された／申請した）", funnel.adoption_rate_text]


def national_rows(funnels: list[tuple[Association, Funnel]]):
    """The 47 associations' funnels, one row each (counts only, never a clinic)."""
    yield ["都道府県", "医師会", *[label for _, label in STEPS], "採択率"]
    for association, funnel in funnels:
        yield [
            association.prefecture,
            association.name,
            *[count for _, _, count in funnel.steps],
            funnel.adoption_rate_text,
        ]
