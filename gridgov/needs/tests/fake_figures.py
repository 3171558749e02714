"""Stand-in figures functions with known answers (for the assessment indicators' tests)."""

CALLS = []


def meetings_by_area(user, parent, start, end):
    CALLS.append(("meetings", parent, start, end))
    return {parent + "001": {"required": 10, "held_on_time": 8, "overdue_orgs": 1},
            parent + "002": {"required": 0, "held_on_time": 0, "overdue_orgs": 0}}


def contacts_by_area(user, parent, start, end):
    CALLS.append(("contacts", parent, start, end))
    return {parent + "001": {"households": 200, "linked": 50, "contacts": 9,
                             "volunteer_hours": 12.5}}
