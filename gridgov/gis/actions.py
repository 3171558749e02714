"""What departments do with their layers: create and describe a layer, upload its features
(replacing them all at once), publish it, and grant a conditional layer to another department
or a role. Each verb checks ``gis.publish`` for the owner department (its data officer or
department administrator; ``actor=None`` is the system loader), writes in one transaction and
records its audit entry there."""

import json
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record, snapshot
from gridgov.sharing import object_grants
from gridgov.sharing.checks import actor_user, choice, require_publisher, text
from gridgov.sharing.checks import validate_sharing as _validate_sharing

from .choices import GeometryType, SharingType, SourceCrs
from .models import Layer, LayerFeature, LayerGrant
from .permissions import PUBLISH
from .upload import ParsedUpload, read_upload

CODE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
LAYER_FIELDS = ("code", "name", "owner", "description", "geometry_type", "sharing_type",
                "sharing_condition", "legal_basis", "is_public", "is_published", "version",
                "feature_count")
EDITABLE = ("name", "description", "geometry_type", "sharing_type", "sharing_condition",
            "legal_basis", "is_public", "is_published")
BULK_SIZE = 2000


def require_owner(actor, owner):
    """The owner's publishers (``gis.publish`` held for the department), or the system."""
    return require_publisher(actor, owner, PUBLISH)


def _actor_department(actor):
    from gridgov.accounts.models import Department
    from gridgov.core.access import require

    scope = require(actor, PUBLISH, allow_system=False)
    if not scope.department_id or not scope.department_can(PUBLISH):
        raise ValidationError({"owner": _("只有部门的数据专员或部门管理员可以发布图层。")})
    return Department.objects.get(pk=scope.department_id)


def _clean(values: dict, layer=None) -> dict:
    """The layer's descriptive fields, checked together (sharing rules span three)."""
    current = {name: getattr(layer, name) for name in EDITABLE} if layer else {
        "description": "", "geometry_type": GeometryType.POINT,
        "sharing_type": SharingType.CONDITIONAL, "sharing_condition": "", "legal_basis": "",
        "is_public": False, "is_published": False}
    data = {**current, **{k: v for k, v in values.items() if k in EDITABLE}}
    data["name"] = text(data.get("name"), "name", max_length=100)
    data["description"] = text(data["description"], "description", required=False,
                               max_length=2000)
    choice(data["geometry_type"], GeometryType, "geometry_type")
    choice(data["sharing_type"], SharingType, "sharing_type")
    data["sharing_condition"] = text(data["sharing_condition"], "sharing_condition",
                                     required=False, max_length=1000)
    data["legal_basis"] = text(data["legal_basis"], "legal_basis", required=False,
                               max_length=1000)
    _validate_sharing(data["sharing_type"], data["sharing_condition"], data["legal_basis"])
    data["is_public"] = bool(data["is_public"])
    data["is_published"] = bool(data["is_published"])
    if data["is_public"] and data["sharing_type"] != SharingType.UNCONDITIONAL:
        raise ValidationError({"is_public": _("只有“无条件共享”的图层可以向社会开放。")})
    if layer is not None and layer.feature_count and data["geometry_type"] != \
            layer.geometry_type and data["geometry_type"] != GeometryType.MIXED:
        kinds = set(layer.features.values_list("geometry_type", flat=True).distinct())
        from .choices import ACCEPTED_TYPES

        if not kinds <= ACCEPTED_TYPES[data["geometry_type"]]:
            raise ValidationError({"geometry_type": _(
                "图层中已有其他类型的要素,请先上传相符的数据再修改几何类型。")})
    return data


def create_layer(*, actor, code, owner=None, **values) -> Layer:
    """A new layer of ``owner`` (the actor's department when not given), unpublished until
    its publisher says so (``is_published``)."""
    owner = owner if owner is not None else _actor_department(actor)
    require_owner(actor, owner)
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        raise ValidationError({"code": _(
            "编码只能含小写字母、数字和连字符(不以连字符开头或结尾),最长 40 个字符。")})
    data = _clean(values)
    with transaction.atomic():
        if Layer.objects.filter(code=code).exists():
            raise ValidationError({"code": _("编码 %(code)s 已被使用。") % {"code": code}})
        layer = Layer.objects.create(code=code, owner=owner, created_by=actor_user(actor),
                                     **data)
        record("gis.create_layer", actor=actor, obj=layer,
               after=snapshot(layer, LAYER_FIELDS), new_chain=True)
    return layer


