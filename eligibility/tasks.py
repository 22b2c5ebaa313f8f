"""Background tasks (Django's tasks framework, settings.TASKS): the batch re-screening that
follows the publication of a rule version."""

from django.tasks import task


@task
def rescreen(run_id: int) -> dict:
    """Re-screen the stored screenings for one RescreenRun; its row shows the progress."""
    from .models import RescreenRun
    from .services import rescreen_run_execute

    run = RescreenRun.objects.select_related("version").get(pk=run_id)
    run = rescreen_run_execute(run=run)
    return {"total": run.total, "processed": run.processed, "changed": run.changed}
