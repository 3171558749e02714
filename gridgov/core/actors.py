"""Who did it, as a foreign key can hold it.

An action's ``actor`` is a signed-in user, a department's API client, a device or ``None``
(the system loader); the audit record names each of them, but a row's ``created_by``-style
column points at users only.
"""


def acting_user(actor):
    """``actor`` when it is a user account, else ``None`` (API client, device, system)."""
    from gridgov.accounts.models import User

    return actor if isinstance(actor, User) else None
