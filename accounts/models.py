"""People and their one role: association staff, clinic user or rule administrator."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The whole address in lower case: AOBA@EXAMPLE.JP and aoba@example.jp are one person.
        Used when a user is saved and when one is looked up (login, axes' lockout)."""
        return super().normalize_email(email).lower()

    def get_by_natural_key(self, username: str):
        return super().get_by_natural_key(self.normalize_email(username))

    async def aget_by_natural_key(self, username: str):
        return await super().aget_by_natural_key(self.normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("メールアドレスが必要です")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with an e-mail address.

    Roles are explicit: ``association`` set = staff of that association (都道府県医師会 事務局);
    ``clinic`` set = a user of that clinic; ``is_rule_admin`` = national rule administrator;
    ``is_national`` = a user of the Japan Medical Association (日本医師会), who sees counts per
    prefecture and sends notice templates to every association, never a clinic's data.
    A person is staff of one association at most, and never staff and clinic user at once.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("メールアドレス", unique=True)
    name = models.CharField("氏名", max_length=100, blank=True)
    association = models.ForeignKey(
        "clinics.Association",
        verbose_name="事務局として所属する医師会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    clinic = models.ForeignKey(
        "clinics.Clinic",
        verbose_name="所属する医療機関",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="users",
    )
    is_rule_admin = models.BooleanField("ルール管理者", default=False)
    is_national = models.BooleanField("日本医師会（全国）", default=False)
    deadline_reminders = models.BooleanField(
        "締切前のお知らせメールを受け取る",
        default=True,
        help_text="申請の締切が近づいたとき、申請できる枠のお知らせをメールで受け取ります。",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "利用者"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(association__isnull=False, clinic__isnull=False),
                name="staff_or_clinic_user_not_both",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, **kwargs):
        self.email = type(self).objects.normalize_email(self.email)
        super().save(**kwargs)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email

    @property
    def is_association_staff(self) -> bool:
        return self.association_id is not None

    @property
    def is_clinic_user(self) -> bool:
        return self.clinic_id is not None

    @property
    def is_national_user(self) -> bool:
        return self.is_national and self.association_id is None and self.clinic_id is None
