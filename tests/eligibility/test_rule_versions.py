"""A published version never changes; a change is a cloned draft, published in its turn."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from eligibility import services
from eligibility.models import PublishedVersionError, RuleVersion
from eligibility.selectors import rule_set_for, rule_version_document, rule_version_published
from eligibility.services import rule_version_clone, rule_version_load_file, rule_version_publish
from tests.conftest import rules_document
from tests.factories import frame_of, param_of

pytestmark = pytest.mark.django_db


def published():
    return rule_version_published()


def test_the_2026_version_is_loaded_and_published():
    version = published()
    assert version.label == "2026.1"
    assert version.status == RuleVersion.Status.PUBLISHED


def test_loading_a_shipped_file_is_in_the_histories_and_happens_once(tmp_path, monkeypatch):
    first = published()
    assert [(e.kind, e.by) for e in first.events.order_by("id")] == [
        ("import", None),
        ("publish", None),
    ]
    assert "eligibility/rules/2026.1.json" in first.events.first().description
    assert rule_version_load_file(label="2026.1") == first
    assert first.events.count() == 2

    document = rules_document() | {"label": "2026.9"}
    (tmp_path / "2026.9.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    monkeypatch.setattr(services, "RULES_DIR", tmp_path)
    loaded = rule_version_load_file(label="2026.9")
    assert published() == loaded and loaded.events.count() == 2
    retired = first.events.order_by("id").last()
    assert (retired.kind, retired.description) == (
        "retire",
        "版 2026.9 の公開により、過去の版になりました。",
    )


def test_its_document_is_the_shipped_file():
    assert rule_version_document(version=published()) == rules_document()


def test_a_published_version_cannot_be_edited():
    version = published()
    param_of(version.document, "normal", "rate")["value"] = "2/3"
    with pytest.raises(PublishedVersionError):
        version.save()
    version = published()
    with pytest.raises(PublishedVersionError):
        RuleVersion.objects.filter(pk=version.pk).update(
            document=rules_document() | {"notice": "x"}
        )
    frame_of(version.document, "normal")["rounds"].append(
        {"number": 5, "closes_on": "2027-01-20", "source": "x"}
    )
    with pytest.raises(PublishedVersionError):
        version.save()
    version = published()
    version.document["guideline_edition"] = "改訂"
    with pytest.raises(PublishedVersionError):
        version.save()
    with pytest.raises(PublishedVersionError):
        version.delete()
    assert rule_version_document(version=version) == rules_document()


def test_a_document_parse_rules_refuses_is_never_saved():
    draft = rule_version_clone(version=published(), label="2026.2")
    param_of(draft.document, "normal", "rate")["value"] = "3/2"
    with pytest.raises(ValidationError) as error:
        draft.save()
    assert error.value.messages == ["通常枠の「補助率」: 補助率は0より大きく1以下にしてください"]
    assert param_of(rule_version_document(version=draft), "normal", "rate")["value"] == "1/2"


def test_a_clone_copies_everything_and_can_be_edited():
    original = published()
    draft = rule_version_clone(version=original, label="2026.2")
    assert draft.status == RuleVersion.Status.DRAFT and draft.based_on == original
    expected = rules_document() | {"label": "2026.2"}
    assert rule_version_document(version=draft) == expected
    frame_of(draft.document, "normal")["rounds"].append(
        {"number": 5, "closes_on": "2027-01-20", "source": "x"}
    )
    draft.save()
    assert rule_set_for(version=draft).frames["normal"].rounds[-1].closes_on == date(2027, 1, 20)
    assert rule_version_document(version=original) == rules_document()


def test_publishing_retires_the_previous_version_and_keeps_its_numbers():
    original = published()
    draft = rule_version_clone(version=original, label="2026.2")
    param_of(draft.document, "security", "rate_small")["value"] = "3/4"
    draft.save()
    rule_version_publish(version=draft, effective_from=date(2026, 12, 1))
    original.refresh_from_db()
    assert original.status == RuleVersion.Status.RETIRED
    assert published() == draft and draft.effective_from == date(2026, 12, 1)
    old = rule_set_for(version=original).frames["security"].rate("rate_small")
    new = rule_set_for(version=draft).frames["security"].rate("rate_small")
    assert (str(old), str(new)) == ("2/3", "3/4")
