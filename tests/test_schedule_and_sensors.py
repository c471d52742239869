"""The production triggers without a daemon: the nightly schedule, the new-extract sensor and the alert
sensors, evaluated through Dagster's test contexts on the definitions `build_definitions` deploys.

Why: a schedule that tags the wrong tertial, a sensor that starts a run twice for one delivery (or never
for a real one), or an alert that is lost when the webhook is down are all silent in production.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from jobbtorg_pipeline.definitions import ALL_ASSETS_JOB, build_definitions
from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.sensors import alerts, extract
from jobbtorg_pipeline.settings import Settings
from tests.support import corrupt
from tests.support.pipeline import run_pipeline, settings_for
from tests.support.sourcebuilder import SourceBuilder, pnr

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LONG_AGO = 3_600  # seconds: a file this old has long settled

# --- the nightly schedule ---------------------------------------------------------------------------------


@pytest.fixture
def defs(tmp_path: Path) -> dg.Definitions:
    return build_definitions(settings_for(tmp_path, tmp_path / "source"))


def test_nightly_schedule_is_0200_stockholm_and_on_by_default(defs):
    """The daemon must run it at 02:00 local time (not UTC) from the first start, for the one job."""
    natt = defs.resolve_schedule_def("natt")
    assert natt.cron_schedule == "0 2 * * *"
    assert natt.execution_timezone == "Europe/Stockholm"
    assert natt.default_status == dg.DefaultScheduleStatus.RUNNING
    assert natt.job_name == ALL_ASSETS_JOB


# Worked out by hand: T1 is January-April, T2 May-August, T3 September-December, by the Stockholm day.
# 02:00 in Stockholm is 01:00 UTC in winter (CET) and 00:00 UTC in summer (CEST).
TERTIAL_NIGHTS = [
    (datetime(2023, 4, 30, 0, 0, tzinfo=UTC), "2023-04-30", "2023-T1"),  # 02:00 CEST
    (datetime(2023, 5, 1, 0, 0, tzinfo=UTC), "2023-05-01", "2023-T2"),
    (datetime(2023, 8, 31, 0, 0, tzinfo=UTC), "2023-08-31", "2023-T2"),
    (datetime(2023, 9, 1, 0, 0, tzinfo=UTC), "2023-09-01", "2023-T3"),
    (datetime(2023, 12, 31, 1, 0, tzinfo=UTC), "2023-12-31", "2023-T3"),  # 02:00 CET
    (datetime(2024, 1, 1, 1, 0, tzinfo=UTC), "2024-01-01", "2024-T1"),
    # spring forward, Sunday 31 March 2024: 02:00 does not exist, the tick comes at 03:00 CEST = 01:00 UTC
    (datetime(2024, 3, 31, 1, 0, tzinfo=UTC), "2024-03-31", "2024-T1"),
    # fall back, Sunday 27 October 2024: 02:00 happens twice, 00:00 UTC (CEST) and 01:00 UTC (CET)
    (datetime(2024, 10, 27, 0, 0, tzinfo=UTC), "2024-10-27", "2024-T3"),
    (datetime(2024, 10, 27, 1, 0, tzinfo=UTC), "2024-10-27", "2024-T3"),
    # given in Stockholm time rather than UTC: the same night
    (datetime(2024, 5, 1, 2, 0, tzinfo=STOCKHOLM), "2024-05-01", "2024-T2"),
    # a manual evaluation at 23:30 UTC on 30 April is already 1 May in Stockholm
    (datetime(2024, 4, 30, 23, 30, tzinfo=UTC), "2024-05-01", "2024-T2"),
]


@pytest.mark.parametrize(("when", "day", "tertial"), TERTIAL_NIGHTS, ids=[str(t[0]) for t in TERTIAL_NIGHTS])
def test_nightly_run_key_and_tertial_tag(defs, when, day, tertial):
    """The run key makes one run per Stockholm night (the doubled 02:00 in October too); the tertial tag
    names the tertial of that day."""
    natt = defs.resolve_schedule_def("natt")
    data = natt.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=when))
    assert data.skip_message is None
    [request] = data.run_requests
    assert request.run_key == f"natt-{day}"
    assert request.tags["jobbtorg/tertial"] == tertial
    assert request.tags["jobbtorg/trigger"] == "natt"


def test_dagster_ticks_the_schedule_once_a_night_across_daylight_saving(defs):
    """What the daemon will actually pass as scheduled time around both DST nights of 2024: one tick per
    night, at 02:00 local (03:00 on the night 02:00 does not exist), and so one run key per night."""
    from dagster._utils.schedules import cron_string_iterator  # the daemon's own tick iterator

    natt = defs.resolve_schedule_def("natt")
    for first in (datetime(2024, 3, 29, 12, tzinfo=STOCKHOLM), datetime(2024, 10, 25, 12, tzinfo=STOCKHOLM)):
        ticks = cron_string_iterator(first.timestamp(), natt.cron_schedule, natt.execution_timezone)
        local = [next(ticks).astimezone(STOCKHOLM) for _ in range(4)]
        days = [t.date().isoformat() for t in local]
        assert len(set(days)) == 4, local  # one tick per night, none doubled or dropped
        assert [t.hour for t in local] == [3 if d == "2024-03-31" else 2 for d in days], local
        keys = [
            natt.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=t)).run_requests[0].run_key
            for t in local
        ]
        assert keys == [f"natt-{d}" for d in days]


def test_nightly_schedule_without_scheduled_time_uses_today_in_stockholm(defs):
    """The schedule's own fallback for an evaluation without a tick time (`... or datetime.now(STOCKHOLM)`)
    must give today's Stockholm date and tertial, not crash."""
    natt = defs.resolve_schedule_def("natt")
    before = datetime.now(STOCKHOLM).date()
    [request] = natt.evaluate_tick(dg.build_schedule_context()).run_requests
    after = datetime.now(STOCKHOLM).date()
    assert (request.run_key, request.tags["jobbtorg/tertial"]) in {
        (f"natt-{day.isoformat()}", f"{day.year}-T{(day.month - 1) // 4 + 1}") for day in (before, after)
    }