def update_layer(layer, *, actor, **values) -> Layer:
    """Change the layer's description, sharing class or publication."""
    require_owner(actor, layer.owner)
    data = _clean(values, layer)
    with transaction.atomic():
        layer = Layer.objects.select_for_update().get(pk=layer.pk)
        before = snapshot(layer, LAYER_FIELDS)
        for name, value in data.items():
            setattr(layer, name, value)
        if data["is_published"] and not layer.feature_count:
            raise ValidationError({"is_published": _("图层还没有要素,请先上传数据再发布。")})
        layer.save()
        after = snapshot(layer, LAYER_FIELDS)
        if after != before:
            record("gis.update_layer", actor=actor, obj=layer, before=before, after=after)
    return layer


def upload_features(layer, *, actor, name: str, data: bytes,
                    declared_crs: str = SourceCrs.WGS84) -> Layer:
    """Replace all of the layer's features with those of an uploaded file (GeoJSON or a
    zipped Shapefile, see ``upload``): the file is read and checked first, then the old
    features go and the new ones come in one transaction, so a reader sees the old layer or
    the new one, never a mix; the version goes up by one."""
    require_owner(actor, layer.owner)
    choice(declared_crs or SourceCrs.WGS84, SourceCrs, "declared_crs")
    parsed = read_upload(name, data, layer.geometry_type, declared_crs or SourceCrs.WGS84)
    return replace_features(layer, parsed, actor=actor, filename=name)


def replace_features(layer, parsed: ParsedUpload, *, actor, filename: str) -> Layer:
    now = timezone.now()
    with transaction.atomic():
        layer = Layer.objects.select_for_update().get(pk=layer.pk)
        before = snapshot(layer, LAYER_FIELDS)
        LayerFeature.objects.filter(layer=layer).delete()
        rows = [
            LayerFeature(layer=layer, number=f.number,
                         geometry=json.dumps(f.geometry, ensure_ascii=False,
                                             separators=(",", ":")),
                         geometry_type=f.geometry["type"], properties=f.properties,
                         minx=f.bounds[0], miny=f.bounds[1], maxx=f.bounds[2],
                         maxy=f.bounds[3], updated_at=now)
            for f in parsed.features
        ]
        LayerFeature.objects.bulk_create(rows, batch_size=BULK_SIZE)
        layer.min_lng, layer.min_lat, layer.max_lng, layer.max_lat = parsed.bounds
        layer.feature_count = len(rows)
        layer.version += 1
        layer.source_filename = (filename or "")[:200]
        layer.source_crs = parsed.source_crs[:100]
        layer.save()
        record("gis.upload_features", actor=actor, obj=layer, before=before,
               after=snapshot(layer, LAYER_FIELDS),
               remark=_("%(file)s:%(n)d 个要素,坐标系 %(crs)s") % {
                   "file": layer.source_filename, "n": len(rows), "crs": layer.source_crs})
    return layer


def grant_layers(*, actor, owner, reason, layer=None, department=None, role="") -> LayerGrant:
    """Grant ``owner``'s conditional ``layer`` (or all its conditional layers, now and later,
    when ``layer`` is None) to ``department`` or to the holders of ``role`` (exactly one of
    the two). The same active grant again returns it unchanged."""
    require_owner(actor, owner)
    reason = text(reason, "reason", max_length=200)
    role = object_grants.check_grantee(owner, department, role,
                                       own_message=_("本部门的图层无需授权给本部门。"))
    if layer is not None:
        if layer.owner_id != owner.pk:
            raise ValidationError({"layer": _("只能授权本部门的图层。")})
        if layer.sharing_type != SharingType.CONDITIONAL:
            raise ValidationError({"layer": _(
                "只有“有条件共享”的图层需要授权(无条件共享的人人可用,不予共享的不能授权)。")})
    return object_grants.give(LayerGrant, actor=actor, user=actor_user(actor), owner=owner,
                              reason=reason, target=layer, department=department, role=role,
                              audit_action="gis.grant")


def revoke_layer_grant(grant, *, actor, reason) -> LayerGrant:
    """Revoke a grant at once (reason required): the grantee loses the layers on its next
    request."""
    require_owner(actor, grant.owner)
    reason = text(reason, "reason", max_length=200)
    return object_grants.revoke(grant, actor=actor, user=actor_user(actor), reason=reason,
                                audit_action="gis.revoke_grant")
