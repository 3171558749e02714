"""The life of a record: a person moves in, moves out or dies, changes phone number or
household; a house changes use or rental status.

Each verb locks the row, checks the actor's scope and, when given, ``expected_version``
(``VersionConflict``), writes one ``ChangeRecord`` and one audit record per person it changes,
and bumps the record's ``version``. A change of status (moved in, moved out, died) is announced
on commit by ``signals.person_status_changed`` (visits close their open items on it).

When a household head moves out or dies, the household is handed over to ``new_head`` (one
of its residing members) or, without one, its members are left without a head: the house
page lists them under "无户主的成员" until somebody sets their household.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import PersonStatus, Relation, Source
from ..models import House, Person
from ..signals import person_status_changed
from .common import _choice, _require_change, _stamp, _state, _track, check_version
from .people import PERSON_FIELDS, _date
from .places import update_house

NOTE_MAX = 200


def _on(value, field: str = "on") -> dt.date:
    """The date a change happened: required, ISO, not in the future."""
    if value in (None, ""):
        raise ValidationError({field: _("请填写日期。")})
    day = _date(value, field)
    if day > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})
    return day


def _text(value, field: str, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("必填。")})
    if len(text) > NOTE_MAX:
        raise ValidationError({field: _("不能超过%(n)d个字。") % {"n": NOTE_MAX}})
    return text


def _lock(person: Person, actor, expected_version) -> Person:
    """The person's row, locked, checked for scope, merge and version."""
    person = Person.objects.select_for_update().select_related("grid").get(pk=person.pk)
    _require_change(actor, person.grid)
    check_version(person, expected_version)
    if person.merged_into_id:
        raise ValidationError({"person": _("该记录已合并至其他记录,请在合并后的记录上操作。")})
    return person


def _save(person: Person, action: str, before: dict, *, actor, source, remark: str = ""):
    after = _state(person, PERSON_FIELDS)
    changed = [k for k in after if after[k] != before[k]]
    person.updated_by = actor
    person.source = source
    _stamp(person, changed, actor, source)
    person.save()
    _track(person, action, before, after, actor=actor, source=source, remark=remark)


def _announce(person: Person, old_status: str, on: dt.date, actor) -> None:
    """``person_status_changed`` once the change is stored (never on a rollback)."""
    new_status = person.status
    transaction.on_commit(lambda: person_status_changed.send(
        sender=Person, person=person, old_status=old_status, new_status=new_status, on=on,
        actor=actor))


def _member_of(person: Person, head: Person | None, relation, *, actor, source) -> None:
    """Link ``person`` to ``head`` with ``relation`` (recorded as a household change)."""
    before = _state(person, PERSON_FIELDS)
    person.household_head = head
    person.relation_to_head = relation
    if _state(person, PERSON_FIELDS) != before:
        _save(person, "person.household", before, actor=actor, source=source)


def _hand_over(person: Person, new_head, *, actor, source) -> list[Person]:
    """The members of ``person``'s household, when it leaves: to ``new_head`` (a residing
    member, who becomes the head) or without a head. The members changed."""
    members = list(Person.objects.select_for_update().current()
                   .filter(household_head=person).exclude(pk=person.pk).order_by("pk"))
    if new_head is not None:
        new_head_pk = getattr(new_head, "pk", new_head)
        if new_head_pk not in {m.pk for m in members if m.status == PersonStatus.RESIDING}:
            raise ValidationError({"new_head": _("新户主须为该户在住的家庭成员。")})
    else:
        new_head_pk = None
    changed = []
    for member in members:
        if member.pk == new_head_pk:
            _member_of(member, member, Relation.HEAD, actor=actor, source=source)
        elif new_head_pk is not None:
            _member_of(member, Person(pk=new_head_pk), member.relation_to_head, actor=actor,
                       source=source)
        else:
            _member_of(member, None, member.relation_to_head, actor=actor, source=source)
        changed.append(member)
    return changed


def move_in(person: Person, house: House, *, actor, on, household_head=None, relation=None,
            expected_version=None, source: str = Source.GRID_WORKER) -> Person:
    """迁入: the person lives in ``house`` from ``on`` (its grid becomes theirs), residing
    again if they had moved out; with ``household_head`` they join that household."""
    day = _on(on)
    with transaction.atomic():
        person = _lock(person, actor, expected_version)
        if person.status == PersonStatus.DECEASED:
            raise ValidationError({"person": _("已死亡人员不能办理迁入。")})
        house = House.objects.select_related("grid").get(pk=house.pk)
        _require_change(actor, house.grid)
        head, rel = _household(person, household_head, relation, actor)
        before = _state(person, PERSON_FIELDS)
        old_status = person.status
        person.house, person.grid, person.area_code = house, house.grid, house.area_code
        person.address = str(house)
        person.status, person.status_on, person.moved_in_on = PersonStatus.RESIDING, day, day
        person.moved_out_to = person.status_note = ""
        if head is not None:
            person.household_head, person.relation_to_head = head, rel
        elif person.household_head_id is None:
            person.household_head, person.relation_to_head = person, Relation.HEAD
        _save(person, "person.move_in", before, actor=actor, source=source)
        _announce(person, old_status, day, actor)
    return person


