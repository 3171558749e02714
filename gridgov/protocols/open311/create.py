"""POST requests: a resident's report through a department's Open311 client.

What the spec leaves to the server, decided here (docs/open311.md):

- Location: ``lat`` & ``long`` (both), or ``address_string``, or ``address_id``
  (``gridgov.basedata.geocode``: the district's houses and organisations, else the named
  community or street). Coordinates win when sent. How the point was found is in the answer
  (``location_source``, ``location_label``) and, when it was not sent, in ``service_notice``.
  An address that matches nothing is a 400 on ``address_string``.
- ``description`` is optional (the spec); an event needs a text, so an empty one becomes the
  service's name (``暴露垃圾``). Up to 4,000 characters (the spec's limit).
- The answer carries ``service_request_id`` or ``token``, never both (the spec): the id when
  the event is taken in, the token when it is held for content review (it has no public id
  until a reviewer releases it; ``tokens/{token}`` gives the id then).
- Media: ``media`` files in a multipart POST (photos, audio, video), checked like every
  intake upload (type from the bytes, sizes, count; a photo's public copy without metadata).
  A ``media_url`` sent by the client is not fetched (the server never fetches URLs a client
  names) and is ignored.
"""

import hashlib
import math
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.basedata import geocode
from gridgov.core.access import require
from gridgov.events.actions import intake
from gridgov.events.choices import Nature
from gridgov.protocols.common import ProtocolError, event_services, key_client

from .formats import render
from .params import param

# ``location_source`` when the client sent coordinates.
FROM_COORDINATES = "coordinates"
LOCATION_NOTICES = {
    "address_id": gettext_lazy("位置按 address_id 定位:%(label)s。"),
    "organisation": gettext_lazy("位置按单位名称定位:%(label)s。"),
    "house": gettext_lazy("位置按房屋地址定位:%(label)s。"),
    "address": gettext_lazy("位置按门牌地址定位:%(label)s。"),
    "community": gettext_lazy("未匹配到门牌,位置定位到社区:%(label)s。"),
    "street": gettext_lazy("未匹配到门牌,位置定位到街道(乡镇):%(label)s。"),
}


def api_client(data):
    """The department client of ``api_key``, which must hold ``protocols.open311_report``."""
    raw = param(data, "api_key")
    if not raw:
        raise ProtocolError(403, _("缺少 api_key。"))
    client = key_client(raw, message=_("api_key 无效或已吊销。"))
    require(client, "protocols.open311_report", message=_("无权上报。"))
    return client


def _coordinate(data, name, low, high):
    raw = param(data, name)
    try:
        value = float(raw)
    except ValueError:
        raise ProtocolError(
            400, _("%(name)s 必须是数字(WGS-84 十进制度)。") % {"name": name}) from None
    if not (math.isfinite(value) and low <= value <= high):
        raise ProtocolError(400, _("%(name)s 超出范围。") % {"name": name})
    return value


def token_for(data, client) -> str:
    """The client's token, or one derived from its device and the request's content."""
    token = param(data, "token")
    if token:
        if len(token) > 80:
            raise ProtocolError(400, _("token 不能超过 80 个字符。"))
        return token
    device = param(data, "device_id")
    if device:
        parts = [client.api_key.prefix, device, param(data, "service_code"),
                 param(data, "lat"), param(data, "long"), param(data, "description")]
        if not (param(data, "lat") or param(data, "long")):
            # An address-only request: the address tells two reports apart. (Appended only
            # here, so the tokens of requests with coordinates stay what they always were.)
            parts += [param(data, "address_string"), param(data, "address_id")]
        material = "\x1f".join(parts)
        return "d-" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]
    return "r-" + secrets.token_hex(20)


def locate(data) -> tuple[float, float, str, str]:
    """(lng, lat, location_source, label) of the request, or ``ProtocolError(400)``."""
    lat_raw, long_raw = param(data, "lat"), param(data, "long")
    if lat_raw or long_raw:
        # The spec: lat and long are sent together.
        missing = [n for n, v in (("lat", lat_raw), ("long", long_raw)) if not v]
        if missing:
            raise ProtocolError(400, _("lat 与 long 须同时提供,缺少 %(name)s。")
                                % {"name": missing[0]})
        return (_coordinate(data, "long", -180, 180), _coordinate(data, "lat", -90, 90),
                FROM_COORDINATES, "")
    text, address_id = param(data, "address_string"), param(data, "address_id")
    if not text and not address_id:
        raise ProtocolError(400, _(
            "缺少位置:须提供 lat 与 long,或 address_string,或 address_id。"))
    found = geocode.locate(text[:400], address_id[:64])
    if found is None:
        field = "address_string" if text else "address_id"
        raise ProtocolError(400, _(
            "%(name)s: 在本区的房屋、单位、社区和街道中都找不到这个位置,请提供 lat 与 long。")
            % {"name": field})
    return found.lng, found.lat, found.source, found.label


def _intake_errors(exc: ValidationError) -> ProtocolError:
    """Intake's errors by field, with the upload field under its Open311 name (``media``)."""
    if not hasattr(exc, "error_dict"):
        return ProtocolError(400, *exc.messages)
    fields = {("media" if field == "attachments" else field): messages
              for field, messages in exc.message_dict.items()}
    return ProtocolError(400, *exc.messages, fields=fields)


def create_request(request, fmt):
    """POST requests: validate, locate, take in through ``intake.record_open311``."""
    data = request.POST
    client = api_client(data)
    code = param(data, "service_code")
    if not code:
        raise ProtocolError(400, _("缺少必填参数 %(name)s。") % {"name": "service_code"})
    category = event_services().filter(code=code).first()
    if category is None:
        raise ProtocolError(400, _("没有编码为 %(code)s 的服务。") % {"code": code})
    lng, lat, source, label = locate(data)
    nature = param(data, "attribute[nature]") or Nature.REQUEST
    if nature not in Nature.values:
        raise ProtocolError(400, _("attribute[nature] 的取值无效。"))
    description = param(data, "description") or category.name
    if len(description) > intake.OPEN311_DESCRIPTION_MAX:
        raise ProtocolError(400, _("description: 不能超过 %(n)d 个字符(当前 %(len)d)。")
                            % {"n": intake.OPEN311_DESCRIPTION_MAX, "len": len(description)})
    token = token_for(data, client)
    address = param(data, "address_string")
    detail = param(data, "attribute[location_detail]")
    if detail:
        address = f"{address} {detail}".strip()
    name = " ".join(filter(None, [param(data, "last_name"), param(data, "first_name")]))
    try:
        result = intake.record_open311(
            actor=client, token=token, description=description, lng=lng, lat=lat,
            category=category, nature=nature, address=address[:200], reporter_name=name[:50],
            reporter_phone=param(data, "phone"), uploads=request.FILES.getlist("media"),
        )
    except intake.IdempotencyMismatch as exc:
        raise ProtocolError(400, str(exc)) from None
    except ValidationError as exc:
        raise _intake_errors(exc) from None
    notices = []
    if result.held:
        notices.append(_("内容需人工审核后公开。"))
    if source != FROM_COORDINATES:
        notices.append(LOCATION_NOTICES[source] % {"label": label})
    # The spec: the id, or a token when the request has no id yet; never both.
    row = {"token": token} if result.held else {"service_request_id": str(result.event.number)}
    row.update({
        "service_notice": " ".join(str(n) for n in notices),
        "account_id": param(data, "account_id") or None,
        # Extensions: how the point was found, and where it is.
        "location_source": source,
        "location_label": label,
    })
    return render(fmt, "service_requests", [row])
