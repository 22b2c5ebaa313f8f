"""config/warmup.py: what a worker would do on its first requests is done before it serves."""

import logging

import pytest
from django.db import OperationalError
from django.template import engines

from accounts import backends
from config import warmup
from config.prepared import PreparedRead
from eligibility import selectors

pytestmark = pytest.mark.django_db


def cached_templates() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]
    return {key.split("-")[0] for key in loader.get_template_cache}


def test_it_compiles_the_templates_the_prepared_reads_and_the_published_rules():
    engines["django"].engine.template_loaders[0].reset()
    for read in PreparedRead._all:
        read._compiled.clear()
    warmup.warm()
    assert {"base.html", "eligibility/wizard_step.html", "eligibility/result.html"} <= (
        cached_templates()
    )
    app_reads = [selectors._edit_by_clinic, selectors._read_by_clinic]
    app_reads += [selectors._read_by_association, backends._user_by_id]
    assert all(read in PreparedRead._all for read in app_reads)
    assert all(read._compiled.keys() == {"default"} for read in PreparedRead._all)
    assert selectors._frozen_rule_set.cache_info().currsize == 1


def test_a_database_that_does_not_answer_leaves_the_rules_to_the_first_request(monkeypatch, caplog):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "rule_version_published", down)
    with caplog.at_level(logging.WARNING, logger="config.warmup"):
        warmup.warm()  # does not raise: the worker still starts
    assert "published rules could not be read" in caplog.text
    assert selectors._frozen_rule_set.cache_info().currsize == 0
