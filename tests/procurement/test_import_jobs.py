"""No import job is lost or stuck: failures end the job failed with a message, the user can cancel
and start again, running jobs beat a heartbeat, the sweeper re-queues a silent job once then
fails it, a message delivered twice does nothing, and uploads stop streaming past 20 MB."""

import datetime
import http.client
import io
import threading
import time
import tracemalloc
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from procurement import services
from procurement.imports import MAX_FILE_BYTES, jobs
from procurement.models import ImportJob, OrderLine, ReplacedLine
from procurement.tasks import sweep_import_jobs
from tests.factories import OrderLineFactory

from .conftest import YEAR
from .test_import import GOOD, csv_upload, import_file, rows_csv

TRACEBACK_WORDS = ("Traceback", "ParseError", "Exception", 'File "')


def corrupt_workbook(rows: int) -> bytes:
    """A real workbook whose sheet XML is cut short: it opens, its header reads, and the XML
    parser raises part-way through the rows (as a half-copied or half-downloaded file would)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["SIREN", "Raison sociale", "Montant HT (€)", "Date de commande", "Domaine"])
    for i in range(rows):
        sheet.append(["732829320", "Cyberbase", 1000 + i, datetime.date(YEAR, 3, 1), "Cloud"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: int(len(data) * 0.7)]
            target.writestr(item, data)
    return out.getvalue()


@contextmanager
def staging_blocked(media_root):
    """Disk trouble the reader knows nothing of: where validated rows are staged, a plain file
    stands instead of a folder, so writing the staged rows raises part-way through the job."""
    imports = Path(media_root, "imports")
    imports.mkdir(parents=True, exist_ok=True)
    blocker = imports / "staged"
    if blocker.is_dir():
        blocker.rename(imports / f"staged-{uuid.uuid4().hex[:8]}")
    blocker.write_text("not a folder")
    try:
        yield
    finally:
        blocker.unlink()


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def assert_readable_failure(job: ImportJob) -> None:
    assert job.state == ImportJob.State.FAILED
    assert job.failure_text and "Rien n'a été enregistré" in job.failure_text
    assert not any(word in job.failure_text for word in TRACEBACK_WORDS), job.failure_text


def wait_until_settled(job: ImportJob, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            return job
        time.sleep(0.2)
    return job


# --- failures in the request (small files) ---------------------------------------------------


def test_corrupt_workbook_is_refused_with_a_message_not_a_traceback(declaration, buyer, client):
    client.force_login(buyer)
    response = client.post(
        reverse("procurement:import_upload", args=[declaration.pk]),
        {"file": upload("commandes.xlsx", corrupt_workbook(3_000))},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.state in {ImportJob.State.INVALID, ImportJob.State.FAILED}
    text = client.get(response["Location"]).content.decode()
    assert not any(word in text for word in TRACEBACK_WORDS[:2])
    assert "Recommencer" in text or "Abandonner" in text or job.errors


def test_unexpected_error_ends_failed_with_a_message_not_a_traceback(declaration, buyer, client):
    client.force_login(buyer)
    with staging_blocked(settings.MEDIA_ROOT):
        response = client.post(
            reverse("procurement:import_upload", args=[declaration.pk]),
            {"file": csv_upload(rows_csv([GOOD] * 3))},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert not job.run_in_background
    assert_readable_failure(job)
    assert f"import n° {job.pk}" in job.failure_text
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "L'import a échoué" in text and job.failure_text.split(" (")[0] in text
    assert "Recommencer avec un nouveau fichier" in text
    assert not Path(settings.MEDIA_ROOT, "imports", "staged", f"job-{job.pk}.tsv").exists()
    declaration_page = client.get(reverse("procurement:declaration_detail", args=[declaration.pk]))
    assert "Le dernier import a échoué" in declaration_page.content.decode()


def test_staged_file_vanished_fails_the_import_and_keeps_the_previous_lines(
    declaration, buyer, client
):
    previous = OrderLineFactory.create_batch(3, declaration=declaration)
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD, GOOD])))
    assert job.state == ImportJob.State.VALID
    Path(settings.MEDIA_ROOT, job.staged_file).unlink()  # e.g. a cleaned-up disk
    client.force_login(buyer)
    response = client.post(
        reverse("procurement:import_confirm", args=[declaration.pk, job.pk]), {"mode": "replace"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert_readable_failure(job)
    assert "n'est plus disponible" in job.failure_text
    # all or nothing: the archive and the deletion were rolled back with the failed copy
    assert set(OrderLine.objects.filter(declaration=declaration)) == set(previous)
    assert not ReplacedLine.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "plus disponible sur le serveur" in page


def test_user_cancels_a_failed_import_and_starts_again(declaration, buyer, client):
    client.force_login(buyer)
    with staging_blocked(settings.MEDIA_ROOT):
        client.post(
            reverse("procurement:import_upload", args=[declaration.pk]),
            {"file": csv_upload(rows_csv([GOOD] * 3))},
        )
    failed = ImportJob.objects.get()
    assert failed.state == ImportJob.State.FAILED
    response = client.post(reverse("procurement:import_cancel", args=[declaration.pk, failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == ImportJob.State.CANCELLED
    assert "Le dernier import a échoué" not in client.get(response["Location"]).content.decode()
    # start again with a good file, from the failed job's page form
    response = client.post(
        reverse("procurement:import_upload", args=[declaration.pk]),
        {"file": csv_upload(rows_csv([GOOD]))},
    )
    again = ImportJob.objects.exclude(pk=failed.pk).get()
    assert again.state == ImportJob.State.VALID
    services.confirm_import(job=again, mode="add", by=buyer)
    assert OrderLine.objects.filter(declaration=declaration).count() == 1


def test_a_job_cancelled_while_validating_is_not_brought_back_by_the_validation(declaration, buyer):
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    # the same file sent again, validated by a runner that is slower than the user
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.QUEUED, attempts=1, claimed_attempt=0
    )
    claimed = jobs._claim(job.pk, phase=jobs.VALIDATE, attempt=1)
    assert claimed.state == ImportJob.State.VALIDATING
    services.cancel_import(job=claimed, by=buyer)
    from procurement.imports import pipeline

    pipeline.validate(claimed)
    job.refresh_from_db()
    assert job.state == ImportJob.State.CANCELLED


def test_a_message_delivered_twice_runs_the_job_once(declaration, buyer):
    OrderLineFactory(declaration=declaration)
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    assert (job.state, job.attempts, job.claimed_attempt) == (ImportJob.State.VALID, 1, 1)
    # validation message redelivered after the job moved on: nothing happens
    again = jobs.run_validation(job_id=job.pk, attempt=1)
    assert again.state == ImportJob.State.VALID and again.validated_at == job.validated_at
    job = services.confirm_import(job=job, mode="add", by=buyer)
    assert job.state == ImportJob.State.DONE
    # import message redelivered (worker lost after the commit): no second copy of the lines
    jobs.run_import(job_id=job.pk, by_id=buyer.pk, attempt=1)
    assert OrderLine.objects.filter(declaration=declaration).count() == 2
    # an older attempt's message after a re-queue does nothing either
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.IMPORTING, attempts=2, claimed_attempt=1
    )
    assert jobs.run_import(job_id=job.pk, by_id=buyer.pk, attempt=1).claimed_attempt == 1
    assert OrderLine.objects.filter(declaration=declaration).count() == 2


# --- the sweeper -------------------------------------------------------------------------------


def _stuck(job: ImportJob, *, state: str, seconds_ago: int, attempts: int = 1, claimed: int = 1):
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        attempts=attempts,
        claimed_attempt=claimed,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def test_sweeper_requeues_a_silent_job_once_then_fails_it(
    declaration, buyer, client, django_capture_on_commit_callbacks
):
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    _stuck(job, state=ImportJob.State.VALIDATING, seconds_ago=300)  # its worker died
    client.force_login(buyer)
    detail = reverse("procurement:import_detail", args=[declaration.pk, job.pk])
    assert "ne donne plus de nouvelles" in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks() as sent:
        result = jobs.sweep_stale_jobs()
    assert result == {"requeued": [job.pk], "failed": []}
    assert len(sent) == 1  # the validation task, sent after commit
    job.refresh_from_db()
    assert (job.state, job.attempts, job.claimed_attempt) == (ImportJob.State.QUEUED, 2, 1)
    assert timezone.now() - job.heartbeat_at < datetime.timedelta(seconds=5)
    assert "ne donne plus de nouvelles" not in client.get(detail).content.decode()
    assert jobs.sweep_stale_jobs() == {"requeued": [], "failed": []}  # not stale yet

    # the second run dies too
    _stuck(job, state=ImportJob.State.VALIDATING, seconds_ago=300, attempts=2, claimed=2)
    with django_capture_on_commit_callbacks() as sent:
        result = jobs.sweep_stale_jobs()
    assert result == {"requeued": [], "failed": [job.pk]}
    assert not sent
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert "interrompu à plusieurs reprises" in job.failure_text
    page = client.get(detail)
    assert "interrompu à plusieurs reprises" in page.content.decode()
    assert "Recommencer avec un nouveau fichier" in page.content.decode()


def test_sweeper_leaves_live_jobs_and_waits_longer_for_unclaimed_ones(declaration, buyer):
    live = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    _stuck(live, state=ImportJob.State.IMPORTING, seconds_ago=20)
    waiting = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    # dispatched two minutes ago, not claimed yet: a worker is busy with other imports
    _stuck(waiting, state=ImportJob.State.QUEUED, seconds_ago=120, claimed=0)
    lost = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    # dispatched 20 minutes ago and never claimed: its message was lost
    _stuck(lost, state=ImportJob.State.IMPORTING, seconds_ago=1200, claimed=0)
    done = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    _stuck(done, state=ImportJob.State.VALID, seconds_ago=3600)
    assert jobs.sweep_stale_jobs() == {"requeued": [lost.pk], "failed": []}
    lost.refresh_from_db()
    assert (lost.state, lost.attempts) == (ImportJob.State.IMPORTING, 2)


# --- through the real worker -------------------------------------------------------------------


@pytest.fixture
def worker_declaration(celery_worker, settings, campaign, account):
    from directory.models import Domain
    from tests.factories import DeclarationFactory

    Domain.objects.get_or_create(slug="cybersecurite", defaults={"name": "Cybersécurité"})
    settings.MEDIA_ROOT = celery_worker.media_dir
    return DeclarationFactory(campaign=campaign, organisation=account)


@pytest.mark.django_db(transaction=True)
def test_worker_validation_that_raises_ends_failed_with_a_message(
    worker_declaration, buyer, client, celery_worker
):
    client.force_login(buyer)
    text = rows_csv([GOOD.replace("BC-1", f"BC-{i}") for i in range(5_100)])
    with staging_blocked(celery_worker.media_dir):
        client.post(
            reverse("procurement:import_upload", args=[worker_declaration.pk]),
            {"file": csv_upload(text)},
        )
        job = ImportJob.objects.get()
        assert job.run_in_background
        job = wait_until_settled(job)
    assert_readable_failure(job)
    page = client.get(reverse("procurement:import_detail", args=[worker_declaration.pk, job.pk]))
    assert "L'import a échoué" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_worker_import_whose_staged_file_vanished_ends_failed(worker_declaration, buyer, client):
    OrderLineFactory(declaration=worker_declaration, reference="AVANT")
    text = rows_csv([GOOD.replace("BC-1", f"BC-{i}") for i in range(5_100)])
    job = import_file(worker_declaration, buyer, csv_upload(text))
    job = wait_until_settled(job)
    assert job.state == ImportJob.State.VALID, (job.errors[:3], job.failure_text)
    Path(settings.MEDIA_ROOT, job.staged_file).unlink()
    client.force_login(buyer)
    client.post(
        reverse("procurement:import_confirm", args=[worker_declaration.pk, job.pk]),
        {"mode": "replace"},
    )
    job = wait_until_settled(job)
    assert_readable_failure(job)
    assert list(
        OrderLine.objects.filter(declaration=worker_declaration).values_list("reference", flat=True)
    ) == ["AVANT"]


@pytest.mark.django_db(transaction=True)
def test_sweep_task_requeues_a_dead_workers_job_and_the_worker_finishes_it(
    worker_declaration, buyer
):
    job = import_file(worker_declaration, buyer, csv_upload(rows_csv([GOOD] * 3)))
    assert job.state == ImportJob.State.VALID
    # as if a worker had died while validating it five minutes ago
    _stuck(job, state=ImportJob.State.VALIDATING, seconds_ago=300)
    sweep_import_jobs.delay()
    job = wait_until_settled(job)
    assert job.state == ImportJob.State.VALID, job.failure_text
    assert (job.attempts, job.claimed_attempt) == (2, 2)
    assert job.valid_rows == 3


@pytest.mark.django_db(transaction=True)
def test_running_job_beats_its_heartbeat_outside_the_works_transaction(
    declaration, buyer, monkeypatch
):
    from django.db import transaction

    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    old = timezone.now() - datetime.timedelta(minutes=5)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.IMPORTING, heartbeat_at=old)
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY_S", 0.05)
    with transaction.atomic(), jobs.heartbeat(job.pk):
        OrderLine.objects.filter(declaration=declaration).delete()  # a long transaction
        time.sleep(0.5)
        # another connection (the sweeper's) sees the fresh beat
        seen = _read_heartbeat_elsewhere(job.pk)
    assert seen > old + datetime.timedelta(minutes=4)


def _read_heartbeat_elsewhere(job_id: int):
    result = {}

    def read():
        from django.db import connections

        try:
            result["at"] = ImportJob.objects.values_list("heartbeat_at", flat=True).get(pk=job_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return result["at"]


# --- uploads past 20 MB ------------------------------------------------------------------------


def test_upload_just_over_the_limit_is_refused_with_a_clear_message(declaration, buyer, client):
    client.force_login(buyer)
    big = upload("gros.csv", b"x" * (MAX_FILE_BYTES + 1))
    response = client.post(
        reverse("procurement:import_upload", args=[declaration.pk]), {"file": big}
    )
    assert response.status_code == 413
    assert "Ce fichier dépasse 20 Mo" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_25_mb_upload_is_refused_while_streaming_without_spooling_it(
    live_server, client, declaration, buyer, settings, tmp_path
):
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    client.force_login(buyer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    token = uuid.uuid4().hex  # a CSRF secret of our own, as cookie and field
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="enorme.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    file_size = 25 * 1024 * 1024
    chunk = (GOOD + "\n").encode() * 16_000
    url = urlparse(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    connection.putrequest("POST", reverse("procurement:import_upload", args=[declaration.pk]))
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + file_size + len(tail)))
    connection.putheader("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={token}")
    connection.putheader("Referer", live_server.url)
    connection.endheaders()

    peak = {"bytes": 0}
    stop = threading.Event()

    def watch_spool():
        while not stop.is_set():
            used = sum(p.stat().st_size for p in spool.iterdir() if p.is_file())
            peak["bytes"] = max(peak["bytes"], used)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch_spool)
    watcher.start()
    tracemalloc.start()  # the live server answers from a thread of this process
    try:
        connection.send(head)
        sent = 0
        while sent < file_size:
            part = chunk[: file_size - sent]
            connection.send(part)
            sent += len(part)
        connection.send(tail)
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        _current, peak_memory = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        stop.set()
        watcher.join()
        connection.close()
    assert response.status == 413, body[:500]
    assert peak_memory < 8 * 1024 * 1024  # client chunk + server buffers, never the 25 MB body
    assert "Ce fichier dépasse 20 Mo" in body
    assert peak["bytes"] == 0  # refused from its announced length: nothing written to disk
    assert not list(spool.iterdir())
    assert not ImportJob.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.csv"))


@pytest.mark.django_db(transaction=True)
def test_sweeper_skips_an_import_whose_transaction_is_still_open(declaration, buyer, celery_worker):
    """The requeued import goes to this run's worker (session-wide): the test waits for it, so
    that no import is still writing when the test's database is flushed."""
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    _stuck(job, state=ImportJob.State.IMPORTING, seconds_ago=300)
    locked, release = threading.Event(), threading.Event()

    def long_import():  # holds the job's row as pipeline.apply does
        from django.db import connections, transaction

        try:
            with transaction.atomic():
                ImportJob.objects.select_for_update().filter(pk=job.pk).first()
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=long_import)
    thread.start()
    try:
        assert locked.wait(10)
        assert jobs.sweep_stale_jobs() == {"requeued": [], "failed": []}
    finally:
        release.set()
        thread.join()
    assert jobs.sweep_stale_jobs()["requeued"] == [job.pk]  # released and still silent
    assert not wait_until_settled(job).is_running  # the worker took it up and ended it


def test_a_failure_reads_in_the_language_of_whoever_looks(declaration, buyer, client):
    """Written once (by a worker, in French), shown in French or English to each reader."""
    client.force_login(buyer)
    with staging_blocked(settings.MEDIA_ROOT):
        response = client.post(
            reverse("procurement:import_upload", args=[declaration.pk]),
            {"file": csv_upload(rows_csv([GOOD] * 3))},
        )
    assert "Une erreur inattendue" in client.get(response["Location"]).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(response["Location"]).content.decode()
    assert "Une erreur inattendue" not in english
    assert "unexpected error" in english.lower()
