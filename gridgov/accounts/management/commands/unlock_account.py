"""``gridgov unlock_account <username>``: lift a lock-out from the server's console.

For the day the only security administrator has locked themselves out: the operator of the
server unlocks the name (audited as "system"), as the security administrator would.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts import actions


class Command(BaseCommand):
    help = "解除账号锁定。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            actions.unlock_account(username, actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"已解除 {username} 的锁定。"))
