"""``gridgov demo``: migrate, load the Haishu demo district, print the logins, serve.

Idempotent: a second run finds the demo in place and only serves. ``--no-serve`` stops after
printing (for scripts and CI).
"""

import os
import unicodedata

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.choices import Role
from gridgov.core.keys_check import DEMO_ENV
from gridgov.demo import DEFAULT_SEED, load_demo
from gridgov.demo.history import DEFAULT_EVENTS as DEFAULT_HISTORY_EVENTS
from gridgov.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEMO_USERS

DEMO_WORKERS = 2


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where a Chinese character takes two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - shown)


class Command(BaseCommand):
    help = "Load the Haishu demo district and serve it (加载海曙区演示数据并启动服务)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--no-serve", action="store_true",
                            help="load and print the logins, then stop")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="seed of the generated communities and grids")
        parser.add_argument("--history-events", type=int, default=DEFAULT_HISTORY_EVENTS,
                            help="generated history cases to load (0: none; default "
                                 f"{DEFAULT_HISTORY_EVENTS})")

    def handle(self, *args, **options):
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535")
        if options["history_events"] < 0:
            raise CommandError("--history-events must be 0 or more")
        self.stdout.write("准备数据库 Migrating the database ...")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("加载演示数据 Loading the Haishu demo district ...")
        counts = load_demo(seed=options["seed"], stdout=self.stdout,
                           history_events=options["history_events"])
        # Three 公安 cameras of 鼓楼 play a sample stream (made once with ffmpeg, when it is
        # installed), so the live view can be tried without a camera; kept out of load_demo so
        # no test database pays for it.
        from gridgov.video.live_sample import attach_demo_stream

        attach_demo_stream(stdout=self.stdout)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.summary(url, counts))
        if options["no_serve"]:
            return
        from .serve import run_gunicorn

        if options["host"] not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            self.stderr.write(
                f"注意 Note: {options['host']} is not in ALLOWED_HOSTS "
                f"({', '.join(settings.ALLOWED_HOSTS)}); set ALLOWED_HOSTS to reach it."
            )
        # The WSGI application refuses the development keys unless told this is the demo
        # (gridgov/core/keys_check.py); gunicorn's workers inherit the variable.
        os.environ[DEMO_ENV] = "1"
        # Threaded workers: the demo has no proxy in front, so browsers talk to gunicorn
        # directly (keep-alive, slow uploads).
        run_gunicorn(f"{options['host']}:{options['port']}", DEMO_WORKERS, threads=4)

    @staticmethod
    def summary(url: str, counts: dict) -> str:
        """The text printed after loading: where to go and how to sign in."""
        from gridgov.areas.models import Area

        names = dict(Area.objects.filter(
            code__in={row[3] for row in DEMO_USERS}).values_list("code", "name"))
        rule = "=" * 78
        lines = [
            "",
            rule,
            "GridGov 海曙区演示 · Haishu demo district",
            rule,
            f"地址 URL: {url}",
            f"区域 Areas: 17 个街道(镇乡) streets/towns, {counts['communities']} 个社区 "
            f"communities, {counts['villages']} 个村 villages, {counts['grids']} 个网格 grids "
            "(生成数据 generated, not survey data)",
            f"部门 Departments: {counts['departments']}",
            "",
            f"演示账号 Demo logins — 密码 password for all: {DEMO_PASSWORD}",
            f"  {_pad('用户名 username', 18)}{_pad('角色 role', 30)}区域 area",
        ]
        for username, _name, role, area_code, _dept, _phone in DEMO_USERS:
            label = f"{Role(role).label} {role}"
            area = f"{names.get(area_code, '')} {area_code}"
            lines.append(f"  {_pad(username, 18)}{_pad(label, 30)}{area}")
        lines += [
            "",
            "管理员须输入动态口令 The three administrators also need a TOTP code:",
        ]
        for username, secret in DEMO_TOTP_SECRETS.items():
            lines.append(f"  {username:<12} {secret}")
        lines += [
            "  取得当前口令 Get the current code with an authenticator app, or:",
            "  python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"",
            rule,
        ]
        return "\n".join(lines)
