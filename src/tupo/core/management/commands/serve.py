"""`tupo serve`: the production WSGI server (granian), never runserver."""

import os
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Tupo with granian (WSGI) on 127.0.0.1:TUPO_PORT (default 8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("TUPO_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TUPO_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("TUPO_WORKERS", "2")))
        parser.add_argument("--no-task-worker", action="store_true", help="do not start the background task worker")

    def handle(self, *args, host, port, workers, no_task_worker, **options):
        import subprocess

        env = dict(os.environ, DJANGO_SETTINGS_MODULE="tupo.config.settings")
        worker = None
        if not no_task_worker and not settings.TESTING:
            # In-process scale: one database-backed task worker beside the web server.
            worker = subprocess.Popen([sys.executable, "-m", "tupo.cli", "db_worker"], env=env)
        self.stdout.write(f"Tupo: http://{host}:{port}/")
        cmd = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", "4", "--no-ws", "tupo.config.wsgi:application",
        ]
        server = subprocess.Popen(cmd, env=env)
        children = [c for c in (server, worker) if c is not None]

        def stop(signum, frame):  # a stopped `tupo serve` must not leave granian or the task worker running
            for child in children:
                if child.poll() is None:
                    child.terminate()

        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, stop)
        try:
            server.wait()
        except KeyboardInterrupt:
            stop(None, None)
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
