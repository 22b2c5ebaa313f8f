"""Versioned rule data of the programme. A version is one rule document (the shape of
eligibility/rules/*.json, checked by ``engine.parse_rules``), stored whole. A published version
never changes: a change is a new version (cloned, edited as a draft, then published)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from .engine import RulesError, parse_rules
from .engine.types import RuleSet


class PublishedVersionError(ValidationError):
    """Raised when something tries to change a version that is no longer a draft."""


class RuleVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Publishing and retiring may be done in bulk; a published version's content may not."""
        changes_content = set(kwargs) - {"status", "published_at"}
        if changes_content and self.exclude(status=RuleVersion.Status.DRAFT).exists():
            raise PublishedVersionError("公開済みの版の内容は変更できません。")
        return super().update(**kwargs)


class RuleVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "下書き"
        PUBLISHED = "published", "公開中"
        RETIRED = "retired", "過去の版"

    label = models.CharField("版", max_length=20, unique=True)
    status = models.CharField("状態", max_length=10, choices=Status, default=Status.DRAFT)
    document = models.JSONField("ルールの内容")
    based_on = models.ForeignKey(
        "self", verbose_name="複製元", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    published_at = models.DateTimeField("公開日時", null=True, blank=True)

    objects = RuleVersionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "ルールの版"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="published"),
                name="one_published_rule_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.label}（{self.get_status_display()}）"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def programme(self) -> str:
        return self.document.get("programme", "")

    @property
    def notice(self) -> str:
        return self.document.get("notice", "")

    @property
    def guideline_edition(self) -> str:
        return self.document.get("guideline_edition", "")

    @property
    def effective_from(self) -> date | None:
        raw = self.document.get("effective_from")
        return date.fromisoformat(raw) if raw else None

    def rules(self) -> RuleSet:
        """The engine's view of the document; ValidationError lists its problems in Japanese."""
        try:
            return parse_rules(self.document, status=self.status)
        except RulesError as error:
            raise ValidationError(error.problems) from None

    def clean(self) -> None:
        self.label = self.rules().label

    def save(self, *args, **kwargs):
        self.label = self.rules().label
        if self.pk is not None:
            stored = RuleVersion.objects.filter(pk=self.pk).values().first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = {name for name, value in stored.items() if getattr(self, name) != value}
                if changed - {"status", "published_at"}:
                    raise PublishedVersionError(
                        f"版 {self.label} は公開済みのため変更できません。複製して新しい版を作ってください。"
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise PublishedVersionError(f"版 {self.label} は公開済みのため削除できません。")
        return super().delete(*args, **kwargs)


class LegalFormCode(models.TextChoices):
    """The legal forms a clinic's profile offers (開設主体). What the programme says of each,
    and which ones a screening may choose, is in the rule document's ``legal_forms``."""

    MEDICAL_CORPORATION = "medical_corporation", "医療法人"
    INDIVIDUAL = "individual", "個人開業医"
    SOCIAL_WELFARE_CORPORATION = "social_welfare_corporation", "社会福祉法人"


class Screening(models.Model):
    """A clinic's run of the wizard: its answers, and the result under the version it was made
    with. A clinic may keep several (e.g. two vendors' quotes), each with a name."""

    clinic = models.ForeignKey(
        "clinics.Clinic",
        verbose_name="医療機関",
        on_delete=models.CASCADE,
        related_name="screenings",
    )
    name = models.CharField("名前", max_length=100)
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name="ルールの版", on_delete=models.PROTECT, related_name="screenings"
    )
    answers = models.JSONField("回答", default=dict)
    step = models.CharField("最後に開いた手順", max_length=20, default="applicant")
    completed_at = models.DateTimeField("結果を出した日時", null=True, blank=True)
    total_subsidy_yen = models.BigIntegerField("補助額の合計（円）", default=0)
    outcomes_engine = models.CharField(
        "判定結果を計算したエンジンの版",
        max_length=16,
        blank=True,
        help_text="outcomes と total_subsidy_yen は回答・ルールの版・このエンジンの版の要約です。",
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rechecked_from = models.ForeignKey(
        "self",
        verbose_name="再確認の元",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rechecks",
        help_text="新しいルールの版で再確認したとき、その元の確認。",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "申請可否の確認"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["clinic", "-updated_at"])]

    def __str__(self) -> str:
        return self.name


