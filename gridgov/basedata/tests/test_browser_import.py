"""The import in a real browser (``-m browser``): the grid worker uploads a file and lands on
the import's result; a running import's page shows the progress bar, polls, and goes on to
the result by itself when the job ends."""

import pytest
from django.urls import reverse

from gridgov.background.choices import JobStatus
from gridgov.background.models import BackgroundJob
from gridgov.basedata.models import ImportBatch
from gridgov.core.testing import sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_an_import_goes_from_its_progress_bar_to_its_result(grid_worker, gulou_grid,
                                                             id_number, tmp_path, server_url,
                                                             browser):
    upload = tmp_path / "p.csv"
    upload.write_text(f"姓名,身份证号,网格编码\n好人,{id_number()},{gulou_grid.code}\n"
                      f"坏人,123,{gulou_grid.code}\n", encoding="utf-8")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, server_url, "gw_gulou")
    page.goto(server_url + reverse("basedata:import"))
    page.select_option("select[name=kind]", "people")
    page.set_input_files("input[name=file]", str(upload))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url("**/basedata/import/*/")
    batch = ImportBatch.objects.get()
    assert page.url.endswith(reverse("basedata:import-result", args=[batch.pk]))
    assert (batch.created_rows, batch.rejected_rows) == (1, 1)
    # A running import (as a thread or a worker would be): the bar, then the result.
    job = BackgroundJob.objects.create(kind="basedata.import", created_by=grid_worker,
                                       status=JobStatus.RUNNING, done=1, total=2,
                                       message="已校验 1 / 2 行",
                                       params={"kind": "people", "upload": "-",
                                               "filename": "p.csv"})
    page.goto(f"{server_url}{reverse('basedata:import')}?job={job.uid}")
    assert page.locator("progress.gg-progress").count() == 1
    assert "1 / 2" in page.locator(f"#gg-job-{job.uid}").inner_text()
    BackgroundJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE,
                                                   result={"batch": batch.pk})
    page.wait_for_url("**" + reverse("basedata:import-result", args=[batch.pk]))
    wait_for_js(page, "document.readyState === 'complete'")
    assert "拒绝" in page.content()
    context.close()
