"""Saved searches of 案件查询: a person saves the current search under a name, sees their own
as links, renames and deletes them; never another person's; every change audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.audit.models import AuditRecord
from gridgov.events.actions import saved_filters
from gridgov.events.models import SavedFilter
from gridgov.events.views.search import filter_params

pytestmark = pytest.mark.django_db
SEARCH = "/events/search/"


def _save(user, name="超期未结", query="state=filed&deadline=overdue&page=3&junk=1"):
    return saved_filters.save_filter(actor=user, name=name, query=query,
                                     allowed=filter_params())


def test_save_keeps_only_the_search_parameters_and_is_audited(dispatcher):
    saved = _save(dispatcher)
    assert saved.query == "deadline=overdue&state=filed"
    assert AuditRecord.objects.filter(action="events.saved_filter_create",
                                      object_id=str(saved.pk)).exists()
    # The same name and search again changes nothing; a new search replaces the query.
    assert _save(dispatcher).pk == saved.pk
    assert AuditRecord.objects.filter(object_id=str(saved.pk),
                                      object_type="events.savedfilter").count() == 1
    again = _save(dispatcher, query="q=井盖")
    assert again.pk == saved.pk and again.query == "q=%E4%BA%95%E7%9B%96"
    assert AuditRecord.objects.filter(action="events.saved_filter_update").exists()


def test_bad_names_are_refused(dispatcher):
    with pytest.raises(ValidationError) as exc:
        _save(dispatcher, name="  ")
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _save(dispatcher, name="长" * 41)


def test_only_the_owner_renames_or_deletes(dispatcher, shift_leader):
    saved = _save(dispatcher)
    with pytest.raises(PermissionDenied):
        saved_filters.rename_filter(saved, actor=shift_leader, name="别人的")
    with pytest.raises(PermissionDenied):
        saved_filters.delete_filter(saved, actor=shift_leader)
    _save(dispatcher, name="第二个")
    with pytest.raises(ValidationError):
        saved_filters.rename_filter(saved, actor=dispatcher, name="第二个")
    assert saved_filters.rename_filter(saved, actor=dispatcher, name="新名").name == "新名"
    saved_filters.delete_filter(saved, actor=dispatcher)
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()
    assert AuditRecord.objects.filter(action="events.saved_filter_delete",
                                      object_id=str(saved.pk)).exists()


def test_the_page_saves_lists_and_deletes(client_as, dispatcher, shift_leader):
    client = client_as(dispatcher)
    response = client.post("/events/search/saved/", {"name": "我的超期",
                                                     "query": "deadline=overdue"})
    saved = SavedFilter.objects.get(owner=dispatcher, name="我的超期")
    assert response.status_code == 302 and response.url == SEARCH + "?deadline=overdue"
    page = client.get(SEARCH).content.decode()
    assert "我的超期" in page and 'href="/events/search/?deadline=overdue"' in page
    # Another person sees none of it, and cannot touch it (404, like a missing one).
    other = client_as(shift_leader)
    assert "我的超期" not in other.get(SEARCH).content.decode()
    assert other.post(f"/events/search/saved/{saved.pk}/delete/").status_code == 404
    assert other.post(f"/events/search/saved/{saved.pk}/rename/",
                      {"name": "x"}).status_code == 404
    client.post(f"/events/search/saved/{saved.pk}/rename/", {"name": "改名了"})
    assert SavedFilter.objects.get(pk=saved.pk).name == "改名了"
    client.post(f"/events/search/saved/{saved.pk}/delete/")
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_a_search_by_phone_is_not_saved(client_as, intake_clerk):
    client = client_as(intake_clerk)
    client.post("/events/search/saved/", {"name": "电话", "query": "q=13905741234"})
    assert not SavedFilter.objects.filter(owner=intake_clerk).exists()


def test_a_search_holding_an_id_number_is_not_saved(client_as, dispatcher):
    client_as(dispatcher).post("/events/search/saved/",
                               {"name": "身份证", "query": "q=110105 19491231 002X"})
    assert not SavedFilter.objects.filter(owner=dispatcher, name="身份证").exists()


def test_a_refused_save_goes_back_to_the_same_search(client_as, dispatcher):
    response = client_as(dispatcher).post("/events/search/saved/", {
        "name": " ", "query": "deadline=overdue", "next": SEARCH + "?deadline=overdue"})
    assert response.url == SEARCH + "?deadline=overdue"
    assert not SavedFilter.objects.filter(owner=dispatcher).exists()


def test_rename_and_delete_share_one_guarded_path(dispatcher, shift_leader, sys_admin,
                                                  monkeypatch):
    """Both go through ``_on_own``: the permission, the owner's row locked, "not found" for
    anyone else, and nothing recorded when refused."""
    saved = _save(dispatcher)
    seen = []
    real = saved_filters._on_own
    monkeypatch.setattr(saved_filters, "_on_own",
                        lambda s, actor, change: seen.append(change.__name__)
                        or real(s, actor, change))
    for actor in (shift_leader, sys_admin):
        with pytest.raises(PermissionDenied):
            saved_filters.rename_filter(saved, actor=actor, name="别人的")
        with pytest.raises(PermissionDenied):
            saved_filters.delete_filter(saved, actor=actor)
    assert not AuditRecord.objects.filter(action__in=["events.saved_filter_rename",
                                                      "events.saved_filter_delete"]).exists()
    with pytest.raises(ValidationError):
        saved_filters.rename_filter(saved, actor=dispatcher, name=" ")
    saved_filters.rename_filter(saved, actor=dispatcher, name="新名")
    saved_filters.delete_filter(saved, actor=dispatcher)
    assert seen == ["rename", "delete", "rename", "delete", "rename", "rename", "delete"]
    assert [r.action for r in AuditRecord.objects.filter(object_id=str(saved.pk))
            .filter(action__startswith="events.saved_filter_").order_by("id")] == [
        "events.saved_filter_create", "events.saved_filter_rename",
        "events.saved_filter_delete"]