# --- the new-extract sensor -------------------------------------------------------------------------------


def _age(*paths: Path, seconds: float = LONG_AGO) -> None:
    """Set mtimes `seconds` in the past (payment files count only once unchanged for SETTLE_SECONDS)."""
    when = time.time() - seconds
    for path in paths:
        os.utime(path, (when, when))


@dataclass
class Watched:
    """A source folder and the sensor as deployed on it, evaluated tick by tick like the daemon does."""

    settings: Settings
    cursor: str | None = None
    keys: list[str] = field(default_factory=list)

    @property
    def source(self) -> Path:
        return self.settings.source_dir

    def tick(self, *, cursor: str | bool | None = True) -> dg.SensorExecutionData:
        """One evaluation; by default with the cursor of the previous one (cursor=None: a lost cursor)."""
        sensor = build_definitions(self.settings).resolve_sensor_def("ny_leverans")
        context = dg.build_sensor_context(
            cursor=self.cursor if cursor is True else cursor,
            resources={"jobbtorg": JobbtorgResource.from_settings(self.settings)},
        )
        data = sensor.evaluate_tick(context)
        if cursor is True:
            self.cursor = data.cursor
        self.keys.extend(r.run_key for r in data.run_requests)
        return data

    def expect_run(self, *delivered: str) -> dg.RunRequest:
        data = self.tick()
        assert data.skip_message is None
        [request] = data.run_requests
        assert request.tags["jobbtorg/trigger"] == "ny leverans"
        for what in delivered:
            assert what in request.tags["jobbtorg/leverans"]
        return request

    def expect_nothing(self) -> str:
        before = self.cursor
        data = self.tick()
        assert data.run_requests == [], [r.tags for r in data.run_requests]
        assert data.skip_message
        assert self.cursor == before  # nothing consumed: a later tick still sees what is pending
        return data.skip_message


@pytest.fixture
def watched(tmp_path: Path, small_generated_source: Path) -> Watched:
    """A copy of the small generated source, every file long settled, with the first delivery seen."""
    source = shutil.copytree(small_generated_source, tmp_path / "source")
    _age(*source.rglob("*"))
    w = Watched(settings_for(tmp_path, source, settle_seconds=extract.SETTLE_SECONDS))
    w.expect_run("snapshot 2020-10-01", "new utbetalningar_2016-10.csv")  # the tag is cut at 200 chars
    return w


def _new_snapshot(source: Path, name: str, *, complete: bool, settled: bool = True) -> Path:
    """A later snapshot: a copy of the newest complete one, `_SUCCESS` written last (as the exporter does);
    `settled`: written long enough ago that nothing in it is still changing."""
    folder = shutil.copytree(corrupt.newest_snapshot(source), source / "arendesystem" / name)
    (folder / "_SUCCESS").unlink()
    if complete:
        (folder / "_SUCCESS").touch()
    _age(*folder.iterdir(), seconds=LONG_AGO if settled else 0)
    return folder


