"""Fault drill (make fault-worker): kill -9 the task worker while it sends a notice's e-mail.

The production set-up on this machine: a throwaway PostgreSQL database, `DEBUG` off, tasks
stored in the database and run by `manage.py db_worker`, SMTP to a mail server this script
runs on loopback, slow to answer (it holds each message's final reply for a while, and like a
real server discards a message whose client hangs up before that reply). Staff publish a
notice to MEMBERS members; once the server has accepted the first e-mail and holds the second,
the worker is killed with SIGKILL. Then, as in production: a new worker starts and cron runs
`manage.py recover_tasks`. The script checks that every member got the notice exactly once, that
the task the dead worker left RUNNING was run again, and that the staff page says
「送信済み MEMBERS件・送信待ち 0件・送信失敗 0件」; it prints what it saw with the times.

Loopback only; bounded in time (exits non-zero on any failed check).
usage: .venv/bin/python scripts/fault_worker.py [--members 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter

from throwaway import ROOT, manage, pg_admin

DB_NAME = "fault_worker"
HOLD_SECONDS = 0.5  # the server's pause before accepting each message
# Short leases for the drill (production: 5 and 30 minutes). A lease must outlast the longest
# legitimate run: the whole delivery here takes MEMBERS × HOLD_SECONDS.
EMAIL_CLAIM_SECONDS = 2
TASK_LEASE_SECONDS = 6

SETUP = """
from django.utils import timezone
from announcements.models import Publication
from announcements.services import notice_jma_ensure, publication_publish
from tests import factories
for n in range(MEMBERS):
    factories.clinic_user(factories.clinic(prefecture="山形県"))
staff = factories.staff("山形県")
draft = Publication.objects.create(
    association=factories.association("山形県"), notice=notice_jma_ensure(),
    title="デジタル化・AI導入補助金2026のご案内", cover_message="会員の皆さまへ。",
    created_by=staff,
)
publication_publish(publication=draft)
print(draft.pk, staff.email)
"""

STATE = """
import json
from django.test import Client
from django_tasks_db.models import DBTaskResult
from accounts.models import User
from announcements.models import Email, Publication
tasks = list(DBTaskResult.objects.filter(task_path="announcements.tasks.deliver_emails")
             .order_by("enqueued_at").values("status", "worker_ids"))
emails = dict(Counter(Email.objects.values_list("status", flat=True)))
page = ""
if PAGE:
    client = Client()
    client.force_login(User.objects.get(email=STAFF))
    page = client.get(f"/staff/notices/{PUBLICATION}/", secure=True).content.decode()
