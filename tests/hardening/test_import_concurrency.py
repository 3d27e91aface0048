"""Confirming an import is a state transition taken under the job's row lock: two concurrent
confirmations (a double click, two tabs) apply the file once."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from mfgplatform.imports.jobs import claim_confirmation, import_job_confirm, import_job_create, import_job_preview
from mfgplatform.models import ImportJob
from quality.models import DefectType
from quality.resources import DefectTypeResource

from .test_import_files import DEFECT_HEADER

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_reference_data")]


def test_two_concurrent_confirmations_apply_an_import_once():
    user = User.objects.create_user("steward")
    job = import_job_create(model=DefectType, resource_class=DefectTypeResource, file_name="d.csv",
                            content=(DEFECT_HEADER + "D-1,Scratch,visual,minor,,0,1\n").encode(), user=user)
    import_job_preview(job)
    assert job.status == "previewed"
    outcomes: list[bool] = []
    barrier = threading.Barrier(2)

    def confirm():
        try:
            barrier.wait()
            outcomes.append(claim_confirmation(ImportJob.objects.get(pk=job.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    import_job_confirm(ImportJob.objects.get(pk=job.pk), claimed=True)
    with pytest.raises(ValueError, match="not waiting for confirmation"):
        import_job_confirm(ImportJob.objects.get(pk=job.pk))
    assert DefectType.history.filter(code="D-1").count() == 1