def test_sensor_is_deployed_running_on_the_job_at_the_configured_interval(tmp_path):
    settings = replace(settings_for(tmp_path, tmp_path / "source"), sensor_interval=17)
    sensor = build_definitions(settings).resolve_sensor_def("ny_leverans")
    assert sensor.job_name == ALL_ASSETS_JOB
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds == 17


def test_the_same_delivery_never_starts_a_second_run(watched):
    """Evaluating again with the returned cursor: nothing new, nothing requested."""
    assert watched.expect_nothing() == "no new delivery"
    assert watched.expect_nothing() == "no new delivery"
    assert len(watched.keys) == 1


def test_new_complete_snapshot_starts_a_run(watched):
    _new_snapshot(watched.source, "2020-10-08", complete=True)
    watched.expect_run("snapshot 2020-10-08")
    watched.expect_nothing()


def test_a_snapshot_just_completed_waits_until_it_settles(watched):
    """`_SUCCESS` written a moment ago: payment files of the same delivery may still be on their way."""
    folder = _new_snapshot(watched.source, "2020-10-08", complete=True, settled=False)
    assert "arendesystem/2020-10-08/_SUCCESS" in watched.expect_nothing()
    _age(*folder.iterdir(), seconds=extract.SETTLE_SECONDS + 5)
    watched.expect_run("snapshot 2020-10-08")


def test_incomplete_snapshot_starts_nothing_until_success_appears(watched):
    """A snapshot still being exported (no `_SUCCESS`) is not a delivery; once `_SUCCESS` is there it is."""
    folder = _new_snapshot(watched.source, "2020-10-08", complete=False)
    watched.expect_nothing()
    (folder / "_SUCCESS").touch()
    _age(folder / "_SUCCESS", seconds=extract.SETTLE_SECONDS + 5)
    watched.expect_run("snapshot 2020-10-08")


def test_a_snapshot_and_payment_files_delivered_together_start_one_run(watched):
    """One delivery, one run: while the payment files of a delivery are still being copied, the snapshot
    that came with it (complete and settled) waits for them, and then both start a single run."""
    snapshot = _new_snapshot(watched.source, "2020-10-08", complete=True, settled=False)
    folder = watched.source / "utbetalningar"
    new = folder / "utbetalningar_2020-11.csv"
    shutil.copyfile(folder / "utbetalningar_2020-10.csv", new)  # being copied: mtime now
    redelivered = folder / "utbetalningar_2020-09.csv"
    corrupt.append_lines(redelivered, [corrupt.read_lines(redelivered)[1][1]])  # overwritten just now
    waiting = watched.expect_nothing()
    assert "utbetalningar/utbetalningar_2020-11.csv" in waiting
    assert "utbetalningar/utbetalningar_2020-09.csv" in waiting
    _age(*snapshot.iterdir(), seconds=extract.SETTLE_SECONDS + 5)  # the snapshot has settled ...
    _age(redelivered, seconds=extract.SETTLE_SECONDS + 5)
    waiting = watched.expect_nothing()  # ... but one payment file is still changing
    assert "utbetalningar_2020-11.csv" in waiting and "2020-10-08" not in waiting
    _age(new, seconds=extract.SETTLE_SECONDS + 5)
    watched.expect_run(
        "snapshot 2020-10-08", "new utbetalningar_2020-11.csv", "re-delivered utbetalningar_2020-09.csv"
    )
    watched.expect_nothing()
    assert len(watched.keys) == 2  # the first delivery (the fixture's) and this one


def test_an_abandoned_incomplete_snapshot_does_not_hold_back_settled_payments(watched):
    """An export that stopped without `_SUCCESS` long ago is no delivery and does not block others."""
    _new_snapshot(watched.source, "2020-10-08", complete=False, settled=True)
    folder = watched.source / "utbetalningar"
    new = folder / "utbetalningar_2020-11.csv"
    shutil.copyfile(folder / "utbetalningar_2020-10.csv", new)
    _age(new)
    request = watched.expect_run("new utbetalningar_2020-11.csv")
    assert "snapshot" not in request.tags["jobbtorg/leverans"]