print(json.dumps({"tasks": tasks, "emails": emails, "page": page}))
"""


class MailServer(socketserver.ThreadingTCPServer):
    """Just enough SMTP for Django's backend: no TLS, no auth. Records each message's
    recipients once it has replied 250 to the message's end; a client that hangs up during the
    hold gets nothing recorded (as with a real server, the message was never accepted)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.accepted: list[tuple[float, str]] = []
        self.discarded: list[str] = []
        self.holding = threading.Event()
        self.lock = threading.Lock()


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        server: MailServer = self.server
        self.reply("220 fault-drill ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 fault-drill")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(re.search(r"<([^>]*)>", command).group(1))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                server.holding.set()
                if self.client_hung_up_within(HOLD_SECONDS):
                    with server.lock:
                        server.discarded.extend(recipients)
                    return
                server.holding.clear()
                with server.lock:
                    server.accepted.extend((time.monotonic(), to) for to in recipients)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP
                self.reply("250 OK")

    def client_hung_up_within(self, seconds: float) -> bool:
        readable, _, _ = select.select([self.request], [], [], seconds)
        return bool(readable) and self.request.recv(1, socket.MSG_PEEK) == b""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5)
    args = parser.parse_args()
    mail = MailServer()
    threading.Thread(target=mail.serve_forever, daemon=True).start()
    env = os.environ | {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "DEBUG": "false",
        "SECRET_KEY": "fault-worker-only",
        "ALLOWED_HOSTS": "testserver",
        "TASKS_IMMEDIATE": "false",
        "PDF_PRERENDER": "false",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail.server_address[1]),
        "EMAIL_USE_TLS": "false",
        "EMAIL_CLAIM_SECONDS": str(EMAIL_CLAIM_SECONDS),
        "TASK_LEASE_SECONDS": str(TASK_LEASE_SECONDS),
    }
    python = [sys.executable, "manage.py"]
    began = time.monotonic()

    def at() -> str:
        return f"{time.monotonic() - began:6.1f} s"

    def run(*command: str, **extra_env: str) -> str:
        return manage(env | extra_env, *command)

    def worker() -> subprocess.Popen:
        return subprocess.Popen(
            [*python, "db_worker", "--interval", "0.1", "--no-reload", "--no-startup-delay"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def state(page: bool = False) -> dict:
        code = (
            STATE.replace("PAGE", str(page))
            .replace("STAFF", repr(staff))
            .replace("PUBLICATION", publication)
        )
        # the page is rendered in-process: static files unbuilt, so with DEBUG's storage
        out = run("shell", "-c", "from collections import Counter\n" + code, DEBUG="true")
        return json.loads(out.strip().splitlines()[-1])

    pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {DB_NAME}")
    first = second = done = None
    checks: list[tuple[bool, str]] = []
    try:
        run("migrate", "--no-input", "-v", "0")
        publication, staff = (
            run("shell", "-c", SETUP.replace("MEMBERS", str(args.members)))
            .strip()
            .splitlines()[-1]
            .split()
        )
        print(f"{at()}  notice {publication} published to {args.members} members; worker starts")
        first = worker()
        deadline = time.monotonic() + 60
        while not (mail.accepted and mail.holding.is_set()):
            if time.monotonic() > deadline:
                raise SystemExit("the worker never reached the second e-mail")
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        killed = time.monotonic()
        print(
            f"{at()}  kill -9 of the worker: the server had accepted {len(mail.accepted)}, held 1"
        )
        time.sleep(0.5)
        seen = state()
        print(
            f"{at()}  after the kill: task {seen['tasks'][0]['status']}, e-mails {seen['emails']}"
        )
        checks.append(
            (seen["tasks"][0]["status"] == "RUNNING", "the dead worker's task is RUNNING")
        )

        second = worker()
        print(f"{at()}  a new worker starts; cron runs recover_tasks every second until the")
        print(f"         dead worker's task has been run again (its lease: {TASK_LEASE_SECONDS} s)")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            out = run("recover_tasks").strip()
            if "再実行" in out or "予約" in out:
                print(f"{at()}  recover_tasks: {' / '.join(out.splitlines())}")
            if len(mail.accepted) >= args.members and done is None:
                done = time.monotonic()
            if done is not None and not any(
                task["status"] in ("READY", "RUNNING") for task in state()["tasks"]
            ):
                break
            time.sleep(1)
        seen = state(page=True)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        mail.shutdown()

    received = Counter(to for _, to in mail.accepted)
    print(f"{at()}  the server accepted {len(mail.accepted)} e-mails for {len(received)} addresses")
    print(f"         discarded when the worker died: {len(mail.discarded)}")
    print(f"         e-mails {seen['emails']}; tasks {[t['status'] for t in seen['tasks']]}")
    if done is not None:
        print(f"         from the kill to the last member's e-mail: {done - killed:.1f} s")
    summary = f"送信済み {args.members}件・送信待ち 0件・送信失敗 0件"
    checks += [
        (len(received) == args.members, f"every one of the {args.members} members got it"),
        (set(received.values()) == {1}, "each exactly once"),
        (seen["emails"] == {"sent": args.members}, "every e-mail row is sent"),
        (
            seen["tasks"][0]["status"] == "SUCCESSFUL" and len(seen["tasks"][0]["worker_ids"]) == 2,
            "the dead worker's task was run again by the new worker and succeeded",
        ),
        (summary in seen["page"], f"the staff page says 「{summary}」"),
    ]
    for ok, what in checks:
        print(f"  {'ok    ' if ok else 'FAILED'} {what}")
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
