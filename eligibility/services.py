"""Writes of the rule data (import a document as a draft, clone, edit, publish) and of the
screenings."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinics.normalize import fit

from .engine import RulesError, engine_version, parse_rules
from .engine.answers import evaluate_answers
from .engine.diff import document_diff
from .engine.format import jdate
from .models import (
    ApplicationRecord,
    PublishedVersionError,
    RescreenChunk,
    RescreenRun,
    RuleVersion,
    RuleVersionEvent,
    Screening,
    ScreeningChange,
    ScreeningOutcome,
)
from .selectors import (
    Impact,
    rule_set_for,
    rule_version_impact,
    rule_version_published,
    screening_impact_range,
    screenings_to_rescreen,
    today,
)

RULES_DIR = Path(settings.BASE_DIR) / "eligibility" / "rules"


@transaction.atomic
def rule_version_import(*, document: dict, based_on: RuleVersion | None = None) -> RuleVersion:
    """Create a draft version from a rule document. The document is checked first (RulesError
    lists every problem) and nothing is written unless all of it is usable."""
    version = RuleVersion(label=parse_rules(document).label, document=document, based_on=based_on)
    _checked(version).save()
    return version


def _checked(version: RuleVersion) -> RuleVersion:
    """``version`` after full_clean; its problems (parse_rules' and the columns') as RulesError."""
    try:
        version.full_clean()
    except ValidationError as error:
        raise RulesError(error.messages) from None
    return version


def rule_version_clone(*, version: RuleVersion, label: str) -> RuleVersion:
    """A draft copy of ``version`` under a new label, to edit and publish later."""
    document = copy.deepcopy(version.document) | {"label": label}
    return rule_version_import(document=document, based_on=version)


@transaction.atomic
def rule_version_publish(
    *, version: RuleVersion, effective_from: date | None = None
) -> RuleVersion:
    """Publish a draft after checking it whole; the version published before is retired."""
    version.refresh_from_db(fields=["document"])  # what was saved, not a copy read before
    if effective_from is not None:
        version.document = version.document | {"effective_from": effective_from.isoformat()}
    published = parse_rules(version.document)
    before = None
    for previous in RuleVersion.objects.select_for_update().filter(
        status=RuleVersion.Status.PUBLISHED
    ):
        before = parse_rules(previous.document)
        previous.status = RuleVersion.Status.RETIRED
        previous.save()
    version.status = RuleVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.full_clean()
    version.save()
    from announcements.deadlines import new_round_notices_send  # e-mail is announcements'

    new_round_notices_send(previous=before, published=published, as_of=today())
    return version


@transaction.atomic
def rule_version_load_file(*, label: str) -> RuleVersion:
    """Load and publish a version shipped in eligibility/rules/LABEL.json, once; the histories
    say so (by no one: manage.py load_rules and the demo data call this)."""
    existing = RuleVersion.objects.filter(label=label).first()
    if existing is not None:
        return existing
    document = json.loads((RULES_DIR / f"{label}.json").read_text(encoding="utf-8"))
    previous = rule_version_published()
    version = rule_version_publish(version=rule_version_import(document=document))
    source = f"同梱のファイル eligibility/rules/{label}.json"
    for kind, description in (
        (RuleVersionEvent.Kind.IMPORT, f"{source}から読み込みました（manage.py load_rules）。"),
        (RuleVersionEvent.Kind.PUBLISH, f"{source}の読み込みとともに公開しました。"),
    ):
        rule_version_event_record(version=version, kind=kind, by=None, description=description)
    _retirement_record(retired=previous, published=version, by=None)
    return version


# --- screenings ----------------------------------------------------------------------------


def screening_create(*, clinic, name: str, by) -> Screening:
    """A new screening under the published version, its first answers taken from the profile."""
    version = rule_version_published()
    if version is None:
        raise ValueError("no published rule version")
    answers = {}
    if clinic.legal_form:
        answers["legal_form"] = clinic.legal_form
    if clinic.employees is not None:
        answers["employees"] = clinic.employees
    screening = Screening(
        clinic=clinic, name=name, rule_version=version, answers=answers, created_by=by
    )
    screening.full_clean()
    screening.save()
    return screening


def screening_save_step(*, screening: Screening, values: dict, next_step: str) -> Screening:
    """Keep the answers of one step and where the clinic goes next (to resume there later)."""
    screening.answers = screening.answers | values
    screening.step = next_step
    screening.completed_at = None
    screening.save(update_fields=["answers", "step", "completed_at", "updated_at"])
    return screening


@transaction.atomic
def screening_complete(*, screening: Screening, as_of: date, values: dict | None = None) -> None:
    """Evaluate the answers and keep each frame's verdict and amount for counting. ``values``:
    the last step's answers, kept with the outcomes in the same transaction and UPDATE."""
    screening.answers = screening.answers | (values or {})
    rules = rule_set_for(version=screening.rule_version)
    evaluation, _costs = evaluate_answers(screening.answers, rules, as_of=as_of, explain=False)
    _outcomes_replace(screening, evaluation)
    screening.total_subsidy_yen = evaluation.total_subsidy_yen
    screening.outcomes_engine = engine_version()
    screening.completed_at = timezone.now()
    screening.step = "result"
    screening.save(
        update_fields=[
            *("answers", "total_subsidy_yen", "outcomes_engine"),
            *("completed_at", "step", "updated_at"),
        ]
    )
    if settings.PDF_PRERENDER:
        from .tasks import render_result_pdf

        transaction.on_commit(partial(render_result_pdf.enqueue, screening.pk))