def test_new_payment_file_starts_a_run(watched):
    folder = watched.source / "utbetalningar"
    new = folder / "utbetalningar_2020-11.csv"
    shutil.copyfile(folder / "utbetalningar_2020-10.csv", new)
    _age(new)
    request = watched.expect_run("new utbetalningar_2020-11.csv")
    assert "snapshot" not in request.tags["jobbtorg/leverans"]
    watched.expect_nothing()


@pytest.mark.parametrize("change", ["new content", "same content, new mtime"])
def test_redelivered_payment_file_starts_a_run(watched, change):
    """An overwritten month (new size or only a new modification time) is a re-delivery."""
    path = watched.source / "utbetalningar" / "utbetalningar_2020-09.csv"
    if change == "new content":
        _, lines = corrupt.read_lines(path)
        corrupt.append_lines(path, [lines[1]])
    _age(path, seconds=LONG_AGO / 2)  # a later mtime than before, still settled
    watched.expect_run("re-delivered utbetalningar_2020-09.csv")
    watched.expect_nothing()


def test_payment_file_still_being_written_waits_until_it_settles(watched):
    """A file modified just now may be half copied: no run until it has been unchanged SETTLE_SECONDS."""
    folder = watched.source / "utbetalningar"
    new = folder / "utbetalningar_2020-11.csv"
    shutil.copyfile(folder / "utbetalningar_2020-10.csv", new)  # mtime: now
    watched.expect_nothing()
    _age(new, seconds=extract.SETTLE_SECONDS - 5)
    watched.expect_nothing()
    _age(new, seconds=extract.SETTLE_SECONDS + 5)
    watched.expect_run("new utbetalningar_2020-11.csv")


def test_redelivery_in_progress_waits_until_it_settles(watched):
    """An existing month being overwritten right now is neither a re-delivery yet nor a deletion."""
    path = watched.source / "utbetalningar" / "utbetalningar_2020-09.csv"
    corrupt.append_lines(path, [corrupt.read_lines(path)[1][1]])  # mtime: now
    watched.expect_nothing()
    _age(path, seconds=extract.SETTLE_SECONDS + 5)
    watched.expect_run("re-delivered utbetalningar_2020-09.csv")


def test_run_keys_are_unique_per_state_and_the_same_for_the_same_state(watched):
    """The run key is derived from the state: a lost cursor cannot make Dagster start a delivery twice,
    and every new state gets a key of its own."""
    first_key = watched.keys[0]
    for _ in range(2):
        [again] = watched.tick(cursor=None).run_requests  # no cursor at all
        assert again.run_key == first_key
    assert watched.tick(cursor="").run_requests[0].run_key == first_key  # an empty cursor

    _new_snapshot(watched.source, "2020-10-08", complete=True)
    second_key = watched.expect_run().run_key
    assert watched.tick(cursor=None).run_requests[0].run_key == second_key

    new = watched.source / "utbetalningar" / "utbetalningar_2020-11.csv"
    shutil.copyfile(watched.source / "utbetalningar" / "utbetalningar_2020-10.csv", new)
    _age(new)
    third_key = watched.expect_run().run_key
    assert watched.tick(cursor=None).run_requests[0].run_key == third_key
    assert len({first_key, second_key, third_key}) == 3


def test_postgres_source_is_left_to_the_nightly_schedule(tmp_path, small_generated_source):
    """With the case system read from PostgreSQL there is no folder to watch: skip, never a run."""
    settings = replace(
        settings_for(tmp_path, small_generated_source),
        source_kind="postgres",
        pg_dsn="host=127.0.0.1 port=5432 dbname=arende",
    )
    data = Watched(settings).tick()
    assert data.run_requests == []
    assert "PostgreSQL" in data.skip_message


@pytest.mark.parametrize("layout", ["no source folder", "empty", "only an incomplete snapshot"])
def test_no_complete_snapshot_is_skipped(tmp_path, layout):
    source = tmp_path / "source"
    if layout != "no source folder":
        source.mkdir()
    if layout == "only an incomplete snapshot":
        who = pnr("19800101", 1, woman=True)
        builder = SourceBuilder(source, "2020-10-01").inskrivning("I1", who, "2020-01-15")
        builder.utbetalning("U1", who, "2020-01", "4500").write(complete=False)
        _age(*source.rglob("*"))
    data = Watched(settings_for(tmp_path, source)).tick()
    assert data.run_requests == []
    assert "no complete snapshot" in data.skip_message
    assert data.cursor is None  # the payment file must still count as new once a snapshot is complete