def move_out(person: Person, *, actor, on, destination, reason="", new_head=None,
             expected_version=None, source: str = Source.GRID_WORKER) -> Person:
    """迁出: the person left the grid on ``on`` for ``destination``; their household goes to
    ``new_head`` or is left without a head."""
    day = _on(on)
    destination = _text(destination, "destination", required=True)
    reason = _text(reason, "reason", required=False)
    with transaction.atomic():
        person = _lock(person, actor, expected_version)
        if person.status == PersonStatus.DECEASED:
            raise ValidationError({"person": _("已死亡人员不能办理迁出。")})
        if person.status == PersonStatus.MOVED_OUT:
            raise ValidationError({"person": _("该人员已迁出。")})
        if person.moved_in_on and day < person.moved_in_on:
            raise ValidationError({"on": _("迁出日期不能早于迁入日期。")})
        _hand_over(person, new_head, actor=actor, source=source)
        before = _state(person, PERSON_FIELDS)
        old_status = person.status
        person.status, person.status_on = PersonStatus.MOVED_OUT, day
        person.moved_out_to, person.status_note = destination, reason
        _save(person, "person.move_out", before, actor=actor, source=source, remark=reason)
        _announce(person, old_status, day, actor)
    return person


def record_death(person: Person, *, actor, on, note="", new_head=None, expected_version=None,
                 source: str = Source.GRID_WORKER) -> Person:
    """登记死亡: the person died on ``on``; their open items (visits, care) close on the
    signal; their household goes to ``new_head`` or is left without a head."""
    day = _on(on)
    note = _text(note, "note", required=False)
    with transaction.atomic():
        person = _lock(person, actor, expected_version)
        if person.status == PersonStatus.DECEASED:
            raise ValidationError({"person": _("该人员已登记死亡。")})
        if person.birth_date and day < person.birth_date:
            raise ValidationError({"on": _("死亡日期不能早于出生日期。")})
        _hand_over(person, new_head, actor=actor, source=source)
        before = _state(person, PERSON_FIELDS)
        old_status = person.status
        person.status, person.status_on, person.status_note = PersonStatus.DECEASED, day, note
        _save(person, "person.death", before, actor=actor, source=source, remark=note)
        _announce(person, old_status, day, actor)
    return person


def change_phone(person: Person, phone, *, actor, expected_version=None,
                 source: str = Source.GRID_WORKER) -> Person:
    """变更手机号 (same check as collection: a mainland mobile number); empty clears it."""
    from .people import person_values

    values = person_values({"phone": str(phone or "").strip()})
    with transaction.atomic():
        person = _lock(person, actor, expected_version)
        if person.phone_hash == values["phone_hash"]:
            return person
        before = _state(person, PERSON_FIELDS)
        for key, value in values.items():
            setattr(person, key, value)
        _save(person, "person.phone", before, actor=actor, source=source)
    return person


def _household(person, head, relation, actor):
    """(head, relation) for ``person`` joining ``head``'s household; (None, None) without."""
    if head is None or getattr(head, "pk", head) == person.pk:
        return None, None
    head = Person.objects.select_related("grid").get(pk=getattr(head, "pk", head))
    _require_change(actor, head.grid)
    if head.merged_into_id or head.status != PersonStatus.RESIDING:
        raise ValidationError({"household_head": _("户主须为在住人员。")})
    if head.household_head_id not in (None, head.pk):
        raise ValidationError({"household_head": _(
            "%(n)s 不是户主,请选择其所在户的户主。") % {"n": head.name}})
    rel = _choice(relation, Relation, "relation_to_head")
    if rel == Relation.HEAD:
        raise ValidationError({"relation_to_head": _("加入他人户时,与户主关系不能是户主。")})
    return head, rel


def set_household(person: Person, head=None, relation=None, *, actor, expected_version=None,
                  source: str = Source.GRID_WORKER) -> Person:
    """户籍/家庭关系: join ``head``'s household with ``relation`` (or change the relation),
    or, without ``head``, become the head of a new household. A head who joins another
    household brings their members along (keeping their relations)."""
    with transaction.atomic():
        person = _lock(person, actor, expected_version)
        if person.status != PersonStatus.RESIDING:
            raise ValidationError({"person": _("只能变更在住人员的家庭关系。")})
        head_obj, rel = _household(person, head, relation, actor)
        if head_obj is not None:
            if head_obj.household_head_id is None:
                _member_of(head_obj, head_obj, Relation.HEAD, actor=actor, source=source)
            members = Person.objects.select_for_update().current().filter(
                household_head=person).exclude(pk=person.pk)
            for member in members:
                _member_of(member, head_obj, member.relation_to_head, actor=actor,
                           source=source)
        else:
            head_obj, rel = person, Relation.HEAD
        before = _state(person, PERSON_FIELDS)
        person.household_head, person.relation_to_head = head_obj, rel
        if _state(person, PERSON_FIELDS) != before:
            _save(person, "person.household", before, actor=actor, source=source)
    return person


def change_house_use(house: House, *, actor, use=None, rental_status=None,
                     expected_version=None, source: str = Source.GRID_WORKER) -> House:
    """用途/出租状态 of a house (the other fields stay as they are)."""
    changes = {k: v for k, v in (("use", use), ("rental_status", rental_status))
               if v not in (None, "")}
    if not changes:
        raise ValidationError({"use": _("请选择用途或出租状态。")})
    return update_house(house, actor=actor, source=source, expected_version=expected_version,
                        **changes)