def application_stage_record(
    *, screening: Screening, frame_code: str, values: dict, by
) -> ApplicationRecord:
    """Record where the clinic's application for a frame of the screening's programme stands
    (``values``: ApplicationStageForm's cleaned data). A new row each time: the history keeps
    who recorded what and when, and a mistaken stage is corrected by recording the right one."""
    rules = rule_set_for(version=screening.rule_version)
    stage = next(s for s in rules.application_stages if s.code == values["stage"])
    if frame_code not in rules.frames:
        raise ValidationError("この枠はありません。")
    return ApplicationRecord.objects.create(
        clinic=screening.clinic,
        programme=rules.programme,
        frame_code=frame_code,
        stage=stage.code,
        stage_name=stage.name,
        applied="applied" in stage.milestones,
        adopted="adopted" in stage.milestones,
        granted="granted" in stage.milestones,
        round_number=values.get("round_number"),
        applied_on=values.get("applied_on"),
        application_number=values.get("application_number") or "",
        screening=screening,
        recorded_by=by,
    )


def screening_outcomes_refresh(*, as_of: date, batch: int = 500) -> int:
    """Summarise again the completed screenings whose outcomes an older engine computed (run
    after a deploy that changes the engine: ``manage.py refresh_outcomes``); how many.

    The stored outcomes are a cache of ``evaluate_answers`` keyed by the answers (rewritten
    whenever they change), the screening's own rule version (which never changes) and the
    engine's code (``outcomes_engine``); this brings the last key up to date."""
    current = engine_version()
    stale = (
        Screening.objects.filter(completed_at__isnull=False)
        .exclude(outcomes_engine=current)
        .select_related("rule_version")
        .order_by("pk")
    )
    done = 0
    while chunk := list(stale[:batch]):
        for screening in chunk:
            rules = rule_set_for(version=screening.rule_version)
            evaluation, _costs = evaluate_answers(
                screening.answers, rules, as_of=as_of, explain=False
            )
            with transaction.atomic():  # the clinic's own dates stay as they were
                _outcomes_replace(screening, evaluation)
                Screening.objects.filter(pk=screening.pk).update(
                    total_subsidy_yen=evaluation.total_subsidy_yen, outcomes_engine=current
                )
        done += len(chunk)
    return done


def _outcomes_replace(screening: Screening, evaluation) -> None:
    screening.outcomes.all().delete()
    ScreeningOutcome.objects.bulk_create(
        ScreeningOutcome(
            screening=screening,
            frame_code=f.code,
            verdict=f.verdict,
            eligible=f.eligible,
            subsidy_yen=f.subsidy_yen,
            next_deadline=f.next_deadline.closes_on if f.next_deadline else None,
        )
        for f in evaluation.frames
    )


def screening_rename(*, screening: Screening, name: str) -> Screening:
    screening.name = name
    screening.full_clean()
    screening.save(update_fields=["name", "updated_at"])
    return screening


