from django import forms
from django.utils import timezone

from clinics.forms import PlainCharField, TextLinesField

from .models import Notice, Publication
from .services import ALLOWED_SUFFIXES, ATTACHMENT_MAX_BYTES, attachment_check


class PublicationForm(forms.ModelForm):
    notice = forms.ModelChoiceField(
        label="添える全国の通知",
        queryset=Notice.objects.all(),
        required=False,
        empty_label="添えない（本文を自分で書く）",
        blank=True,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Publication
        fields = ["title", "notice", "cover_message", "contact", "body"]
        field_classes = {
            "title": PlainCharField,
            "cover_message": TextLinesField,
            "contact": TextLinesField,
            "body": TextLinesField,
        }
        labels = {"title": "件名", "body": "本文（全国の通知を添えないとき）"}
        help_texts = {
            "cover_message": "会員の医療機関に宛てた送付状です。お知らせの最初に表示されます。",
            "contact": "送付状の下に「お問い合わせ先」として表示されます。医師会の登録内容を入れてあります。",
            "body": "全国の通知を添える場合は空欄でかまいません。空行で段落が分かれます。",
        }
        widgets = {
            "title": forms.TextInput(attrs={"class": "wide"}),
            "cover_message": forms.Textarea(attrs={"rows": 10}),
            "contact": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 10}),
        }


class PublishForm(forms.Form):
    WHEN = [
        ("now", "今すぐ公開し、会員にメールを送る"),
        ("later", "日時を指定して公開する（予約）"),
    ]

    when = forms.ChoiceField(
        label="公開のしかた", choices=WHEN, initial="now", widget=forms.RadioSelect
    )
    publish_at = forms.DateTimeField(
        label="公開日時",
        required=False,
        help_text="予約した日時になると会員に表示され、メールが送られます。",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") != "later":
            cleaned["publish_at"] = None
            return cleaned
        publish_at = cleaned.get("publish_at")
        if publish_at is None and "publish_at" not in self.errors:
            self.add_error("publish_at", "予約する場合は公開日時を入力してください。")
        elif publish_at is not None and publish_at <= timezone.now():
            self.add_error("publish_at", "公開日時は現在より後の日時を指定してください。")
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="添付するファイル",
        help_text=(
            f"PDF、Word、Excel、PowerPoint（{ALLOWED_SUFFIXES}）。"
            f"1ファイル{ATTACHMENT_MAX_BYTES // 1024 // 1024}MBまで。"
        ),
        error_messages={
            "required": "ファイルを選んでください。",
            "empty": "空のファイルは添付できません。",
        },
        widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES.split())}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        attachment_check(upload)
        return upload
