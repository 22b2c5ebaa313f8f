"""The JMA notice (日医発第390号) as structured data, shown as a letter, with the 別添 outline
drawn from the published rule version (never copied into the notice)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from announcements.models import Notice, Publication
from announcements.selectors import JMA_NOTICE_KEY, notice_outline
from announcements.services import notice_jma_ensure, publication_initial
from eligibility.selectors import rule_version_published
from eligibility.services import rule_version_clone, rule_version_publish
from tests import factories
from tests.announcements import notice_factories as nf
from tests.factories import frame_of

pytestmark = pytest.mark.django_db


def test_the_notice_is_transcribed_from_the_seed():
    notice = notice_jma_ensure()
    assert notice.key == JMA_NOTICE_KEY
    assert notice.number == "日医発第390号（医経）（情シ）"
    assert (
        notice.issued_on.isoformat() == "2026-05-25" and notice.issued_on_text == "令和8年5月25日"
    )
    assert notice.addressee == ["都道府県医師会", "担当理事 殿"]
    assert notice.sender_organization == "公益社団法人 日本医師会"
    assert notice.sender_officers == ["常任理事 長島 公之", "常任理事 宮川 政昭"]
    assert notice.title == "経済産業省 デジタル化・AI導入補助金2026について（情報提供）"
    assert len(notice.paragraphs) == 6
    assert "300人以下の医療法人及び100人以下の個人開業医" in notice.paragraphs[2]
    assert notice.website["url"] == "https://it-shien.smrj.go.jp/"
    assert [p["number"] for p in notice.contact["phones"]] == ["0570-666-376", "050-3133-3272"]
    assert notice.attachments == [
        "デジタル化・AI導入補助金2026 案内チラシ",
        "デジタル化・AI導入補助金2026 概要資料",
    ]


def test_loading_it_again_changes_nothing():
    first = notice_jma_ensure()
    Notice.objects.filter(pk=first.pk).update(title="古い件名")
    again = notice_jma_ensure()
    assert again.pk == first.pk and Notice.objects.count() == 1
    assert again.title.startswith("経済産業省")


def test_the_migration_loaded_it():
    assert Notice.objects.filter(key=JMA_NOTICE_KEY).exists()


def test_it_reads_as_a_letter_with_the_outline_schedule_and_past_results(client):
    publication = nf.publication(title="デジタル化・AI導入補助金2026のご案内")
    client.force_login(factories.clinic_user(factories.clinic()))
    html = client.get(f"/notices/{publication.pk}/").content.decode()
    for text in (
        '<p class="letter-number">日医発第390号（医経）（情シ）</p>',
        "令和8年5月25日",
        "都道府県医師会<br>担当理事 殿",
        "公益社団法人 日本医師会<br>常任理事 長島 公之<br>常任理事 宮川 政昭",
        '<h2 class="letter-title"',
        'href="tel:0570666376"',
        "受付時間 9時30分～17時30分",
        "別添：概要",
        "今後のスケジュール（申請締切日）",
        'href="/past-results/"',
    ):
        assert text in html, text
    assert html.count("<p>") >= 6  # paragraphs, not one block
    # members read the notice, not our transcription notes; its attachments point at what
    # exists: the outline on this page and the official site (no file links that fail)
    assert "seeds/" not in html and "PDFからの抽出" not in html
    attachments = html[html.index("<h3>添付資料</h3>") :][:1200]
    assert f'href="#annex-heading-{publication.pk}"' in attachments
    assert 'href="https://it-shien.smrj.go.jp/"' in attachments
    assert "<li>デジタル化・AI導入補助金2026 案内チラシ</li>" in attachments


def test_the_outline_comes_from_the_published_rule_version(client):
    outline = notice_outline()
    normal = next(f for f in outline.frames if f.frame.code == "normal")
    assert [str(p.value) for p in normal.rates] == ["1/2", "2/3"]
    assert 4_500_000 in [p.value for p in normal.amounts]
    groups = {
        tuple(g.frame_names): [r.closes_on.isoformat() for r in g.rounds] for g in outline.schedule
    }
    assert groups[("複数者連携デジタル化・AI導入枠",)] == ["2026-06-15", "2026-08-25"]
    assert len(groups) == 2

    # the secretariat announces a 第5次: a new version, and the notice shows it at once
    draft = rule_version_clone(version=rule_version_published(), label="2026.9")
    closes = timezone.localdate() + timedelta(days=30)
    frame_of(draft.document, "normal")["rounds"].append(
        {"number": 5, "closes_on": closes.isoformat(), "source": "事務局の発表"}
    )
    draft.save()
    rule_version_publish(version=draft)
    publication = nf.publication()
    client.force_login(factories.clinic_user(factories.clinic()))
    html = client.get(f"/notices/{publication.pk}/").content.decode()
    assert f"第5次 {closes.year}年{closes.month}月{closes.day}日" in html


def test_load_demo_keeps_one_jma_notice():
    Notice.objects.all().delete()  # e.g. after a flush
    call_command("load_demo")
    call_command("load_demo")
    assert Notice.objects.filter(key=JMA_NOTICE_KEY).count() == 1


def test_a_long_notice_title_still_fits_the_publications_title():
    notice = notice_jma_ensure()
    notice.title = "件" * 200
    initial = publication_initial(association=factories.association(), notice=notice)
    assert initial["title"] == "【ご案内】" + "件" * 194 + "…"
    assert len(initial["title"]) == Publication._meta.get_field("title").max_length
