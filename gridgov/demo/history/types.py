"""What a generated case is drawn from (``Context``, read once by ``write.context``) and what
``plan.simulate`` returns (``Case`` with its ``Step``s)."""

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Category:
    """What a case needs of its minor class."""

    id: int
    code: str
    name: str
    urgency: str
    dispatch_urgent: int
    dispatch_normal: int
    handle_amount: int
    handle_unit: str
    verify_urban: int
    verify_rural: int
    department_id: int | None


@dataclass
class Grid:
    """A grid, the name of its community or village, a few fixed points inside it."""

    id: int
    code: str
    place: str
    points: list


@dataclass
class Street:
    """A street, town or township: city or rural, its grids, its office, its share."""

    code: str
    name: str
    rural: bool
    grids: list
    office_id: int | None
    weight: float


@dataclass
class Context:
    """Everything a case is drawn from (read once by ``history.write.context``)."""

    streets: list
    categories: dict
    zhifa_id: int | None
    departments: list
    users: dict  # user name -> (id, role)
    grid_workers: dict  # grid id -> the demo grid worker's user name
    slugs: dict  # street code -> the suffix of its demo users' names
    days: list
    day_weights: list
    street_weights: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    now: dt.datetime = None


@dataclass
class Step:
    """One step of a case: what an action would have traced, at the time it happened."""

    action: str
    from_state: str
    to_state: str
    at: dt.datetime
    actor: str | None
    role: str
    department_id: int | None
    stage_deadline: dt.datetime | None
    changes: dict
    remark: str


@dataclass
class Case:
    """A generated case: the event's columns, its steps and its requests."""

    index: int
    event: dict
    steps: list
    requests: list
