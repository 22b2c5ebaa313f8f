"""Versioned rule data of the programme. A published version never changes: a change is a new
version (cloned, edited as a draft, then published). The engine never sees these models; the
selectors turn a version into a plain rule document and a RuleSet."""

from django.core.exceptions import ValidationError
from django.db import models


class PublishedVersionError(ValidationError):
    """Raised when something tries to change a version that is no longer a draft."""


class RuleVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "下書き"
        PUBLISHED = "published", "公開中"
        RETIRED = "retired", "過去の版"

    programme = models.CharField("制度名", max_length=100)
    label = models.CharField("版", max_length=20, unique=True)
    status = models.CharField("状態", max_length=10, choices=Status, default=Status.DRAFT)
    effective_from = models.DateField("適用開始日", null=True, blank=True)
    notice = models.CharField("根拠の通知", max_length=300)
    guideline_edition = models.CharField("公募要領の版", max_length=300)
    based_on = models.ForeignKey(
        "self", verbose_name="複製元", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    published_at = models.DateTimeField("公開日時", null=True, blank=True)

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

    def save(self, *args, **kwargs):
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


class VersionedRowQuerySet(models.QuerySet):
    def _guard(self):
        version_path = self.model.VERSION_PATH
        if self.exclude(**{f"{version_path}__status": RuleVersion.Status.DRAFT}).exists():
            raise PublishedVersionError("公開済みの版の内容は変更できません。")

    def update(self, **kwargs):
        self._guard()
        return super().update(**kwargs)

    def delete(self):
        self._guard()
        return super().delete()


class VersionedRow(models.Model):
    """A row that belongs to a rule version; it can change only while the version is a draft."""

    VERSION_PATH = "version"
    objects = VersionedRowQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def rule_version(self) -> RuleVersion:
        return self.version

    def _guard(self) -> None:
        if not self.rule_version.is_draft:
            raise PublishedVersionError(
                f"版 {self.rule_version.label} は公開済みのため変更できません。"
                "複製して新しい版を作ってください。"
            )

    def save(self, *args, **kwargs):
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard()
        return super().delete(*args, **kwargs)


class SizeCategory(VersionedRow):
    """One row of the seed's table of who counts as an SME (①…⑮)."""

    version = models.ForeignKey(
        RuleVersion, on_delete=models.CASCADE, related_name="size_categories"
    )
    number = models.PositiveSmallIntegerField("番号")
    name = models.CharField("業種分類", max_length=200)
    requirement = models.TextField("要件")
    capital_max_yen = models.BigIntegerField("資本金の上限（円）", null=True, blank=True)
    employees_max = models.PositiveIntegerField("常時使用する従業員数の上限", null=True, blank=True)
    source = models.CharField("出典", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "中小企業の規模区分"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="unique_size_category")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class LegalForm(VersionedRow):
    """How a clinic's legal form meets the size table, and the 小規模事業者 assumption."""

    class Code(models.TextChoices):
        MEDICAL_CORPORATION = "medical_corporation", "医療法人"
        INDIVIDUAL = "individual", "個人開業医"
        SOCIAL_WELFARE_CORPORATION = "social_welfare_corporation", "社会福祉法人"

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="legal_forms")
    code = models.CharField("コード", max_length=40, choices=Code)
    name = models.CharField("名称", max_length=50)
    size_category = models.PositiveSmallIntegerField("規模区分の番号")
    applicant_label = models.CharField("規模区分での扱い", max_length=200)
    small_business_max_employees = models.PositiveIntegerField("小規模事業者の従業員数（以下）")
    small_business_source = models.CharField("小規模事業者の基準の出典", max_length=300)
    small_business_needs_confirmation = models.BooleanField("公募要領で要確認", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "開設主体"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_legal_form")
        ]

    def __str__(self) -> str:
        return self.name


