"""What logs and evidence keep of personal numbers (``personal_data.scrub``), and key
rotation over every encrypted column of ``ENCRYPTED_COLUMNS`` (issue 9, items 6 and 12)."""

import base64
import os

import pytest
from django.apps import apps
from django.core.management import call_command

from gridgov.core import personal_data as pd

ID = "11010519491231002X"  # GB 11643's own example


def test_numbers_standing_alone_are_masked_anywhere():
    assert pd.mask_numbers(f"查{ID}的记录") == "查110105********002X的记录"
    assert pd.mask_numbers("电话13812345678,座机0574-87654321") == (
        "电话138****5678,座机057*****4321")
    # A prefix of an ID number (a digit-by-digit search) is masked too.
    assert pd.mask_numbers("110105194912") == "1**********2"
    # Short numbers, and digits inside a longer token (a cursor), are kept.
    assert pd.mask_numbers("limit 100, 第3页") == "limit 100, 第3页"
    assert pd.mask_numbers("WyIyMDI2IiwgMTIzNDU2Nzg5XQ") == "WyIyMDI2IiwgMTIzNDU2Nzg5XQ"


@pytest.mark.parametrize(("typed", "mask"), [
    # The forms the searches accept (spaces, hyphens, +86, a URL's "+" for a space) are
    # masked whole: before, each group of fewer than 7 digits was kept as typed.
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("q=138+1234+5678&sort=-created", "q=138****5678&sort=-created"),
    ("+86 138 1234 5678", "138****5678"),
    ("110105 19491231 002X", "110105********002X"),
    ("1101 0519 4912 3100 2X", "110105********002X"),
    ("(0574) 8765 4321", "057*****4321"),
])
def test_numbers_typed_with_separators_are_masked(typed, mask):
    assert pd.mask_numbers(typed) == mask
    assert pd.scrub({"q": typed}) == {"q": mask}


def test_separators_do_not_mask_dates_or_short_numbers():
    text = "created_after=2026-12-01&created_before=2026-12-31&page=2 10 20"
    assert pd.mask_numbers(text) == text
    assert pd.mask_numbers("2026-12-01+2026-12-31") == "2026-12-01+2026-12-31"


def test_holds_number_finds_personal_numbers_only():
    for text in ("找13812345678", "138 1234 5678", f"x{ID}"[1:], "110105 19491231 002X",
                 "(0574) 8765 4321"):
        assert pd.holds_number(text), text
    for text in ("E2026120200000005", "330203005001001", "2026-12-01", "第3页", ""):
        assert not pd.holds_number(text), text


def test_scrub_masks_personal_keys_whole_and_is_idempotent():
    params = {"filters": {"id_number": ID, "name": "张三", "phone": 13812345678},
              "q": [ID, "x"], "limit": 13812345678, "offset": 20, "flag": True}
    once = pd.scrub(params, personal_keys={"name"})
    assert once == {"filters": {"id_number": "110105********002X", "name": "张*",
                                "phone": "138****5678"},
                    "q": ["110105********002X", "x"], "limit": "138****5678", "offset": 20,
                    "flag": True}
    assert pd.scrub(once, personal_keys={"name", "id_number"}) == once
    # A value made to look like a mask still has its number masked.
    assert pd.scrub({"id_number": "*" + ID}, personal_keys={"id_number"}) == {
        "id_number": "*110105********002X"}


def test_exact_lookup_hashes_name_whole_numbers_only():
    assert pd.exact_lookup_hashes({"q": "138 1234 5678", "grid": "330203005001001",
                                   "x": ID.lower()}) == {
        "q": pd.lookup_hash("13812345678"), "x": pd.lookup_hash(ID)}
    assert pd.phone_lookup_hash("0574-87654321") == pd.lookup_hash("057487654321")


def test_the_registry_names_real_columns():
    for label, column, purpose, hash_column in pd.ENCRYPTED_COLUMNS:
        model = apps.get_model(label)
        model._meta.get_field(column)
        if hash_column:
            model._meta.get_field(hash_column)
        assert purpose


@pytest.mark.django_db
def test_rotate_keys_reencrypts_every_registered_column(settings, gulou_grid, grid_worker):
    from gridgov.accounts.models import User
    from gridgov.events.actions import report_event
    from gridgov.events.models import Event
    from gridgov.events.tests.intake_support import point_in

    old, new = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))
    demo = base64.b64encode(pd._derived("field-key")).decode()
    settings.GRIDGOV_FIELD_KEYS = [old, demo]
    lng, lat = point_in(gulou_grid)
    event = report_event(source="citizen", description="路灯不亮", lng=lng, lat=lat,
                         reporter_phone="13800001111")
    grid_worker.phone = "13700002222"
    grid_worker.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    grid_worker.save()
    settings.GRIDGOV_FIELD_KEYS = [new, old, demo]
    call_command("basedata", "rotate_keys", stdout=open(os.devnull, "w"))
    settings.GRIDGOV_FIELD_KEYS = [new]  # the old keys removed: everything still opens
    event = Event.objects.get(pk=event.pk)
    user = User.objects.get(pk=grid_worker.pk)
    assert event.reporter_phone == "13800001111"
    assert user.phone == "13700002222"
    assert user.totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    for token in (event.reporter_phone_enc, user.phone_enc, user.totp_secret_enc):
        assert pd.token_key_id(token) == pd.current_key_id()
