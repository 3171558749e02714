"""``gridgov create_admin``: the first administrators of a new installation.

A fresh database has nobody who could create users (system administrator) or assign roles
(security administrator). This command, run by whoever operates the server, creates one
administrator of each of the three separated roles as needed, through the same actions and
rules as the pages (audited as "system").
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gridgov.accounts import actions
from gridgov.accounts.choices import ADMIN_ROLES
from gridgov.areas.models import Area


class Command(BaseCommand):
    help = "创建一名管理员(系统管理员、安全管理员或审计管理员)。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ADMIN_ROLES))
        parser.add_argument("--real-name", required=True)
        parser.add_argument("--area", required=True,
                            help="the district's area code, e.g. 330203")
        parser.add_argument("--phone", default="")
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from standard input instead of a prompt")

    def read_password(self, options) -> str:
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("密码: ")
        if first != getpass.getpass("再次输入密码: "):
            raise CommandError("两次输入的密码不一致。")
        return first

    def handle(self, *args, **options):
        area = Area.objects.filter(code=options["area"]).first()
        if area is None:
            raise CommandError(f"没有编码为 {options['area']} 的区域。")
        password = self.read_password(options)
        try:
            with transaction.atomic():
                user = actions.create_user(
                    username=options["username"], real_name=options["real_name"],
                    password=password, phone=options["phone"], actor=None,
                )
                actions.assign_role(user, options["role"], area, actor=None)
        except ValidationError as exc:
            raise CommandError("; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )) from None
        self.stdout.write(self.style.SUCCESS(
            f"已创建 {user.username}({options['role']});首次登录时须绑定动态口令。"))
