"""Sign-ins, sign-outs and failed sign-ins go to the audit log; failures feed the lock-out."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from gridgov.audit.recorder import record
from gridgov.core.context import current_client_ip

from . import lockout


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    with transaction.atomic():
        record("accounts.login", actor=user, obj=user)
        # A successful sign-in ends the run of failures for this name.
        lockout.clear_failures(user.get_username())


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    with transaction.atomic():
        record("accounts.logout", actor=user, obj=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = lockout.normalise(credentials.get("username", ""))
    with transaction.atomic():
        record(
            "accounts.login_failed",
            object_type=lockout.LOGIN_OBJECT_TYPE,
            object_id=username,
            object_repr=username,
            remark="wrong user name or password",
        )
        # Counted after the record so the lock event follows the failure in the chain.
        lockout.register_failure(username, current_client_ip())


def record_refused_locked(username, until):
    """A sign-in attempt on a locked name: refused before the password is checked."""
    with transaction.atomic():
        record(
            "accounts.login_refused",
            object_type=lockout.LOGIN_OBJECT_TYPE,
            object_id=username,
            object_repr=username,
            remark=f"account locked until {until.isoformat()}",
        )