@transaction.atomic
def screening_recheck(*, screening: Screening, by) -> tuple[Screening, bool]:
    """A copy of the screening under the published version, and whether it is new: the
    original keeps its numbers. Asked again (a second click, a colleague), it returns the copy
    already made under that version rather than another."""
    version = rule_version_published()
    Screening.objects.select_for_update().filter(pk=screening.pk).first()  # one at a time
    made = screening.rechecks.filter(rule_version=version).order_by("id").first()
    if made is not None:
        return made, False
    copy = Screening(
        clinic_id=screening.clinic_id,
        name=fit(
            screening.name,
            Screening._meta.get_field("name").max_length,
            after=f"（{version.label}で再確認）",
        ),
        rule_version=version,
        answers=screening.answers,
        step=screening.step,
        created_by=by,
        rechecked_from=screening,
    )
    copy.full_clean()
    copy.save()
    screening_complete(screening=copy, as_of=timezone.localdate())
    return copy, True


# --- rule administration (each write is recorded in the version's history) -------------------

LABEL_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")


class RuleAdminError(ValueError):
    """A rule administration request that cannot be carried out; ``problems`` says why, in
    Japanese, and nothing has been written."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def rule_version_event_record(
    *, version: RuleVersion, kind: str, by, description: str, diff: list[str] | None = None
) -> RuleVersionEvent:
    event = RuleVersionEvent(
        version=version, kind=kind, by=by, description=description, diff=diff or []
    )
    event.full_clean()
    event.save()
    return event


def rule_version_label_problems(label: str) -> list[str]:
    """A label names a version in the list, in URLs of exports and in file names."""
    if not label:
        return ["版の名前を入力してください（例：2026.2）。"]
    if len(label) > 20 or not LABEL_RE.match(label):
        return [
            "版の名前は20文字以内の半角英数字・ピリオド・ハイフンで入力してください（例：2026.2）。"
        ]
    if RuleVersion.objects.filter(label=label).exists():
        return [f"版 {label} はすでにあります。別の名前にしてください。"]
    return []


@transaction.atomic
def rule_admin_clone(*, version: RuleVersion, label: str, by) -> RuleVersion:
    """A draft copy of ``version`` named ``label``."""
    problems = rule_version_label_problems(label)
    if problems:
        raise RuleAdminError(problems)
    draft = rule_version_clone(version=version, label=label)
    rule_version_event_record(
        version=draft,
        kind=RuleVersionEvent.Kind.CLONE,
        by=by,
        description=f"版 {version.label} を複製して下書きを作りました。",
    )
    return draft


def rule_document_read(raw: bytes) -> dict:
    """A rule document from an uploaded file (UTF-8 JSON); RuleAdminError says what is wrong."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleAdminError(
            [
                "ファイルの文字コードが UTF-8 ではありません。書き出したファイルをそのままお使いください。"
            ]
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RuleAdminError(
            [f"JSON として読めません（{error.lineno}行目 {error.colno}文字目）。"]
        ) from None
    except (ValueError, RecursionError):  # a number of thousands of digits, nesting too deep
        raise RuleAdminError(
            ["JSON として読めません（桁の多すぎる数か、深すぎる入れ子があります）。"]
        ) from None
    if not isinstance(document, dict):
        raise RuleAdminError(["ルールの版の形（JSON のオブジェクト）になっていません。"])
    return document


@transaction.atomic
def rule_admin_import(*, raw: bytes, by, file_name: str = "") -> RuleVersion:
    """A draft from an exported file. Every problem is listed at once and nothing is written
    unless the whole file is a usable version with a new label."""
    document = rule_document_read(raw)
    problems = []
    try:
        parse_rules(document)
    except RulesError as error:
        problems += error.problems
    label = document.get("label")
    if isinstance(label, str):
        problems += rule_version_label_problems(label)
    if problems:
        raise RuleAdminError(problems)
    try:
        version = rule_version_import(document=document)
    except RulesError as error:  # a value the database cannot keep
        raise RuleAdminError(error.problems) from None
    rule_version_event_record(
        version=version,
        kind=RuleVersionEvent.Kind.IMPORT,
        by=by,
        description=fit(
            file_name,
            RuleVersionEvent._meta.get_field("description").max_length,
            before="ファイル「",
            after="」から読み込んで下書きを作りました。",
        )
        if file_name
        else "ファイルから読み込んで下書きを作りました。",
    )
    return version


