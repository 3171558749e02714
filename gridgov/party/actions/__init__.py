"""Verbs of party building: organisations and their terms (换届), posts, members, transfers
(组织关系转接), check-ins (双报到), status changes and the term reminders.

Each checks its permission (``party.manage``) and that the actor holds it where the record is
(outside: 404, like a missing record), validates, writes and audits in one transaction.
``actor=None`` is the system (the demo loader, the periodic reminder, a basic-data signal).
"""

from .bulk import import_tree
from .common import MAX_TERM_YEARS, TERM_REMINDER_DAYS, StaleVersion, add_years
from .members import (
    CHECK_IN_KINDS,
    accept_transfer,
    add_member,
    cancel_transfer,
    change_member_status,
    check_in,
    check_out,
    member_state,
    record_death,
    reject_transfer,
    request_transfer,
    transfer_state,
    update_member,
)
from .orgs import (
    appoint,
    due_for_reminder,
    end_post,
    org_state,
    post_state,
    save_organisation,
    secretaries_of,
    send_term_reminders,
    set_term,
)

__all__ = [
    "CHECK_IN_KINDS", "MAX_TERM_YEARS", "TERM_REMINDER_DAYS", "StaleVersion",
    "accept_transfer", "add_member", "add_years", "appoint", "cancel_transfer",
    "change_member_status", "check_in", "check_out", "due_for_reminder", "end_post",
    "import_tree", "member_state", "org_state", "post_state", "record_death",
    "reject_transfer", "request_transfer", "save_organisation", "secretaries_of",
    "send_term_reminders", "set_term", "transfer_state", "update_member",
]
