"""Basic data collected once by the grids and shared: people, buildings and houses,
organisations and city components (部件), with their tags, change history and per-field
provenance.

Every record belongs to one grid (``grid`` FK, and ``area_code`` copied from it so scope is one
indexed prefix test). ID numbers and phones are stored only encrypted (``*_enc``, AES-GCM,
``gridgov.core.personal_data``), with a keyed hash for exact lookup and a mask for display;
the plain value never reaches a column.
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from gridgov.core import personal_data
from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from .choices import (
    COMPONENT_CLASSES,
    ComponentState,
    HouseUse,
    OrgType,
    PersonStatus,
    RegistrationType,
    Relation,
    RentalStatus,
    Sensitivity,
    Sex,
    Source,
    TagKind,
)
from .permissions import CHANGE as CHANGE_PERMISSION
from .permissions import REVEAL, VIEW_OBJECTS, VIEW_PEOPLE


def _scoped_q(scope, action, view_permission):
    """The areas where the principal holds the permission (``basedata.change`` to write):
    a grid worker's own grid, a grid chief's community, a data officer's district. Roles
    without it (the administrators, API clients: the exchange API of the data resource
    centre is the way departments' systems read) get nothing here."""
    return scope.area_q("area_code", CHANGE_PERMISSION if action == CHANGE else view_permission)


class Collected(models.Model):
    """Fields every collected record has: its grid, who collected and changed it, the source,
    and which collector or department supplied each field (``provenance``)."""

    grid = models.ForeignKey("areas.Area", verbose_name=_("所属网格"), on_delete=models.PROTECT,
                             related_name="+", limit_choices_to={"level": "grid"})
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True, editable=False)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices,
                              default=Source.GRID_WORKER)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("采集人"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # field → {"by": name, "department": name, "source": ..., "at": iso time}; the key "*"
    # stands for every field not listed by name (a bulk import stamps the whole row once).
    provenance = models.JSONField(_("字段来源"), default=dict, blank=True)
    created_at = models.DateTimeField(_("采集时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.grid_id and not self.area_code:
            self.area_code = self.grid.code
        super().save(*args, **kwargs)

    def field_source(self, name: str) -> dict | None:
        """Who supplied a field: {"by", "department", "source", "at"} or None."""
        prov = self.provenance or {}
        return prov.get(name) or prov.get("*")


class Versioned(models.Model):
    """Optimistic concurrency: ``version`` goes up by one on every save of a stored record,
    so a client that read version n and sends ``expected_version=n`` learns (409) when
    somebody changed the record meanwhile (``basedata.actions.common.check_version``)."""

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            self.version = (self.version or 0) + 1
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "version"}
        super().save(*args, **kwargs)


class Tag(models.Model):
    """A care-group (关爱人群) or special-group (特殊人群) label with a sensitivity level."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=8, choices=TagKind.choices)
    sensitivity = models.PositiveSmallIntegerField(_("敏感级别"), choices=Sensitivity.choices,
                                                   default=Sensitivity.NORMAL)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("人群标签")
        verbose_name_plural = _("人群标签")

    def __str__(self):
        return self.name

    @property
    def restricted(self) -> bool:
        """Shown only to the roles of ``basedata.access.can_see_special``."""
        return self.kind == TagKind.SPECIAL or self.sensitivity >= Sensitivity.SECRET


class BuildingQuerySet(RestrictedQuerySet):
    def with_house_counts(self, user):
        """Annotate ``house_count``: the building's houses that ``user`` may see.

        Counted through ``House.objects.restrict()``, not ``Count("houses")``: a house may be
        recorded in another grid than its building, and a count is data too.
        """
        houses = (House.objects.restrict(user).filter(building=OuterRef("pk")).order_by()
                  .values("building").annotate(n=Count("pk")).values("n"))
        return self.annotate(house_count=Coalesce(Subquery(houses), 0))


class Building(Collected):
    """A building (楼栋) with its standard address and location (WGS-84)."""

    name = models.CharField(_("楼栋"), max_length=60)
    address = models.CharField(_("标准地址"), max_length=200)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)

    objects = BuildingQuerySet.as_manager()

    class Meta:
        ordering = ["address", "name"]
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        constraints = [models.UniqueConstraint(fields=["address", "name"],
                                               name="basedata_building_unique")]

    def __str__(self):
        return f"{self.address} {self.name}"

    @classmethod
    def restrict_q(cls, scope, action):
        return _scoped_q(scope, action, VIEW_OBJECTS)


class HouseQuerySet(RestrictedQuerySet):
    pass


class House(Versioned, Collected):
    """A house or flat (房屋): standard address, building, unit, room, use, owner and rental
    status; its tenants are people (``tenants``)."""

    building = models.ForeignKey(Building, verbose_name=_("楼栋"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="houses")
    address = models.CharField(_("标准地址"), max_length=200, db_index=True)
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("房号"), max_length=20, blank=True)
    use = models.CharField(_("用途"), max_length=12, choices=HouseUse.choices,
                           default=HouseUse.RESIDENTIAL)
    owner_name = models.CharField(_("产权人"), max_length=60, blank=True)
    rental_status = models.CharField(_("出租状态"), max_length=8, choices=RentalStatus.choices,
                                     default=RentalStatus.SELF)
    area_m2 = models.FloatField(_("面积(平方米)"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    tenants = models.ManyToManyField("Person", verbose_name=_("承租人"), blank=True,
                                     related_name="rented_houses")

    objects = HouseQuerySet.as_manager()

    class Meta:
        ordering = ["address", "unit", "room"]
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        constraints = [models.UniqueConstraint(fields=["address", "unit", "room"],
                                               name="basedata_house_unique")]

    def __str__(self):
        return " ".join(p for p in (self.address, self.unit, self.room) if p)

    @classmethod
    def restrict_q(cls, scope, action):
        return _scoped_q(scope, action, VIEW_OBJECTS)


class PersonQuerySet(RestrictedQuerySet):
    def current(self):
        """People not merged into another record."""
        return self.filter(merged_into__isnull=True)

    def residing(self):
        """Current people living in the grid (not moved out, not deceased)."""
        return self.current().filter(status=PersonStatus.RESIDING)

    def by_id_number(self, value: str):
        return self.filter(id_hash=personal_data.lookup_hash(value))

    def by_phone(self, value: str):
        return self.filter(phone_hash=personal_data.lookup_hash(value))


class Person(Versioned, Collected):
    """One real person (实有人口), recorded once: the ID number is unique (by its keyed hash).

    ``id_number_enc`` / ``phone_enc`` hold AES-GCM tokens; ``id_masked`` / ``phone_masked`` the
    display forms; birth date and sex are derived from the ID number when there is one.
    """

    name = models.CharField(_("姓名"), max_length=60, db_index=True)
    id_number_enc = models.TextField(_("身份证号(密文)"), blank=True, editable=False)
    id_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    registration_type = models.CharField(_("户籍类型"), max_length=12,
                                         choices=RegistrationType.choices,
                                         default=RegistrationType.REGISTERED)
    phone_enc = models.TextField(_("手机号(密文)"), blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    address = models.CharField(_("居住地址"), max_length=200, blank=True, db_index=True)
    house = models.ForeignKey(House, verbose_name=_("居住房屋"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="residents")
    household_head = models.ForeignKey("self", verbose_name=_("户主"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="members")
    relation_to_head = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices,
                                        blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("人群标签"), blank=True,
                                  related_name="people")
    status = models.CharField(_("人员状态"), max_length=10, choices=PersonStatus.choices,
                              default=PersonStatus.RESIDING, db_index=True)
    status_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    status_note = models.CharField(_("状态说明"), max_length=200, blank=True)
    moved_out_to = models.CharField(_("迁往地"), max_length=200, blank=True)
    moved_in_on = models.DateField(_("迁入日期"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("已合并至"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged")
    import_batch = models.ForeignKey("ImportBatch", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="people")

    objects = PersonQuerySet.as_manager()

    # What ``personal_data.reveal`` may show, to whom (with a reason, audited).
    personal_fields = {
        "id_number": personal_data.PersonalField("id_number_enc", "id_number", _("身份证号")),
        "phone": personal_data.PersonalField("phone_enc", "phone", _("手机号")),
    }
    reveal_permission = REVEAL

    class Meta:
        ordering = ["area_code", "name", "pk"]
        verbose_name = _("实有人口")
        verbose_name_plural = _("实有人口")
        indexes = [models.Index(fields=["name", "birth_date"], name="basedata_person_merge")]

    def __str__(self):
        return f"{self.name} {self.id_masked}".strip()

    @classmethod
    def restrict_q(cls, scope, action):
        return _scoped_q(scope, action, VIEW_PEOPLE)

    @property
    def age(self):
        import datetime as dt

        if not self.birth_date:
            return None
        today = dt.date.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    def id_number(self) -> str:
        """The plain ID number: only for ``personal_data.reveal`` and the exchange (never
        shown)."""
        return personal_data.decrypt(self.id_number_enc, "id_number")

    def phone(self) -> str:
        return personal_data.decrypt(self.phone_enc, "phone")


class OrganisationQuerySet(RestrictedQuerySet):
    pass


class Organisation(Versioned, Collected):
    """An organisation (法人/单位) identified by its unified social credit code (GB 32100)."""

    name = models.CharField(_("名称"), max_length=120, db_index=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    org_type = models.CharField(_("类型"), max_length=12, choices=OrgType.choices,
                                default=OrgType.ENTERPRISE)
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    house = models.ForeignKey(House, verbose_name=_("所在房屋"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="organisations")
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name

    @classmethod
    def restrict_q(cls, scope, action):
        return _scoped_q(scope, action, VIEW_OBJECTS)


class ComponentQuerySet(RestrictedQuerySet):
    pass


class Component(Collected):
    """A city component (部件): manhole cover, street lamp, bus shelter ... with its code
    (county 6 + major 2 + minor 2|3 + sequence 6), departments, state and point (WGS-84)."""

    code = models.CharField(_("部件编码"), max_length=17, unique=True)
    major = models.CharField(_("大类"), max_length=2)
    minor = models.CharField(_("小类"), max_length=3)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    owner_department = models.ForeignKey("accounts.Department", verbose_name=_("主管部门"),
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    custodian_department = models.ForeignKey("accounts.Department", verbose_name=_("权属单位"),
                                             null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+")
    maintainer_department = models.ForeignKey("accounts.Department",
                                              verbose_name=_("养护单位"), null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=ComponentState.choices,
                             default=ComponentState.INTACT)
    lng = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    address = models.CharField(_("位置描述"), max_length=200, blank=True)

    objects = ComponentQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("部件")
        verbose_name_plural = _("部件")

    def __str__(self):
        return f"{self.code} {self.class_name}"

    @property
    def class_name(self) -> str:
        major = COMPONENT_CLASSES.get(self.major)
        if not major:
            return ""
        return f"{major[0]} / {major[1].get(self.minor.lstrip('0').zfill(2), '')}"

    @classmethod
    def restrict_q(cls, scope, action):
        return _scoped_q(scope, action, VIEW_OBJECTS)


class ChangeRecordQuerySet(RestrictedQuerySet):
    pass


class ChangeRecord(models.Model):
    """One change of a basic-data record: the field diff (personal values masked), its author
    and source. The audit chain holds the same change tamper-evidently; this table is the
    record's own history, shown on its page."""

    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    area_code = models.CharField(max_length=15, db_index=True)
    action = models.CharField(_("操作"), max_length=40)
    changes = models.JSONField(_("变更"), default=dict)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150)
    department_name = models.CharField(_("部门"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"],
                                name="basedata_change_object")]
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")

    def __str__(self):
        return f"{self.object_type}:{self.object_id} {self.action}"

    @classmethod
    def restrict_q(cls, scope, action):
        return _scoped_q(scope, action, VIEW_OBJECTS)


class ImportBatchQuerySet(RestrictedQuerySet):
    pass


class ImportBatch(models.Model):
    """One uploaded file: what kind, who, how many rows were saved and rejected, and the
    rejected rows' report (CSV with the reason per cell)."""

    kind = models.CharField(_("类型"), max_length=16)
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    total_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    report = models.TextField(_("拒绝行报告"), blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self):
        return f"{self.kind} {self.filename}"

    @classmethod
    def restrict_q(cls, scope, action):
        # Only the uploader reads their report (it holds the rejected rows as typed).
        if scope.is_api_client or scope.user_id is None:
            return NOTHING
        return Q(created_by_id=scope.user_id)