class ScreeningOutcome(models.Model):
    """One frame's verdict and amount of a completed screening, kept for counting in the database."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="outcomes")
    frame_code = models.CharField("枠", max_length=20)  # a frame's code in the rule document
    verdict = models.CharField("判定", max_length=20)
    eligible = models.BooleanField("申請可能")
    subsidy_yen = models.BigIntegerField("補助額（円）", default=0)
    next_deadline = models.DateField("次の締切", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "判定結果（枠ごと）"
        constraints = [
            models.UniqueConstraint(fields=["screening", "frame_code"], name="unique_outcome")
        ]
        indexes = [models.Index(fields=["frame_code", "eligible"])]

    def __str__(self) -> str:
        return f"{self.screening} {self.frame_code}"


class ApplicationRecord(models.Model):
    """One entry of where a clinic's application for one frame of a programme stands (検討中 →
    … → 補助金受領; the stages are the rule version's ``application_stages``). Every change is a
    new row, with who and when; the latest row is the current stage, and a mistaken stage is
    corrected by recording the right one. ``applied``/``adopted``/``granted`` copy the stage's
    milestones when recorded, for counting (the funnel, the deadline reminders)."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.CASCADE, related_name="application_records"
    )
    programme = models.CharField("制度", max_length=100)  # RuleSet.programme: 2026, 2027, …
    frame_code = models.CharField("枠", max_length=20)
    stage = models.CharField("段階", max_length=40)  # a code of application_stages
    stage_name = models.CharField("段階の名前", max_length=100)
    applied = models.BooleanField("申請した", default=False)
    adopted = models.BooleanField("採択された", default=False)
    granted = models.BooleanField("補助金を受領した", default=False)
    round_number = models.PositiveSmallIntegerField("申請した回", null=True, blank=True)
    applied_on = models.DateField("申請日", null=True, blank=True)
    application_number = models.CharField("申請番号", max_length=40, blank=True)
    screening = models.ForeignKey(
        Screening, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申請の状況"
        indexes = [models.Index(fields=["clinic", "programme", "frame_code", "-id"])]

    def __str__(self) -> str:
        return f"{self.clinic} {self.frame_code} {self.stage_name}"


# --- rule administration: audit history, re-screening runs, "your result changed" notices ----


class RuleVersionEvent(models.Model):
    """One change to a version (its audit history): who, when, what, and for an edit the lines
    of the diff. Appended only; never edited."""

    class Kind(models.TextChoices):
        CREATE = "create", "作成"
        CLONE = "clone", "複製"
        IMPORT = "import", "読み込み"
        EDIT = "edit", "編集"
        PUBLISH = "publish", "公開"
        RETIRE = "retire", "公開終了"
        RESCREEN = "rescreen", "再判定"
        DELETE_DRAFT = "delete", "下書きの削除"

    version = models.ForeignKey(
        RuleVersion, verbose_name="ルールの版", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("種類", max_length=10, choices=Kind)
    by = models.ForeignKey(
        "accounts.User",
        verbose_name="操作した人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("日時", auto_now_add=True)
    description = models.CharField("内容", max_length=300)
    diff = models.JSONField("変更点", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "ルールの版の変更履歴"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.version.label} {self.get_kind_display()}"


class RescreenRun(models.Model):
    """A batch re-screening of the stored screenings under a published version; its counts are
    updated after every chunk so that the administrator sees the progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待機中"
        RUNNING = "running", "実行中"
        DONE = "done", "完了"
        FAILED = "failed", "失敗"

    version = models.ForeignKey(
        RuleVersion,
        verbose_name="ルールの版",
        on_delete=models.CASCADE,
        related_name="rescreen_runs",
    )
    status = models.CharField("状態", max_length=10, choices=Status, default=Status.QUEUED)
    total = models.PositiveIntegerField("対象の件数", default=0)
    processed = models.PositiveIntegerField("処理した件数", default=0)
    changed = models.PositiveIntegerField("結果が変わった件数", default=0)
    as_of = models.DateField("判定日", null=True, blank=True)
    error = models.TextField("エラー", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "再判定の実行"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version.label} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.processed * 100 // self.total


class RescreenChunk(models.Model):
    """A range of screening ids of a RescreenRun, re-screened by one task. The ranges of a run
    never overlap, so two chunks never write the same screening, several workers share a run,
    and a chunk that fails is tried again alone. A chunk's notices and its counts are written in
    one transaction: the run's counts are the sum of its finished chunks."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待機中"
        RUNNING = "running", "実行中"
        DONE = "done", "完了"
        FAILED = "failed", "失敗"

    run = models.ForeignKey(RescreenRun, on_delete=models.CASCADE, related_name="chunks")
    first_id = models.BigIntegerField("最初の確認のID")
    last_id = models.BigIntegerField("最後の確認のID")
    status = models.CharField("状態", max_length=10, choices=Status, default=Status.QUEUED)
    processed = models.PositiveIntegerField("処理した件数", default=0)
    changed = models.PositiveIntegerField("結果が変わった件数", default=0)
    attempts = models.PositiveSmallIntegerField("試行回数", default=0)
    error = models.TextField("エラー", blank=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "再判定の区間"
        ordering = ["run", "first_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "first_id"], name="unique_rescreen_chunk")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.first_id}–{self.last_id}"


class ScreeningChange(models.Model):
    """A notice that a stored screening's result is different under a newer version: the
    screening itself keeps its numbers; the clinic sees 「新しい版で結果が変わりました」."""

    screening = models.ForeignKey(
        Screening, verbose_name="確認", on_delete=models.CASCADE, related_name="changes"
    )
    version = models.ForeignKey(
        RuleVersion,
        verbose_name="新しい版",
        on_delete=models.CASCADE,
        related_name="screening_changes",
    )
    run = models.ForeignKey(
        RescreenRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    old_total_subsidy_yen = models.BigIntegerField("これまでの補助額の合計（円）")
    new_total_subsidy_yen = models.BigIntegerField("新しい版での補助額の合計（円）")
    eligibility_changed = models.BooleanField("判定が変わる", default=False)
    subsidy_changed = models.BooleanField("補助額が変わる", default=False)
    deadline_changed = models.BooleanField("次の締切が変わる", default=False)
    lines = models.JSONField("変わる点", default=list)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "結果の変更のお知らせ"
        constraints = [
            models.UniqueConstraint(fields=["screening", "version"], name="unique_screening_change")
        ]
        indexes = [models.Index(fields=["version", "screening"])]

    def __str__(self) -> str:
        return f"{self.screening} → {self.version.label}"
