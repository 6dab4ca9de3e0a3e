"""Run the whole desk on one machine with no servers: web, worker for both queues, and beat."""

import contextlib
import functools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from classifier.corpus import load_corpus
from core.processes import stop_when_parent_dies
from demo import demo, knowledge


class Command(BaseCommand):
    help = (
        "Set up the embedded demo (SQLite, filesystem broker, demo people and comments) and "
        "serve it with a worker and beat until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="seed and exit")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--comments", type=int, default=300, help="how many demo comments to load (default 300)"
        )
        parser.add_argument(
            "--trickle",
            type=float,
            default=6.0,
            help="seconds between live demo comments; 0 turns it off",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (never on a production database)",
        )

    def handle(self, *args, no_serve, port, comments, trickle, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "demo creates people with known passwords; it runs only with DEBUG on: "
                "use `make demo` (or DEBUG=1 python manage.py demo, or --force on a "
                "throwaway database)"
            )
        if not no_serve:
            _refuse_taken_port(port)
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        brands = demo.seed_brands()
        people = demo.seed_people(brands)
        faq_count, fact_count = knowledge.seed_knowledge(brands)
        token = demo.issue_demo_token(brands["aurora"])
        other_token = demo.issue_demo_token(brands["rapimenu"])
        relay_token = demo.issue_demo_token(None)
        created = demo.seed_comments(brands, comments)
        wave = demo.seed_ripple(brands["aurora"])
        demo.seed_complaints(brands)  # last: it rebuilds the reports' rollups of all the above
        self._print_welcome(brands, people, token, other_token, created, wave, port)
        self.stdout.write(
            f"{faq_count} FAQ entries and {fact_count} verified facts (see FAQ and Facts as sam)."
        )
        self.stdout.write(
            "Two weeks of complaints: sam sees them under Complaints (Quejas), cards rising.\n"
        )
        if no_serve:
            return
        self._serve(port, relay_token, trickle)

    def _print_welcome(self, brands, people, token, other_token, created, wave, port):
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(
            self.style.SUCCESS(
                f"\n{created} demo comments loaded, and a ripple of "
                f"{wave} customers reporting charges they never "
                "made at Banco Aurora (see Crises).\n"
            )
        )
        self.stdout.write("Two brands run side by side; each person sees only their own.")
        self.stdout.write("Demo people (username / password — role at brand):")
        names = {slug: brand.name for slug, brand in brands.items()}
        for person in people:
            roles = ", ".join(f"{role.label} at {names[slug]}" for slug, role in person.roles)
            role = roles or "administrator (superuser), every brand"
            self.stdout.write(f"  {person.username:<6} / {person.password:<16} — {role}")
        sample = json.dumps(
            {
                "platform": "twitter",
                "external_id": "try-1",
                "author_handle": "@someone",
                "text": "Voy a denunciar ante PROFECO, me cobraron dos veces",
                "author_followers": 120,
            },
            ensure_ascii=False,
        )
        self.stdout.write(f"\nDesk:     {base}/   (API docs: {base}/api/docs/)")
        self.stdout.write(f"API token (Banco Aurora): {token}")
        self.stdout.write(f"API token (RapiMenu):     {other_token}")
        self.stdout.write("Push a comment:")
        self.stdout.write(
            f"  curl -s -X POST {base}/api/v1/comments/ -H 'Authorization: Token "
            f"{token}' -H 'Content-Type: application/json' -d '{sample}'\n"
        )

    def _serve(self, port, token, trickle):
        python = sys.executable
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # Each in a session of its own, stopped as a group: the worker forks beat (-B), and a
        # beat child can outlive a worker stopped while it starts. Each is also told to stop
        # when the demo dies without the chance to stop them (SIGKILL, an out-of-memory kill).
        children = [
            subprocess.Popen(
                [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                env=env,
                start_new_session=True,
                preexec_fn=functools.partial(stop_when_parent_dies, os.getpid()),
            ),
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "triage",
                    "worker",
                    "-B",
                    "-Q",
                    "default,crisis",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--schedule",
                    str(settings.VAR_DIR / "celerybeat-schedule"),
                ],
                env=env,
                start_new_session=True,
                preexec_fn=functools.partial(stop_when_parent_dies, os.getpid()),
            ),
        ]
        stop = threading.Event()
        if trickle > 0:
            threading.Thread(
                target=self._trickle, args=(port, token, trickle, stop), daemon=True
            ).start()
        self.stdout.write(self.style.SUCCESS("Serving. Press Ctrl-C to stop everything."))
        # `kill`, a terminal closing or a process manager stop like Ctrl-C: never orphan the
        # server and the worker.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            raise CommandError("a demo process stopped unexpectedly; see its output above")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            stop.set()
            for child in children:
                _signal_group(child, signal.SIGTERM)
            for child in children:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=10)
                _signal_group(child, signal.SIGKILL)  # whatever of the group is left

    def _trickle(self, port, token, every, stop):
        """Post a new comment now and then through the real API, so reds arrive live."""
        rows = load_corpus()
        rng = random.Random()
        url = f"http://127.0.0.1:{port}/api/v1/comments/"
        sequence = 0
        while not stop.wait(every):
            sequence += 1
            body = json.dumps(demo.live_item(rng, rows, sequence=sequence)).encode()
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            try:
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (our own server)
            except (urllib.error.URLError, OSError):
                continue  # the server may still be starting


def _refuse_taken_port(port: int) -> None:
    """A server already on the port (often an earlier demo's) would answer instead of this one,
    with its own, possibly deleted, database: say so rather than serve next to it."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise CommandError(
                f"port {port} is already in use, perhaps by an earlier demo still running; "
                f"stop it (e.g. `fuser -k {port}/tcp`) or choose another with --port"
            ) from None


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited
        os.killpg(child.pid, signum)
