"""Optimistic concurrency shared by the actions: an edit names the version it read.

An action that takes ``expected_version`` raises :class:`StaleVersion` when the stored row has
moved on; the pages show the message and the API answers 409 with ``current`` (the row as it
is now), so the editor sees what changed before trying again.
"""

from django.utils.translation import gettext as _


class StaleVersion(Exception):
    """The record changed since the client read it (``expected_version`` is behind)."""

    def __init__(self, current):
        super().__init__(_("该记录已被他人修改,请刷新后重试。"))
        self.current = current
