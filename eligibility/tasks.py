"""Background tasks (Django's tasks framework, settings.TASKS): the batch re-screening that
follows the publication of a rule version, one task per chunk of screenings, so that every
running ``db_worker`` takes a share; and the result PDF of a screening just completed, made
before the clinic clicks."""

from django.tasks import task


@task
def rescreen_chunk(chunk_id: int) -> dict:
    """Re-screen one RescreenChunk; its run's row shows the progress of all of them."""
    from .services import rescreen_chunk_execute

    chunk = rescreen_chunk_execute(chunk_id=chunk_id)
    if chunk is None:
        return {"skipped": True}  # done already, or being done by another worker
    return {"status": chunk.status, "processed": chunk.processed, "changed": chunk.changed}


@task
def render_result_pdf(screening_id: int) -> dict:
    """Render and cache the result PDF of a screening as of today (settings.PDF_PRERENDER):
    the same key the download looks up, so its first click is a cache hit."""
    from .models import Screening
    from .result_pdf import result_pdf
    from .selectors import screening_result, today

    screening = (
        Screening.objects.select_related("clinic", "rule_version")
        .filter(pk=screening_id, completed_at__isnull=False)
        .first()
    )
    if screening is None:  # deleted, or opened again for editing since
        return {"rendered": False}
    data = result_pdf(screening_result(screening=screening, as_of=today()))
    return {"rendered": True, "bytes": len(data)}


@task
def compute_impact(version_id: int, as_of: str) -> dict:
    """The impact preview of a version (the rule administrator's page polls for it)."""
    from datetime import date

    from .services import impact_compute

    impact = impact_compute(version_id=version_id, as_of=date.fromisoformat(as_of))
    return {"total": impact.total, "changed": impact.changed}
