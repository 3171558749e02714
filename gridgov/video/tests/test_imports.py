"""Excel / CSV import of cameras: the valid rows saved, the rejected ones reported per row
and cell, a re-run changes nothing, another department's code is refused."""

import csv
import io

import openpyxl
import pytest
import shapely.geometry
from django.core.exceptions import ValidationError

from gridgov.background.models import BackgroundJob
from gridgov.video.actions import import_cameras
from gridgov.video.actions.imports import COLUMNS, template_xlsx
from gridgov.video.models import Camera

pytestmark = pytest.mark.django_db
HEADER = list(COLUMNS)


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row.get(h, "") for h in HEADER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def point(gulou_grid):
    p = shapely.geometry.shape(gulou_grid.geometry).representative_point()
    return p.x, p.y


def _row(code, point, **extra):
    return {"国标编码": code, "名称": f"导入{code[-3:]}", "类型": "球机", "经度": point[0],
            "纬度": point[1], "共享类型": "有条件共享", "共享条件": "按事由调阅", **extra}


def test_valid_rows_saved_rejected_ones_reported_and_a_rerun_changes_nothing(
        police_officer, police, point, police_camera, zhifa_camera):
    rows = [
        _row("33020300001320999201", point),
        _row("33020300001320999202", point, 状态="故障"),
        _row("123", point),                                           # bad code
        _row("33020300001320999203", (116.4, 39.9)),                  # outside
        _row("33020300001320999201", point),                          # duplicate in file
        _row(zhifa_camera.code, point),                               # another department's
        _row("33020300001320999204", point, 共享类型="不予共享"),         # no legal basis
        _row("33020300001320999205", point, 类型="飞艇"),                # bad kind
    ]
    data = _xlsx(rows)
    batch = import_cameras(data, "cameras.xlsx", actor=police_officer, owner=police)
    assert (batch.total_rows, batch.created_rows, batch.rejected_rows) == (8, 2, 6)
    assert Camera.objects.get(code="33020300001320999202").status == "fault"
    report = list(csv.reader(io.StringIO(batch.report)))
    assert [r[0] for r in report[1:]] == ["4", "5", "6", "7", "8", "9"]
    reasons = {r[0]: r[-1] for r in report[1:]}
    assert "国标编码" in reasons["4"] and "20 位" in reasons["4"]
    assert "辖区" in reasons["5"]
    assert "重复" in reasons["6"]
    assert "其他部门" in reasons["7"]
    assert "不予共享" in reasons["8"]
    again = import_cameras(data, "cameras.xlsx", actor=police_officer, owner=police)
    assert (again.created_rows, again.updated_rows, again.unchanged_rows) == (0, 0, 2)
    changed = _xlsx([_row("33020300001320999201", point, 名称="改名", 状态="离线")])
    third = import_cameras(changed, "c.xlsx", actor=police_officer, owner=police)
    assert third.updated_rows == 1
    camera = Camera.objects.get(code="33020300001320999201")
    assert (camera.name, camera.status) == ("改名", "offline")


def test_an_unreadable_file_is_refused_on_the_file_field(police_officer, police):
    with pytest.raises(ValidationError) as info:
        import_cameras(b"not a workbook", "x.xlsx", actor=police_officer, owner=police)
    assert "file" in info.value.message_dict


def test_the_template_reads_back_as_one_valid_row(police_officer, police):
    batch = import_cameras(template_xlsx(), "template.xlsx", actor=police_officer, owner=police)
    assert batch.rejected_rows == 0 and batch.created_rows == 1


def test_the_import_page_and_the_report_download(client_as, police_officer, point):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(police_officer)
    assert client.get("/video/import/").status_code == 200
    upload = SimpleUploadedFile("c.xlsx", _xlsx([_row("33020300001320999301", point),
                                                 _row("9", point)]))
    posted = client.post("/video/import/", {"file": upload})
    # Imported by a background job (inline in tests): the page follows it to the result.
    job = BackgroundJob.objects.get(kind="video.import")
    assert posted.status_code == 302 and posted.url == f"/video/import/?job={job.uid}"
    page = client.get(posted.url)
    assert page.status_code == 200
    batch = page.context["batch"]
    assert batch.created_rows == 1 and batch.rejected_rows == 1
    report = client.get(f"/video/import/{batch.pk}/rejected.csv")
    assert report.status_code == 200 and "20 位" in report.content.decode("utf-8-sig")
    assert client.get("/video/import/template.xlsx").status_code == 200


def test_another_department_cannot_read_the_report(client_as, police_officer, police, point,
                                                   dept_admin):
    batch = import_cameras(_xlsx([_row("1", point)]), "c.xlsx", actor=police_officer,
                           owner=police)
    assert client_as(dept_admin).get(f"/video/import/{batch.pk}/rejected.csv").status_code == 404


def test_the_import_job_matches_the_direct_import_and_keeps_nothing_when_cancelled(
        client_as, police_officer, police, point, dept_admin):
    """The page's job imports what ``import_cameras`` imports; another person cannot follow
    it; a cancel before the import ran keeps nothing and deletes the upload."""
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.background import files, runner
    from gridgov.background.choices import JobStatus

    client = client_as(police_officer)
    data = _xlsx([_row("33020300001320999302", point), _row("x", point)])
    posted = client.post("/video/import/", {"file": SimpleUploadedFile("c.xlsx", data)})
    job = BackgroundJob.objects.get(kind="video.import")
    assert job.status == JobStatus.DONE and not default_storage.exists(job.params["upload"])
    assert (job.result["created"], job.result["rejected"]) == (1, 1)
    again = import_cameras(data, "c.xlsx", actor=police_officer, owner=police)
    assert (again.unchanged_rows, again.rejected_rows) == (1, 1)  # the job's row is there
    assert client_as(dept_admin).get(posted.url).status_code in (403, 404)
    refused = client.post("/video/import/", {"file": SimpleUploadedFile("c.pdf", b"%PDF")})
    page = client.get(refused.url)
    assert page.status_code == 400 and page.context["form"].errors["file"]
    queued = BackgroundJob.objects.create(kind="video.import", created_by=police_officer,
                                          cancel_requested=True, params={
                                              "owner": police.pk, "filename": "c.xlsx",
                                              "upload": files.save_upload(
                                                  _xlsx([_row("33020300001320999303",
                                                              point)]), "c.xlsx")})
    assert runner.run(queued.pk) == JobStatus.CANCELLED
    assert not Camera.objects.filter(code="33020300001320999303").exists()
    assert not default_storage.exists(queued.params["upload"])