# --- the alert sensors ------------------------------------------------------------------------------------


@dataclass
class Webhook:
    url: str
    received: list[tuple[dict[str, str], bytes]]


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """A tiny HTTP endpoint on 127.0.0.1 that records every POST; stopped at the end."""
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Webhook(f"http://127.0.0.1:{server.server_address[1]}/larm", received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()


@pytest.fixture(scope="module")
def blocked(tmp_path_factory, small_generated_source) -> tuple[dg.DagsterInstance, dg.DagsterRun]:
    """A real run blocked by a check: the newest snapshot's insatser.csv cut in half (truncation)."""
    work = tmp_path_factory.mktemp("blockerad")
    source = corrupt.copy_source(small_generated_source, work / "source")
    path = corrupt.newest_snapshot(source) / "insatser.csv"
    encoding, lines = corrupt.read_lines(path)
    corrupt.write_lines(path, encoding, lines[: len(lines) // 2])
    instance = dg.DagsterInstance.ephemeral()
    run = run_pipeline(work, source, instance=instance)
    assert not run.success
    return instance, instance.get_run_by_id(run.result.run_id)


def _event(instance: dg.DagsterInstance, run: dg.DagsterRun, kind: dg.DagsterEventType) -> dg.DagsterEvent:
    [record] = instance.all_logs(run.run_id, of_type=kind)
    return record.dagster_event


def _fire(name: str, settings: Settings, instance: dg.DagsterInstance, run: dg.DagsterRun, kind) -> None:
    """Evaluate the deployed run-status sensor `name` on `run`, as the daemon does when the run ends."""
    sensor = build_definitions(settings).resolve_sensor_def(name)
    context = dg.build_run_status_sensor_context(
        sensor_name=name,
        dagster_event=_event(instance, run, kind),
        dagster_instance=instance,
        dagster_run=run,
        resources={"jobbtorg": JobbtorgResource.from_settings(settings)},
    )
    assert sensor(context) is None


def _lines(settings: Settings) -> list[dict]:
    return [json.loads(line) for line in settings.alerts_file.read_text(encoding="utf-8").splitlines()]


def test_alert_sensors_are_deployed_and_on_by_default(defs):
    failed = defs.resolve_sensor_def("larm_misslyckad_korning")
    cancelled = defs.resolve_sensor_def("larm_avbruten_korning")
    assert isinstance(failed, dg.RunStatusSensorDefinition)
    assert isinstance(cancelled, dg.RunStatusSensorDefinition)
    assert failed.default_status == cancelled.default_status == dg.DefaultSensorStatus.RUNNING


def test_blocked_run_alert_in_file_and_webhook(tmp_path, blocked, webhook, capsys):
    """A blocking check: status BLOCKERAD, the check's name and its reason, in the file and at the webhook."""
    instance, run = blocked
    assert run.status == dg.DagsterRunStatus.FAILURE
    settings = replace(settings_for(tmp_path, tmp_path / "source"), alert_webhook=webhook.url)
    _fire("larm_misslyckad_korning", settings, instance, run, dg.DagsterEventType.RUN_FAILURE)

    [line] = _lines(settings)
    assert line["run_id"] == run.run_id
    assert line["jobb"] == ALL_ASSETS_JOB
    assert line["status"] == "BLOCKERAD"
    assert line["kontroller"] == ["raw/insatser:inte_trunkerad"]
    assert line["steg"] == []  # the step that ran the check is not a second problem
    assert line["orsak"].startswith("check raw/insatser:inte_trunkerad did not pass: ")
    assert "arendesystem/2020-10-01/insatser.csv" in line["orsak"]
    assert datetime.fromisoformat(line["tid"]).tzinfo is not None

    [(headers, body)] = webhook.received
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == line
    assert f"run {run.run_id} BLOCKERAD" in capsys.readouterr().err  # the ERROR line in the sensor's log


def test_failed_step_alert_names_the_step_and_its_root_cause(tmp_path, small_generated_source):
    """A run that fails without a check (no complete snapshot): status FAILURE, the step, the user's error."""
    source = corrupt.copy_source(small_generated_source, tmp_path / "source")
    for marker in source.rglob("_SUCCESS"):
        marker.unlink()
    instance = dg.DagsterInstance.ephemeral()
    result = run_pipeline(tmp_path / "work", source, instance=instance)
    run = instance.get_run_by_id(result.result.run_id)
    _fire("larm_misslyckad_korning", result.settings, instance, run, dg.DagsterEventType.RUN_FAILURE)
    [line] = _lines(result.settings)
    assert line["status"] == "FAILURE"
    assert line["kontroller"] == []
    assert "arendesystem" in line["steg"]
    assert line["orsak"].startswith("step arendesystem failed: SourceError: No complete snapshot")


@pytest.fixture
def bad_webhook(request) -> Iterator[str]:
    """A webhook URL that misbehaves as `request.param` says; any helper thread is stopped at the end."""
    how = request.param
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/larm"
        if how == "connection refused":
            listener.close()  # nobody listens there any more
            yield url
            return
        listener.listen(4)
        if how == "never answers":
            yield url  # the kernel accepts the connection and the request; no answer ever comes back
            return
        stop = threading.Event()
        listener.settimeout(0.2)

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.recv(65536)
                    if how == "HTTP 500":
                        conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
                    # "hangs up": close without a word

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield url
        finally:
            stop.set()
            thread.join(timeout=5)
            assert not thread.is_alive()


@pytest.mark.parametrize(
    "bad_webhook", ["connection refused", "never answers", "hangs up", "HTTP 500"], indirect=True
)
def test_webhook_that_does_not_answer_loses_no_alert(tmp_path, blocked, bad_webhook, monkeypatch, capsys):
    """The line is in the file first; the webhook's failure is a warning, not a failed sensor evaluation."""
    instance, run = blocked
    monkeypatch.setattr(alerts, "WEBHOOK_TIMEOUT", 1)  # 10 s in production; the behaviour is the same
    settings = replace(settings_for(tmp_path, tmp_path / "source"), alert_webhook=bad_webhook)
    started = time.monotonic()
    _fire("larm_misslyckad_korning", settings, instance, run, dg.DagsterEventType.RUN_FAILURE)
    assert time.monotonic() - started < 10
    [line] = _lines(settings)
    assert line["run_id"] == run.run_id
    assert line["status"] == "BLOCKERAD"
    err = capsys.readouterr().err
    assert "the alert webhook failed" in err
    assert str(settings.alerts_file) in err


def test_a_malformed_webhook_url_loses_no_alert(tmp_path, blocked, capsys):
    """Not a network error but a bad setting (ValueError from urllib): still a warning, and the line."""
    instance, run = blocked
    settings = replace(settings_for(tmp_path, tmp_path / "source"), alert_webhook="inte en adress")
    _fire("larm_misslyckad_korning", settings, instance, run, dg.DagsterEventType.RUN_FAILURE)
    [line] = _lines(settings)
    assert line["run_id"] == run.run_id
    assert "the alert webhook failed (ValueError" in capsys.readouterr().err


def test_cancelled_run_alert(tmp_path, webhook):
    """A run cancelled from the UI (or by run monitoring) is an alert too, with who started it."""
    settings = replace(settings_for(tmp_path, tmp_path / "source"), alert_webhook=webhook.url)
    instance = dg.DagsterInstance.ephemeral()
    job = build_definitions(settings).resolve_job_def(ALL_ASSETS_JOB)
    run = instance.create_run_for_job(job, tags={"jobbtorg/trigger": "natt"})
    instance.report_run_canceling(run)
    instance.report_run_canceled(run)
    run = instance.get_run_by_id(run.run_id)
    assert run.status == dg.DagsterRunStatus.CANCELED
    _fire("larm_avbruten_korning", settings, instance, run, dg.DagsterEventType.RUN_CANCELED)

    [line] = _lines(settings)
    assert line["run_id"] == run.run_id
    assert line["status"] == "CANCELED"
    assert line["utlost_av"] == "natt"
    assert line["orsak"] == "the run ended CANCELED"
    assert line["kontroller"] == line["steg"] == []
    [(_, body)] = webhook.received
    assert json.loads(body) == line


def test_alert_helpers_append_and_never_overwrite(tmp_path, blocked):
    """`alert()` + `record()` directly: a second alert is appended (the file is tailed by monitoring)."""
    instance, run = blocked
    path = tmp_path / "larm" / "larm.jsonl"
    log = dg.get_dagster_logger("test_larm")
    for _ in range(2):
        alerts.record(alerts.alert(instance, run), path, None, log)
    first, second = (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines())
    assert first["run_id"] == second["run_id"] == run.run_id
    assert first["kontroller"] == second["kontroller"] == ["raw/insatser:inte_trunkerad"]
