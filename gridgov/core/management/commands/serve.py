"""``gridgov serve``: run the production server (gunicorn) on the configured database."""

import multiprocessing

from django.core.management.base import BaseCommand, CommandError


def run_gunicorn(bind: str, workers: int, threads: int = 4, timeout: int = 60) -> None:
    """Serve ``gridgov.wsgi`` with gunicorn in this process (gunicorn forks the workers)."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", timeout)
            self.cfg.set("accesslog", "-")

        def load(self):
            from gridgov.wsgi import application

            return application

    Application().run()


class Command(BaseCommand):
    help = "Serve GridGov with gunicorn (production server)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument(
            "--workers", type=int, default=min(4, multiprocessing.cpu_count() * 2 + 1),
            help="worker processes",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")

    def handle(self, *args, **options):
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        if ":" not in options["bind"]:
            raise CommandError("--bind must be host:port, for example 127.0.0.1:8000")
        run_gunicorn(options["bind"], options["workers"], options["threads"])
