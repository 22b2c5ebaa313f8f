"""Background tasks (Django's tasks framework, settings.TASKS): the batch re-screening that
follows the publication of a rule version, one task per chunk of screenings, so that every
running ``db_worker`` takes a share."""

from django.tasks import task


@task
def rescreen_chunk(chunk_id: int) -> dict:
    """Re-screen one RescreenChunk; its run's row shows the progress of all of them."""
    from .services import rescreen_chunk_execute

    chunk = rescreen_chunk_execute(chunk_id=chunk_id)
    if chunk is None:
        return {"skipped": True}  # done already, or being done by another worker
    return {"status": chunk.status, "processed": chunk.processed, "changed": chunk.changed}