@transaction.atomic
def rule_admin_edit(*, version: RuleVersion, document: dict, by, what: str) -> list[str]:
    """Replace a draft's content by ``document`` (the draft's document with one section
    edited), after checking all of it with parse_rules; returns the lines of what changed.
    A published or retired version is refused (PublishedVersionError), whatever the caller."""
    version = RuleVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise PublishedVersionError(
            f"版 {version.label} は公開済みのため変更できません。複製して新しい版を作ってください。"
        )
    document = document | {"label": version.label}
    parse_rules(document)
    changes = document_diff(version.document, document)
    if not changes:
        return []
    version.document = document
    _checked(version).save()
    rule_version_event_record(
        version=version,
        kind=RuleVersionEvent.Kind.EDIT,
        by=by,
        description=f"{what}を編集しました（{len(changes)}件の変更）。",
        diff=changes,
    )
    return changes


@transaction.atomic
def rule_admin_delete_draft(*, version: RuleVersion, by) -> None:
    """Discard a draft and everything edited in it. Published and retired versions are kept
    for good (results were made under them). The deletion goes into the history of the version
    the draft was copied from, when there is one: the draft's own history goes with it."""
    version = (
        RuleVersion.objects.select_for_update(of=("self",))
        .select_related("based_on")
        .get(pk=version.pk)
    )
    if not version.is_draft:
        raise PublishedVersionError(f"版 {version.label} は下書きではないため削除できません。")
    if version.based_on is not None:
        rule_version_event_record(
            version=version.based_on,
            kind=RuleVersionEvent.Kind.DELETE_DRAFT,
            by=by,
            description=f"この版を複製した下書き {version.label} を削除しました。",
        )
    version.delete()


@transaction.atomic
def rule_admin_publish(*, version: RuleVersion, effective_from: date, by) -> RuleVersion:
    """Publish a draft from ``effective_from``; the version published until now is retired
    (kept, with every result made under it). Both changes go into the histories."""
    if not version.is_draft:
        raise PublishedVersionError(f"版 {version.label} は下書きではないため公開できません。")
    previous = rule_version_published()
    try:
        rule_version_publish(version=version, effective_from=effective_from)
    except RulesError as error:
        raise RuleAdminError(error.problems) from None
    rule_version_event_record(
        version=version,
        kind=RuleVersionEvent.Kind.PUBLISH,
        by=by,
        description=f"公開しました（適用開始日 {jdate(effective_from)}）。",
    )
    _retirement_record(retired=previous, published=version, by=by)
    return version


def _retirement_record(*, retired: RuleVersion | None, published: RuleVersion, by) -> None:
    """In the history of the version published until now (if any): retired by ``published``."""
    if retired is not None:
        rule_version_event_record(
            version=retired,
            kind=RuleVersionEvent.Kind.RETIRE,
            by=by,
            description=f"版 {published.label} の公開により、過去の版になりました。",
        )


# --- batch re-screening --------------------------------------------------------------------


RESCREEN_CHUNK_SIZE = 5000  # screenings a task re-screens (memory stays flat: ~5 MB)
RESCREEN_ATTEMPTS = 3  # tries of a chunk before the run is marked failed


