"""Sources: the extracts read as they are (all text) into the internal database's `raw` schema."""

from datetime import timedelta

import dagster as dg
from dagster import AssetExecutionContext

from jobbtorg_pipeline import code_version
from jobbtorg_pipeline.provenance import CASE_SYSTEM, PAYMENTS, forget, record_load
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource, table_metadata
from jobbtorg_pipeline.sources import read_case_system, read_payments
from jobbtorg_pipeline.sources.files import LoadedFile
from jobbtorg_pipeline.sources.leverans import LEVERANS, payment_fingerprints, read_record
from jobbtorg_pipeline.warehouse import connect_internal, remove_leftovers

GROUP = "sources"
CASE_SYSTEM_TABLES = ("raw.inskrivningar", "raw.insatser")

# The newest payment month delivered, as an asset of its own: the payments asset is materialised by every
# run (it reads what is new and keeps the rest), so only this asset says when a new month arrived (the
# run that first reads it materialises it). A month is delivered after it ends, by the 10th of the next
# month: at 09:00 Stockholm time on the 10th a month must have arrived since midnight on the 1st, else
# the asset shows as stale in the UI until one does.
UTBETALNINGSMANAD = dg.AssetKey(["raw", "utbetalningsmanad"])
LEVERANSDAG = 10
utbetalningsmanad = dg.AssetSpec(
    UTBETALNINGSMANAD,
    group_name=GROUP,
    kinds={"csv"},
    description="The newest payment month delivered (metadata `manad`), recorded by the run that first reads "
    f"it. Stale when no new month has arrived in a month by the {LEVERANSDAG}th, 09:00 Stockholm time: "
    "a payment month is delivered after it ends. A PostgreSQL source has no monthly files and never "
    "records one.",
    freshness_policy=dg.FreshnessPolicy.cron(
        deadline_cron=f"0 9 {LEVERANSDAG} * *",
        lower_bound_delta=timedelta(days=LEVERANSDAG - 1, hours=9),
        timezone="Europe/Stockholm",
    ),
)


def _recorded_month(instance: dg.DagsterInstance) -> str:
    """The newest payment month recorded so far, or ''."""
    event = instance.get_latest_materialization_event(UTBETALNINGSMANAD)
    recorded = (
        event.asset_materialization.metadata.get("manad") if event and event.asset_materialization else None
    )
    return recorded.value if isinstance(recorded, dg.TextMetadataValue) else ""


def _content(files: tuple[LoadedFile, ...], *about: str) -> list[str] | None:
    """What a load read, for its id: the code, `about` and every file by checksum; None when a file has
    none (it could not be read), so that such a load is never taken for another."""
    if any(f.fingerprint is None for f in files):
        return None
    return [code_version(), *about, *sorted(f"{f.label} {f.fingerprint.sha256}" for f in files)]