class ProcessCode(VersionedRow):
    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="process_codes")
    code = models.CharField("Pコード", max_length=20)
    name = models.CharField("プロセス名", max_length=200)
    group = models.CharField("種別", max_length=50)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "業務プロセス"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_process")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ToolKind(VersionedRow):
    """A kind of IT tool in a clinic's words, mapped to a process code and an invoice function."""

    class Function(models.TextChoices):
        NONE = "", "なし"
        ACCOUNTING = "accounting", "会計"
        ORDERING = "ordering", "受発注"
        PAYMENT = "payment", "決済"

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="tools")
    code = models.SlugField("コード", max_length=40)
    name = models.CharField("名称", max_length=100)
    process_code = models.CharField("Pコード", max_length=20, blank=True)
    invoice_function = models.CharField(
        "インボイスの機能", max_length=20, choices=Function, blank=True
    )
    needs_confirmation = models.BooleanField("公募要領で要確認", default=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "ITツールの種類"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_tool")]

    def __str__(self) -> str:
        return self.name


class Frame(VersionedRow):
    class Code(models.TextChoices):
        NORMAL = "normal", "通常枠"
        MULTI = "multi", "複数者連携デジタル化・AI導入枠"
        INVOICE = "invoice", "インボイス対応類型"
        E_TRADE = "e_trade", "電子取引類型"
        SECURITY = "security", "セキュリティ対策推進枠"

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="frames")
    code = models.CharField("コード", max_length=20, choices=Code)
    name = models.CharField("名称", max_length=100)
    group = models.CharField("区分", max_length=100, blank=True)
    goal = models.CharField("やりたいこと（医療機関の言葉で）", max_length=100)
    summary = models.TextField("概要")
    eligible_costs = models.TextField("補助対象経費")
    source = models.CharField("出典", max_length=300)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "枠・類型"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_frame")]

    def __str__(self) -> str:
        return self.name


class FrameRow(VersionedRow):
    VERSION_PATH = "frame__version"

    class Meta:
        abstract = True

    @property
    def rule_version(self) -> RuleVersion:
        return self.frame.version


class FrameParameter(FrameRow):
    """One figure of a frame: a rate (numerator/denominator), an amount in yen, a count or a text."""

    class Kind(models.TextChoices):
        RATE = "rate", "補助率"
        YEN = "yen", "金額（円）"
        COUNT = "count", "数"
        TEXT = "text", "文"

    frame = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="parameters")
    key = models.SlugField("キー", max_length=50)
    label = models.CharField("項目", max_length=100)
    kind = models.CharField("種類", max_length=10, choices=Kind)
    numerator = models.PositiveIntegerField("分子", null=True, blank=True)
    denominator = models.PositiveIntegerField("分母", null=True, blank=True)
    amount = models.BigIntegerField("値", null=True, blank=True)
    text = models.TextField("文", blank=True)
    source = models.CharField("出典", max_length=300)
    needs_confirmation = models.BooleanField("公募要領で要確認", default=False)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "枠の数値"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["frame", "key"], name="unique_parameter")]

    def __str__(self) -> str:
        return self.label


class DeadlineRound(FrameRow):
    frame = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField("回次")
    closes_on = models.DateField("申請締切日")
    source = models.CharField("出典", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "申請締切"
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["frame", "number"], name="unique_round")]

    def __str__(self) -> str:
        return f"第{self.number}次 {self.closes_on}"


class ChecklistItem(VersionedRow):
    class Condition(models.TextChoices):
        ALWAYS = "always", "常に"
        WAGE_PLAN = "wage_plan", "賃金引上げ計画が必要なとき"
        SMALL_BUSINESS = "small_business", "小規模事業者のとき"
        MINIMUM_WAGE_NEAR = "minimum_wage_near", "最低賃金近傍の事業者のとき"

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="checklist")
    text = models.TextField("準備すること")
    frame_code = models.CharField(
        "枠", max_length=20, choices=Frame.Code, blank=True, help_text="空欄はすべての枠"
    )
    condition = models.CharField("条件", max_length=20, choices=Condition, default="always")
    source = models.CharField("出典", max_length=300)
    needs_confirmation = models.BooleanField("公募要領で要確認", default=False)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "チェックリスト"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


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
    frame_code = models.CharField("枠", max_length=20, choices=Frame.Code)
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