@transaction.atomic
def rescreen_run_create(
    *,
    version: RuleVersion,
    by,
    how: str = "",
    as_of: date | None = None,
    chunk_size: int = RESCREEN_CHUNK_SIZE,
) -> RescreenRun:
    """A new re-screening of the stored screenings under the published ``version``, split into
    chunks of ``chunk_size`` screenings by ranges of ids (the notices of an earlier run of the
    version are removed: this run writes them afresh)."""
    if version.status != RuleVersion.Status.PUBLISHED:
        raise RuleAdminError([f"再判定できるのは公開中の版だけです（版 {version.label}）。"])
    active = [RescreenRun.Status.QUEUED, RescreenRun.Status.RUNNING]
    if version.rescreen_runs.filter(status__in=active).exists():
        raise RuleAdminError(["この版の再判定はすでに実行中です。終わるまでお待ちください。"])
    ScreeningChange.objects.filter(version=version).delete()
    run = RescreenRun.objects.create(
        version=version, created_by=by, as_of=as_of or timezone.localdate()
    )
    ids = screenings_to_rescreen(version=version).order_by("id").values_list("id", flat=True)
    chunks, batch = [], []
    for screening_id in ids.iterator(chunk_size=10_000):
        batch.append(screening_id)
        if len(batch) == chunk_size:
            chunks.append(RescreenChunk(run=run, first_id=batch[0], last_id=batch[-1]))
            run.total, batch = run.total + len(batch), []
    if batch:
        chunks.append(RescreenChunk(run=run, first_id=batch[0], last_id=batch[-1]))
        run.total += len(batch)
    RescreenChunk.objects.bulk_create(chunks)
    if not chunks:
        run.status, run.finished_at = RescreenRun.Status.DONE, timezone.now()
    run.save(update_fields=["total", "status", "finished_at"])
    rule_version_event_record(
        version=version,
        kind=RuleVersionEvent.Kind.RESCREEN,
        by=by,
        description=f"保存済みの確認の再判定を始めました{how}。",
    )
    return run


def rescreen_run_start(*, version: RuleVersion, by) -> RescreenRun:
    """Queue a re-screening, one task per chunk (run inside the request when TASKS_IMMEDIATE,
    else by every running `manage.py db_worker`, each taking the next chunk)."""
    from .tasks import rescreen_chunk

    run = rescreen_run_create(version=version, by=by)
    for chunk_id in run.chunks.values_list("pk", flat=True):
        rescreen_chunk.enqueue(chunk_id)
    run.refresh_from_db()
    return run


def rescreen_run_execute(
    *, run: RescreenRun, progress: Callable[[RescreenRun], None] | None = None
) -> RescreenRun:
    """Every chunk of ``run`` still to do, one after the other in this process (the `rescreen`
    command); ``progress`` is called after each."""
    for chunk_id in run.chunks.exclude(status=RescreenChunk.Status.DONE).values_list(
        "pk", flat=True
    ):
        rescreen_chunk_execute(chunk_id=chunk_id, retry=False)
        run.refresh_from_db()
        if progress is not None:
            progress(run)
    run.refresh_from_db()
    return run


def rescreen_chunk_execute(*, chunk_id: int, retry: bool = True) -> RescreenChunk | None:
    """Re-screen the screenings of one chunk: each whose result is different under the run's
    version gets a ScreeningChange notice (the screening itself keeps its numbers). The notices,
    the chunk's counts and their addition to the run's are one transaction, so a chunk counts
    once or not at all. None when the chunk is done or taken by another worker. A failed chunk
    is queued again (``retry``) until it has been tried RESCREEN_ATTEMPTS times; then the run
    is marked failed."""
    Status = RescreenChunk.Status
    claimed = RescreenChunk.objects.filter(
        pk=chunk_id, status__in=[Status.QUEUED, Status.FAILED]
    ).update(status=Status.RUNNING, attempts=F("attempts") + 1)
    if not claimed:
        return None
    chunk = RescreenChunk.objects.select_related("run__version").get(pk=chunk_id)
    run = chunk.run
    RescreenRun.objects.filter(pk=run.pk, status=RescreenRun.Status.QUEUED).update(
        status=RescreenRun.Status.RUNNING, started_at=timezone.now()
    )
    try:
        notices, processed = [], 0
        for item in screening_impact_range(
            version=run.version, as_of=run.as_of, first_id=chunk.first_id, last_id=chunk.last_id
        ):
            processed += 1
            if item.changes:
                notices.append(
                    ScreeningChange(
                        screening_id=item.screening_id,
                        version=run.version,
                        run=run,
                        old_total_subsidy_yen=item.old_total_yen,
                        new_total_subsidy_yen=item.new_total_yen,
                        eligibility_changed=item.changed("eligibility"),
                        subsidy_changed=item.changed("subsidy"),
                        deadline_changed=item.changed("deadline"),
                        lines=item.lines,
                    )
                )
        with transaction.atomic():
            ScreeningChange.objects.filter(
                version=run.version,
                screening_id__gte=chunk.first_id,
                screening_id__lte=chunk.last_id,
            ).delete()
            ScreeningChange.objects.bulk_create(notices, batch_size=2000)
            chunk.status, chunk.processed, chunk.changed = Status.DONE, processed, len(notices)
            chunk.error, chunk.finished_at = "", timezone.now()
            chunk.save(update_fields=["status", "processed", "changed", "error", "finished_at"])
            RescreenRun.objects.filter(pk=run.pk).update(
                processed=F("processed") + processed, changed=F("changed") + len(notices)
            )
    except Exception as error:
        chunk.status, chunk.error = Status.FAILED, f"{type(error).__name__}: {error}"
        chunk.save(update_fields=["status", "error"])
        if retry and chunk.attempts < RESCREEN_ATTEMPTS:
            from .tasks import rescreen_chunk

            rescreen_chunk.enqueue(chunk.pk)
            return chunk
        RescreenRun.objects.filter(pk=run.pk).update(
            status=RescreenRun.Status.FAILED, finished_at=timezone.now(), error=chunk.error
        )
        raise
    if not run.chunks.exclude(status=Status.DONE).exists():
        RescreenRun.objects.filter(pk=run.pk, status=RescreenRun.Status.RUNNING).update(
            status=RescreenRun.Status.DONE, finished_at=timezone.now()
        )
    return chunk


