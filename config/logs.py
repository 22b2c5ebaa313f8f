"""What the processes write to stdout for the process manager (settings.LOGGING): one line per
request (RequestLogMiddleware) and per task run (connected by config.apps), and the traceback
of every error. With ``DEBUG`` off each line is a JSON object a log system can parse
(JsonFormatter); with it on, plain text."""

from __future__ import annotations

import json
import logging
import sys
import time

from django.tasks import TaskResultStatus
from django.tasks.signals import (
    log_task_finished,
    log_task_started,
    task_finished,
    task_started,
)

request_logger = logging.getLogger("hojokin.request")
task_logger = logging.getLogger("hojokin.task")

# what a line may carry besides its message (``extra=`` of a logging call)
FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "user_id",
    "association_id",
    "clinic_id",
    "htmx",
    "task",
    "task_id",
    "task_args",
    "worker",
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the fields above, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {name: getattr(record, name) for name in FIELDS if hasattr(record, name)}
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        elif getattr(record, "traceback", None):
            line["traceback"] = record.traceback
        return json.dumps(line, ensure_ascii=False, default=str)


JsonFormatter.converter = time.gmtime


class RequestLogMiddleware:
    """First in MIDDLEWARE: one line per request, after everything else has answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        status = response.status_code
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = _without_secrets(request)
        request_logger.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "%s %s %s %.1f ms",
            request.method,
            path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": user.pk if signed_in else None,
                "association_id": user.association_id if signed_in else None,
                "clinic_id": user.clinic_id if signed_in else None,
                "htmx": bool(getattr(request, "htmx", False)),
            },
        )
        return response


SECRET_KWARGS = ("token", "uidb64")  # share links, invitations, password resets


def _without_secrets(request) -> str:
    """The path with the secrets a URL carries (a share link's token…) replaced: a log is read
    by more people than the link was given to."""
    path = request.path
    kwargs = getattr(request.resolver_match, "kwargs", None) or {}
    for name in SECRET_KWARGS:
        if kwargs.get(name):
            path = path.replace(str(kwargs[name]), f"<{name}>")
    return path


def _task_finished(sender, task_result, **kwargs) -> None:
    """One line per task run: which, with what, how long, how it ended (the traceback if it
    failed: the signal is sent inside the worker's exception handler)."""
    failed = task_result.status == TaskResultStatus.FAILED
    started, finished = task_result.started_at, task_result.finished_at
    duration_ms = (
        round((finished - started).total_seconds() * 1000, 1) if started and finished else None
    )
    exc_info = sys.exc_info() if failed else None
    errors = task_result.errors
    task_logger.log(
        logging.ERROR if failed else logging.INFO,
        "task %s %s %s ms",
        task_result.task.name,
        task_result.status,
        duration_ms,
        exc_info=exc_info if exc_info and exc_info[0] else None,
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "task_args": [*task_result.args, *task_result.kwargs.items()],
            "status": str(task_result.status),
            "duration_ms": duration_ms,
            "worker": task_result.worker_ids[-1] if task_result.worker_ids else None,
            "traceback": errors[-1].traceback if failed and errors else None,
        },
    )


def connect_task_lines() -> None:
    """Our task line replaces Django's two (started, finished), which lack the time taken."""
    task_started.disconnect(log_task_started)
    task_finished.disconnect(log_task_finished)
    task_finished.connect(_task_finished, dispatch_uid="hojokin-task-line")
