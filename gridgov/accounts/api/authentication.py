"""API-key authentication for department clients (``Authorization: Api-Key <key>``).

``authenticate_key`` is the one lookup of a raw key: the REST API's authentication class and
the protocol adapters (CKAN, Open311, ``gridgov.protocols``) all resolve keys through it, so
revocation, inactive departments and ``last_used_at`` behave the same on every channel.
"""

import hashlib

from django.utils import timezone
from rest_framework import authentication, exceptions

from gridgov.accounts.models import ApiKey
from gridgov.accounts.scope import scope_from
from gridgov.core.access import Scope

HEADER_PREFIX = "api-key"
API_CLIENT_ROLE = "api_client"
KEY_FIELDS = (
    "id", "department_id", "name", "prefix", "revoked_at", "last_used_at",
    "department__id", "department__code", "department__name", "department__short_name",
    "department__kind", "department__is_active", "department__area_id",
    "department__area__id", "department__area__code", "department__area__name",
    "department__area__level", "department__area__kind", "department__area__parent_id",
)


def hash_key(raw: str) -> str:
    """Keys are long random strings, so a plain SHA-256 is a sound one-way lookup hash."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiClient:
    """The principal of a request signed with a department API key."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key):
        self.api_key = api_key
        self.department = api_key.department
        self.department_id = api_key.department_id

    @property
    def audit_name(self):
        return f"api:{self.api_key.prefix}"

    def get_username(self):
        return self.audit_name

    def __str__(self):
        return f"{self.department} (API {self.api_key.prefix})"

    def build_scope(self) -> Scope:
        # Keys hold the "api_client" role over their department's area: what they may do
        # is that role's row of the permission table.
        return scope_from(user_id=None, role_areas=((API_CLIENT_ROLE, self.department.area.code),),
                          department_id=self.department_id, is_api_client=True,
                          principal=self)


def key_from_request(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[: len(HEADER_PREFIX) + 1].lower() == HEADER_PREFIX + " ":
        return header[len(HEADER_PREFIX) + 1 :].strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


def authenticate_key(raw: str) -> ApiClient | None:
    """The ``ApiClient`` of a live key; ``None`` for an unknown or revoked key, or a key of an
    inactive department. Touches the key's ``last_used_at`` at most once a minute."""
    if not raw:
        return None
    key = (
        ApiKey.objects.select_related("department__area")
        # Only what a request reads: the area's outline is large JSON, and decoding it
        # (with the other columns) cost more CPU than the rest of authentication.
        .only(*KEY_FIELDS)
        .filter(key_hash=hash_key(raw), revoked_at__isnull=True)
        .first()
    )
    if key is None or not key.department.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy client must not turn every read into a write.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return ApiClient(key)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Resolve a department API key to an ``ApiClient``; revoked or unknown keys get 401."""

    def authenticate(self, request):
        raw = key_from_request(request)
        if not raw:
            return None
        client = authenticate_key(raw)
        if client is None:
            raise exceptions.AuthenticationFailed("API key is unknown or revoked.")
        return client, client.api_key

    def authenticate_header(self, request):
        return "Api-Key"
