"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from gridgov.audit.recorder import record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    with transaction.atomic():
        record("accounts.login", actor=user, obj=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    with transaction.atomic():
        record("accounts.logout", actor=user, obj=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        record(
            "accounts.login_failed",
            object_type="accounts.login",
            object_id=username,
            object_repr=username,
            remark="wrong user name or password",
        )
