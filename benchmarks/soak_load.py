"""The soak test's mixed load: what each client thread does, and what it must find at the end.

Every client thread repeats, until the time is up, one step drawn at random by weight:

- intake: a report through the REST API with the department's key (部门移交), or an Open311
  ``POST requests.json`` with the same key;
- workflow: one step of one open case reported by the soak, by the person whose step it is
  (clerk registers, shift leader files, dispatcher dispatches to 区综合行政执法局, its handler
  claims and completes, the grid chief verifies and so closes), each with the case's version;
- lists: event list API (first page, ``state=closed``, a deep offset), people list page and
  search, command room queues, the department's list;
- dashboards: home pages of leader, dispatcher and handler, the statistics page;
- exchange: CKAN ``package_search`` (anonymous and with the key), ``datastore_search`` and the
  exchange API's rows of the granted resource.

Client 0 also submits an audit-chain verification (a background job, 审计链校验) through its
page every ``--verify-every`` seconds. Every acknowledged write is written down in the
``Ledger`` for the end checks (``soak_check``).
"""

import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from soak_http import Client, Stats, User

DESCRIPTIONS = ["人行道上堆放建筑垃圾", "小区门口垃圾桶满溢", "路灯不亮,夜间行人不便",
                "窨井盖松动,车辆经过有响声", "共享单车乱停放占用盲道", "绿化带内有人私自种菜",
                "沿街商铺占道经营", "楼道内堆放杂物存在消防隐患"]

# The next step of a case by its state: (action, the user who takes it, its fields).
NEXT_STEP = {
    "reported": ("register", "clerk_gulou", {"remark": "受理"}),
    "registered": ("file", "shift_gulou", {"remark": "立案"}),
    "filed": ("dispatch", "dispatch_gulou", {"department": "D034", "remark": "请及时处置"}),
    "dispatched": ("claim", "handler_zhifa", {"remark": "已签收"}),
    "in_progress": ("complete", "handler_zhifa", {"remark": "已处置完毕"}),
    "completed": ("verify", "gc_gulou", {"passed": "true", "remark": "核查通过"}),
    "held": ("release_held", "clerk_gulou", {"approve": True, "remark": "内容无害"}),
}
FINAL_STATES = {"closed", "not_filed", "void", "merged"}

# Steps whose evidence rule asks for a photo of the result (events.evidence: physical
# problems, as the soak's class 私搭乱建 is): sent multipart with a small JPEG.
PHOTO_STEPS = {"complete", "verify"}

# (kind, weight); workflow outweighs intake so the cases keep moving to the end.
MIX = [("intake.api", 3), ("intake.open311", 1), ("workflow", 6), ("list", 5),
       ("dashboard", 3), ("exchange", 2)]


@dataclass
class Ledger:
    """What the servers acknowledged, for the end checks; and the cases still moving."""

    # Reports answered 201 (API) or 200 (Open311): (kind, event id or None, number).
    reports: list = field(default_factory=list)
    transitions: list = field(default_factory=list)  # (event id, action)
    jobs: list = field(default_factory=list)  # background job uids
    open_cases: deque = field(default_factory=deque)  # (event id, state, version)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, item) -> None:
        with self.lock:
            getattr(self, name).append(item)


@dataclass
class Fixture:
    """What the clients need to know: ports, users, the key, points, ids."""

    ports: list
    users: dict
    api_key: str
    category: str
    points: list
    resource_code: str
    ckan_resource_id: str
    photo: bytes