# --- the impact preview, computed by the worker ----------------------------------------------

IMPACT_SECONDS = 15 * 60  # how long a computed preview is shown before it is computed again


def impact_cache_key(*, version: RuleVersion, as_of: date) -> str:
    """What the preview depends on: the version's document (a draft changes), the day and
    the engine's code (the stored screenings it reads age out with IMPACT_SECONDS)."""
    shown = json.dumps(version.document, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(shown.encode()).hexdigest()[:16]
    return f"impact:{version.pk}:{digest}:{as_of.isoformat()}:{engine_version()}"


@dataclass
class ImpactPreview:
    """The impact once computed; until then how far the worker has got (or why it failed)."""

    impact: Impact | None = None
    done: int = 0
    total: int = 0
    error: str = ""


def impact_preview(*, version: RuleVersion, as_of: date, again: bool = False) -> ImpactPreview:
    """The impact of publishing ``version``, from the cache; when it is not there, a task is
    queued to compute it (inside this request when TASKS_IMMEDIATE) and its progress returned,
    so that no request waits for 105,000 screenings. ``again``: forget a failure and retry."""
    from .tasks import compute_impact

    key = impact_cache_key(version=version, as_of=as_of)
    state = shared_cache.get_many([key, f"{key}:progress", f"{key}:error"])
    if key in state:
        return ImpactPreview(impact=state[key])
    if f"{key}:error" in state and not again:
        return ImpactPreview(error=state[f"{key}:error"])
    if f"{key}:progress" not in state or again:
        total = screenings_to_rescreen(version=version).count()
        shared_cache.set(f"{key}:progress", (0, total), IMPACT_SECONDS)
        shared_cache.delete(f"{key}:error")
        compute_impact.enqueue(version.pk, as_of.isoformat())
        impact = shared_cache.get(key)
        if impact is not None:  # computed already (the immediate backend)
            return ImpactPreview(impact=impact)
    done, total = shared_cache.get(f"{key}:progress", (0, 0))
    error = shared_cache.get(f"{key}:error", "")
    return ImpactPreview(done=done, total=total, error=error)


def impact_compute(*, version_id: int, as_of: date) -> Impact:
    """Compute the impact preview and keep it in the cache (shared with the web processes
    through Redis), with its progress after every chunk."""
    version = RuleVersion.objects.get(pk=version_id)
    key = impact_cache_key(version=version, as_of=as_of)
    total = shared_cache.get(f"{key}:progress", (0, 0))[1]
    try:
        impact = rule_version_impact(
            version=version,
            as_of=as_of,
            chunk_size=5000,
            progress=lambda done: shared_cache.set(
                f"{key}:progress", (done, total), IMPACT_SECONDS
            ),
        )
    except Exception as error:
        shared_cache.set(f"{key}:error", f"{type(error).__name__}: {error}", IMPACT_SECONDS)
        shared_cache.delete(f"{key}:progress")
        raise
    shared_cache.set(key, impact, IMPACT_SECONDS)
    shared_cache.delete(f"{key}:progress")
    return impact
