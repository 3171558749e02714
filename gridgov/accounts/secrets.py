"""Bearer secrets (API keys, device tokens): generated here, stored only as a SHA-256."""

import secrets as pysecrets

PREFIX_LENGTH = 12


def new_secret(marker: str, model) -> tuple[str, str]:
    """A fresh random secret starting with ``marker`` and its display prefix, unique among
    ``model``'s ``prefix`` column (the prefix names a key in lists; the secret is shown once).
    """
    for _attempt in range(5):
        raw = marker + pysecrets.token_urlsafe(32)
        prefix = raw[:PREFIX_LENGTH]
        if not model.objects.filter(prefix=prefix).exists():
            return raw, prefix
    # 2^48 prefixes: five collisions in a row do not happen.
    raise RuntimeError(f"no free prefix for {model.__name__}")  # pragma: no cover
