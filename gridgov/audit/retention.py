"""The retention floor: audit records are kept at least 180 days (Cybersecurity Law art. 21).

Kept free of model imports so that settings-level code can use it too.
"""

from django.core.exceptions import ImproperlyConfigured

MIN_RETENTION_DAYS = 180


def validate_retention_days(days) -> int:
    """Return ``days`` as an int, or raise ``ImproperlyConfigured`` below the legal floor."""
    try:
        value = int(days)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS must be a whole number, got {days!r}")
    if value < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS must be at least {MIN_RETENTION_DAYS} "
            f"(Cybersecurity Law art. 21), got {value}"
        )
    return value