class Worker(threading.Thread):
    """One client thread: a weighted random step until ``stop`` is set."""

    def __init__(self, number: int, fixture: Fixture, stats: Stats, ledger: Ledger,
                 stop: threading.Event, verify_every: float):
        super().__init__(name=f"soak-client-{number}", daemon=True)
        self.number = number
        self.fx = fixture
        self.stats = stats
        self.ledger = ledger
        self.stop_event = stop
        self.verify_every = verify_every
        self.random = random.Random(number)
        # Clients spread evenly over the servers; each fails over to the other.
        self.client = Client(fixture.ports, number % len(fixture.ports), stats)
        self.key_headers = {"Authorization": f"Api-Key {fixture.api_key}"}

    def run(self) -> None:
        kinds, weights = zip(*MIX, strict=True)
        next_verify = time.monotonic() + 20
        try:
            while not self.stop_event.is_set():
                if self.number == 0 and self.verify_every and time.monotonic() >= next_verify:
                    next_verify = time.monotonic() + self.verify_every
                    self.submit_verify()
                    continue
                kind = self.random.choices(kinds, weights)[0]
                getattr(self, kind.replace(".", "_"))()
        finally:
            self.client.close()

    # --- helpers -------------------------------------------------------------------------------

    def user(self, name: str) -> User:
        return self.fx.users[name]

    def get(self, kind: str, path: str, *, user: str | None = None, key: bool = False,
            expect: int = 200):
        answer = self.client.request("GET", path, user=self.user(user) if user else None,
                                     headers=self.key_headers if key else None)
        self.stats.record(kind, answer, answer.status == expect)
        return answer

    def point(self):
        return self.random.choice(self.fx.points)

    # --- intake --------------------------------------------------------------------------------

    def intake_api(self) -> None:
        lng, lat = self.point()
        body = {"description": f"{self.random.choice(DESCRIPTIONS)}(soak {uuid.uuid4().hex[:8]})",
                "lng": lng, "lat": lat, "category": self.fx.category}
        answer = self.client.request("POST", "/api/v1/events/report/", body=body,
                                     headers=self.key_headers)
        ok = answer.status == 201
        self.stats.record("intake.api", answer, ok)
        if ok:
            data = answer.json()
            self.ledger.add("reports", ("api", data["id"], data.get("number", "")))
            # The intake answer has no version: the first step goes without one.
            self.ledger.add("open_cases", (data["id"], data["state"], data.get("version")))

    def intake_open311(self) -> None:
        lng, lat = self.point()
        form = {"api_key": self.fx.api_key, "service_code": self.fx.category,
                "lat": f"{lat:.6f}", "long": f"{lng:.6f}",
                "description": f"{self.random.choice(DESCRIPTIONS)}(open311 soak)",
                "token": uuid.uuid4().hex}
        answer = self.client.request("POST", "/open311/v2/requests.json", form=form)
        ok = answer.status == 200  # GeoReport v2 answers a created request with 200
        self.stats.record("intake.open311", answer, ok)
        if ok:
            row = answer.json()[0]
            self.ledger.add("reports", ("open311", None,
                                        row.get("service_request_id") or f"token:{form['token']}"))

    # --- workflow ------------------------------------------------------------------------------

    def workflow(self) -> None:
        with self.ledger.lock:
            case = self.ledger.open_cases.popleft() if self.ledger.open_cases else None
        if case is None:
            self.intake_api()
            return
        event_id, state, version = case
        if state not in NEXT_STEP:
            return  # a state the soak does not drive (suspended ...): left alone
        action, username, fields = NEXT_STEP[state]
        answer = self.step(event_id, action, username, fields, version)
        if answer.status == 409:
            # The case's version moved without its state (a deadline alert of the scan, a
            # supervision note): as docs/api.md says, take the current version the 409 answer
            # carries and try again.
            current = answer.json()
            if current.get("state") == state:
                self.stats.conflict(f"workflow.{action}")
                retry = self.step(event_id, action, username, fields, current.get("version"))
                retry.seconds += answer.seconds
                answer = retry
        ok = answer.status == 200
        self.stats.record(f"workflow.{action}", answer, ok)
        if not ok:
            return  # an error, listed; the case is not driven further
        data = answer.json()
        self.ledger.add("transitions", (event_id, action))
        if data["state"] not in FINAL_STATES:
            self.ledger.add("open_cases", (event_id, data["state"], data["version"]))

    def step(self, event_id, action, username, fields, version):
        """POST one workflow action as ``username`` (multipart with a photo when the step's
        evidence rule asks for one)."""
        body = {**fields, **({"version": version} if version else {})}
        path = f"/api/v1/events/{event_id}/{action}/"
        if action in PHOTO_STEPS:
            return self.client.request(
                "POST", path, user=self.user(username), form=body,
                files={"attachments": ("result.jpg", "image/jpeg", self.fx.photo)})
        return self.client.request("POST", path, user=self.user(username), body=body)

    # --- reads ---------------------------------------------------------------------------------

    def list(self) -> None:
        choice = self.random.randrange(8)
        if choice == 0:
            self.get("list.events_api", "/api/v1/events/?limit=50", user="dispatch_gulou")
        elif choice == 1:
            self.get("list.events_api_closed", "/api/v1/events/?state=closed&limit=50",
                     user="leader_district")
        elif choice == 2:
            self.get("list.events_api_deep", "/api/v1/events/?limit=50&offset=5000",
                     user="leader_district")
        elif choice == 3:
            self.get("list.people", "/basedata/people/", user="gc_gulou")
        elif choice == 4:
            self.get("list.people_search", "/basedata/people/?q=%E7%8E%8B", user="gc_gulou")
        elif choice == 5:
            self.get("list.command_to_dispatch", "/events/command/?queue=to_dispatch",
                     user="dispatch_gulou")
        elif choice == 6:
            self.get("list.command_new", "/events/command/?queue=new", user="clerk_gulou")
        else:
            self.get("list.department", "/events/department/", user="handler_zhifa")

    def dashboard(self) -> None:
        choice = self.random.randrange(5)
        if choice == 4:
            self.get("dashboard.stats", "/stats/", user="leader_district")
            return
        username = ("leader_gulou", "leader_district", "dispatch_gulou", "handler_zhifa")[choice]
        self.get(f"dashboard.home_{username.split('_')[0]}", "/", user=username)

    def exchange(self) -> None:
        choice = self.random.randrange(4)
        if choice == 0:
            self.get("exchange.ckan_search_anon", "/api/3/action/package_search?rows=20")
        elif choice == 1:
            self.get("exchange.ckan_search_key",
                     "/api/3/action/package_search?rows=100&include_private=true", key=True)
        elif choice == 2:
            self.get("exchange.ckan_datastore",
                     f"/api/3/action/datastore_search?resource_id={self.fx.ckan_resource_id}"
                     "&limit=50", key=True)
        else:
            self.get("exchange.rows_api",
                     f"/api/v1/exchange/resources/{self.fx.resource_code}/rows/?limit=100",
                     key=True)

    # --- background job ------------------------------------------------------------------------

    def submit_verify(self) -> None:
        """审计链校验 through its page: POST, then the job's page it redirects to."""
        user = self.user("auditadmin")
        self.client.request("GET", "/audit/verify/", user=user)
        answer = self.client.request("POST", "/audit/verify/", user=user, form={})
        location = answer.headers.get("Location", "")
        ok = answer.status == 302 and "job=" in location
        self.stats.record("background.audit_verify_submit", answer, ok)
        if ok:
            uid = location.split("job=", 1)[1].split("&", 1)[0]
            self.ledger.add("jobs", uid)
            self.get("background.audit_verify_page", f"/audit/verify/?job={uid}",
                     user="auditadmin")
