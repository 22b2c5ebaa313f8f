"""What a server process would otherwise do on its first requests, done before it serves
(config/wsgi.py calls warm() when gunicorn starts each worker).

Left to the first requests, each worker imports the views, compiles the templates, reads and
parses the published rules, and compiles the prepared reads (config/prepared.py) while people
wait: ~90 ms on the first result page of a fresh process, measured in-process. Under load the
first requests after a start or a deploy come together, and all workers do this at once
(`make bench-load` saw the first round of result pages take 137 ms at the median against
~88 ms afterwards)."""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_backends
from django.db import DatabaseError, connections
from django.template import engines

from config.prepared import PreparedRead

logger = logging.getLogger(__name__)


def warm() -> None:
    import_module(settings.ROOT_URLCONF)  # every view, and with them the prepared reads
    get_backends()  # accounts.backends, the user's prepared read
    _templates()
    PreparedRead.compile_all()
    try:
        _rules()
    except DatabaseError:  # the database may be down: the first requests will read them
        logger.warning("warm-up: the published rules could not be read", exc_info=True)
    finally:
        connections.close_all()  # opened outside a request; the first request opens its own


def _templates() -> None:
    """Every template of the project, compiled into the engine's cached loader."""
    engine = engines["django"]
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(folder.rglob("*.html")):
            engine.get_template(path.relative_to(folder).as_posix())


def _rules() -> None:
    from eligibility.result_pdf import pdf_fingerprint
    from eligibility.selectors import rule_set_for, rule_version_published

    version = rule_version_published()
    if version is not None:
        rule_set_for(version=version)
    pdf_fingerprint()
