from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The project's own set-up: settings, URLs, logs, /health/. No models."""

    name = "config"
    verbose_name = "運用"

    def ready(self):
        from .logs import connect_task_lines

        connect_task_lines()