def _file_metadata(files: tuple[LoadedFile, ...]) -> dict[str, object]:
    rows = []
    for f in files:
        fp = f.fingerprint
        encoding = f"{fp.encoding}{' (BOM)' if fp.bom else ''}" if fp else ""
        digest = f"`{fp.sha256[:12]}`" if fp else ""
        lines = "" if f.fysiska_rader is None else f"{f.fysiska_rader:,}"
        read = "an earlier run" if f.redan_last else "this run"
        rows.append(
            f"| {f.label} | {encoding} | {lines} | {f.rader:,} | {f.avvisade:,} | {f.inneslutna_rader:,} "
            f"| {f.tomma_rader:,} | {digest} | {read} | {f.problem or ''} |"
        )
    table = (
        "| file | encoding | data lines | rows | rejected lines | lines inside a row | blank lines | sha256 "
        "| read by | problem |\n|---|---|---:|---:|---:|---:|---:|---|---|---|\n"
    )
    return {
        "files": dg.MetadataValue.md(table + "\n".join(rows)),
        "files_read": sum(not f.redan_last for f in files),
        "files_kept": sum(f.redan_last for f in files),
        "rows_read": sum(f.rader + f.avvisade for f in files),
        "rejected_lines": sum(f.avvisade for f in files),
        "lines_inside_rows": sum(f.inneslutna_rader for f in files),
        "blank_lines": sum(f.tomma_rader for f in files),
        "unreadable_files": sum(f.problem is not None for f in files),
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "inskrivningar"],
            group_name=GROUP,
            kinds={"duckdb", "csv"},
            description="Registrations from the newest complete case-system snapshot, as text.",
        ),
        dg.AssetSpec(
            ["raw", "insatser"],
            group_name=GROUP,
            kinds={"duckdb", "csv"},
            description="Insatser from the same snapshot, as text.",
        ),
    ],
    name="arendesystem",
    pool=DUCKDB_POOL,
)
def arendesystem(context: AssetExecutionContext, jobbtorg: JobbtorgResource):
    """Both files of one snapshot in one step, so they can never come from different snapshots."""
    settings = jobbtorg.settings
    for leftover in remove_leftovers(settings):
        context.log.info(f"removed {leftover.name}, left behind by an interrupted run")
    with connect_internal(settings) as con:
        forget(con, CASE_SYSTEM_TABLES)  # a load that fails part way leaves them resting on nothing known
        loaded = read_case_system(con, settings)
        snapshot = loaded.snapshot
        record_load(
            con,
            CASE_SYSTEM,
            CASE_SYSTEM_TABLES,
            f"the case-system snapshot {snapshot.path.name} (uttagsdatum {snapshot.uttagsdatum})",
            context.run.run_id,
            _content(loaded.files, f"uttagsdatum {snapshot.uttagsdatum}"),
        )
        context.log.info(f"snapshot {snapshot.path.name} (uttagsdatum {snapshot.uttagsdatum})")
        for folder, why in snapshot.skipped:
            context.log.warning(f"snapshot folder {folder} not used: {why}")
        for name in snapshot.unknown:
            context.log.warning(
                f"{name} not read: an unknown file (a snapshot holds only inskrivningar.csv, insatser.csv "
                "and _SUCCESS)"
            )
        for f in loaded.files:
            if f.problem:
                context.log.error(f.problem)
            extra = {
                "snapshot": snapshot.path.name,
                "skipped_snapshots": dg.MetadataValue.json([list(s) for s in snapshot.skipped]),
                "unknown_files": list(snapshot.unknown),
                "unknown_columns": list(f.okanda_kolumner),
                **_file_metadata((f,)),
            }
            if settings.source_kind == "files":
                extra[LEVERANS] = dg.MetadataValue.json(read_record(settings, snapshot=snapshot.path.name))
            yield dg.MaterializeResult(
                asset_key=["raw", f.kalla], metadata=table_metadata(con, f"raw.{f.kalla}", extra=extra)
            )


@dg.asset(
    key=["raw", "utbetalningar"],
    group_name=GROUP,
    kinds={"duckdb", "csv"},
    deps=[["raw", "inskrivningar"]],
    pool=DUCKDB_POOL,
)
def raw_utbetalningar(context: AssetExecutionContext, jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
    """Payments of ekonomiskt bistånd: the latest delivery of every payment month, as text. A delivery is
    read once: later runs keep its rows until its file changes or goes."""
    settings = jobbtorg.settings
    before = payment_fingerprints(settings.source_dir) if settings.source_kind == "files" else {}
    with connect_internal(settings) as con:
        forget(con, ["raw.utbetalningar"])
        loaded = read_payments(con, settings)
        months = sorted(f.manad for f in loaded.files if f.manad)
        span = (
            f"{len(months)} months, {months[0]} to {months[-1]}" if months else f"{len(loaded.files)} tables"
        )
        record_load(
            con,
            PAYMENTS,
            ["raw.utbetalningar"],
            f"the payments ({span})",
            context.run.run_id,
            _content(loaded.files),
        )
        kept = sum(f.redan_last for f in loaded.files)
        if kept:
            context.log.info(
                f"{kept} of {len(loaded.files)} deliveries unchanged since an earlier run read them: "
                "their rows were kept, not read again"
            )
        for name in loaded.replaced:
            context.log.info(f"{name} replaced by a later delivery of the same month")
        for name, why in loaded.skipped:
            context.log.warning(f"{name} not read: {why}")
        for late in loaded.under_delivery:
            context.log.warning(
                f"{late.path.name} not read: it changed {late.age:.0f} s ago and may still be being "
                f"copied (under {settings.settle_seconds} s unchanged); the next run reads it"
            )
        for f in loaded.files:
            if f.problem:
                context.log.error(f.problem)
        if months and months[-1] > _recorded_month(context.instance):
            context.log_event(dg.AssetMaterialization(UTBETALNINGSMANAD, metadata={"manad": months[-1]}))
        extra = {
            "months": len(loaded.files),
            "replaced_deliveries": list(loaded.replaced),
            "skipped_files": dg.MetadataValue.json([list(s) for s in loaded.skipped]),
            "under_delivery": [late.path.name for late in loaded.under_delivery],
            **_file_metadata(loaded.files),
        }
        if settings.source_kind == "files":
            late = {late.path.name for late in loaded.under_delivery}
            read = {name: fp for name, fp in before.items() if name not in late}
            extra[LEVERANS] = dg.MetadataValue.json(read_record(settings, payments=read))
        return dg.MaterializeResult(metadata=table_metadata(con, "raw.utbetalningar", extra=extra))
