"""Great Expectations 1.x on the pipeline's own DuckDB connection: expectations pushed down as SQL.

Everything this project needs to know about running GX on DuckDB is in this module:

- There is no DuckDB data source in GX; a SQL data source with the `duckdb-engine` driver is used. Its
  SQLAlchemy engine gets a `creator` that hands out cursors of *our* connection, so GX shares the
  pipeline's DuckDB instance and configuration (a second `duckdb.connect` with another configuration is
  refused in the same process) and lets go of the file when we close that connection.
- GX reads results after closing its connection unless the dialect is one it keeps a connection for
  (upstream GX issues 10738 and 11579): without `_keep_one_connection` every expectation fails with an
  empty result. `tests/test_gx_duckdb.py` fails when an upgrade changes either side of this.
- GX reflects a table's columns without its schema; a query asset (`SELECT ... FROM staging.x`) avoids it.
- Regex expectations are not supported for DuckDB by GX; this project uses none.
- GX compiles the Data Docs templates afresh for every page; the views of a process share one Jinja
  environment instead (`_share_template_environments`), which keeps the compiled templates.
- Setting up a context, its data source and its Data Docs site costs more than a small validation:
  the checks of one step share a session (`Validations`), which builds the step's pages once at its end.
- An ephemeral context serialises its configuration into a store nobody reads after each change; it
  saves nothing here (`_skip_ephemeral_saves`).

GX is imported here only, when a check runs (the import takes seconds).
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from jobbtorg_pipeline.quality.rules import Expect

DOCS_SITE = "jobbtorg"
_PATCHED = False
_SHARED_TEMPLATES = False


@dataclass(frozen=True)
class Outcome:
    """One expectation's result, tied to the rule or indicator it belongs to."""

    name: str
    kind: str
    success: bool
    unexpected_count: int | None
    observed: Any
    examples: list[Any]
    error: str | None


def _keep_one_connection() -> None:
    """Make GX keep one connection for DuckDB, as it does for SQLite."""
    global _PATCHED
    if _PATCHED:
        return
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    class _DuckDB(str):
        value = "duckdb"

    engine._PERSISTED_CONNECTION_DIALECTS = (*engine._PERSISTED_CONNECTION_DIALECTS, _DuckDB("duckdb"))
    _PATCHED = True


def _share_template_environments() -> None:
    """Let every Data Docs view of a kind share one Jinja environment in this process.

    GX gives each view a fresh environment, so every page compiles its templates anew: about half of a
    small run's checks went there. A view holds no state beyond its custom template folders (part of the
    key), and its filters are its methods, so views of one class with the same folders are
    interchangeable; the environment caches the compiled templates.
    """
    global _SHARED_TEMPLATES
    if _SHARED_TEMPLATES:
        return
    from great_expectations.render.view.view import DefaultJinjaView

    shared: dict[tuple[type, Any, Any], Any] = {}
    built = DefaultJinjaView.__init__

    def __init__(self: Any, custom_styles_directory: Any = None, custom_views_directory: Any = None) -> None:
        built(self, custom_styles_directory, custom_views_directory)
        self.env = shared.setdefault((type(self), custom_styles_directory, custom_views_directory), self.env)

    DefaultJinjaView.__init__ = __init__  # type: ignore[method-assign]
    _SHARED_TEMPLATES = True


def _skip_ephemeral_saves() -> None:
    """An ephemeral context writes its whole configuration as YAML into an in-memory store after each
    change (four per check), a store nothing reads back: a sixth of a check's CPU. Save nothing."""
    from great_expectations.data_context.data_context_variables import EphemeralDataContextVariables

    EphemeralDataContextVariables.save = lambda self: None  # type: ignore[method-assign]


def _fill(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return params[value[1:-1]]
    return value


class Validations:
    """One Great Expectations context for several validations on one connection (one check step): the
    context, its SQL data source and its Data Docs site are set up once, and the Data Docs pages of every
    validation are built once, when the session closes. A context per validation made these a third of
    a small run's checks.

        with Validations(con, docs_dir) as gx:
            outcomes, page = gx.validate(suite=..., query=..., expectations=...)

    A page is written when the session closes (after a failure too, for what was validated); the path
    `validate` returns is where it will be.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, docs_dir: Path | None = None) -> None:
        self._con = con
        self._docs_dir = docs_dir
        self._context: Any = None
        self._source: Any = None
        self._build_dir: Path | None = None
        self._lent: dict[str, duckdb.DuckDBPyConnection] = {}
        self._validated = 0

    def __enter__(self) -> Validations:
        import great_expectations as gx
        from duckdb_engine import ConnectionWrapper
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        _keep_one_connection()
        _share_template_environments()
        _skip_ephemeral_saves()
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),  # no /tmp litter
            progress_bars=ProgressBarsConfig(globally=False),  # no tqdm bars in the run log
        )
        self._context = gx.get_context(mode="ephemeral", project_config=config)
        if self._docs_dir is not None:
            # GX's site builder deletes the pages of validations it does not know, so it builds into a
            # fresh folder and the pages are merged into the shared Data Docs afterwards.
            self._docs_dir.mkdir(parents=True, exist_ok=True)
            self._build_dir = Path(tempfile.mkdtemp(prefix=".bygge-", dir=self._docs_dir.parent))
            self._context.add_data_docs_site(
                site_name=DOCS_SITE,
                site_config={
                    "class_name": "SiteBuilder",
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(self._build_dir),
                    },
                },
            )
        # GX's engine outlives the session; it reaches our connection only through `lent`, emptied at
        # the end
        lent = self._lent
        lent["con"] = self._con
        self._source = self._context.data_sources.add_sql(
            name="intern",
            connection_string="duckdb:///:memory:",  # names the dialect; connections come from `creator`
            kwargs={"creator": lambda: ConnectionWrapper(lent["con"].cursor())},
        )
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._build_dir is not None and self._docs_dir is not None and self._validated:
                self._context.build_data_docs(site_names=[DOCS_SITE])
                shutil.copytree(self._build_dir, self._docs_dir, dirs_exist_ok=True)
                _rebuild_index(self._docs_dir)
        finally:
            _forget(self._context)
            self._lent.clear()
            if self._build_dir is not None:
                shutil.rmtree(self._build_dir, ignore_errors=True)

    def validate(
        self,
        *,
        suite: str,
        query: str,
        expectations: Sequence[tuple[str, Expect]],
        params: dict[str, Any] | None = None,
    ) -> tuple[list[Outcome], Path | None]:
        """Validate the rows of `query` against (name, expectation) pairs.

        Returns the outcomes in the order given and this validation's Data Docs page (None without a
        Data Docs folder). A suite name is used once per session.
        """
        import great_expectations as gx
        import great_expectations.expectations as gxe

        params = params or {}
        context = self._context
        # a query asset must start with SELECT (a WITH query is wrapped)
        asset = self._source.add_query_asset(name=suite, query=f"SELECT * FROM ({query}) AS underlag")
        batch = asset.add_batch_definition_whole_table("alla")
        expectation_suite = context.suites.add(gx.ExpectationSuite(name=suite))
        # A suite holds an expectation once; rules that declare the same one (both duplicate rules expect
        # a unique id) share its result.
        owners: dict[tuple[str, str], list[str]] = {}
        unique: dict[tuple[str, str], Expect] = {}
        for name, expect in expectations:
            identity = (expect.kind, repr(sorted(expect.kwargs.items())))
            owners.setdefault(identity, []).append(name)
            unique[identity] = expect
        for number, (identity, expect) in enumerate(unique.items()):
            kwargs = {key: _fill(value, params) for key, value in expect.kwargs.items()}
            meta = {"nummer": number, "regler": owners[identity]}
            expectation_suite.add_expectation(getattr(gxe, expect.kind)(**kwargs, meta=meta))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite, data=batch, suite=expectation_suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=suite,
                validation_definitions=[definition],
                # the validation is kept in the context's store, for the Data Docs built at the end
                actions=[],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
            )
        )
        run = checkpoint.run()
        self._validated += 1
        ((identifier, result),) = run.run_results.items()
        page = None
        if self._docs_dir is not None:
            page = self._docs_dir / "validations" / Path(*identifier.to_tuple()).with_suffix(".html")
        grouped: dict[str, list[Any]] = {}
        for r in result.results:
            for name in (r.expectation_config.meta or {}).get("regler", []):
                grouped.setdefault(name, []).append(r)
        outcomes = [_outcome(name, grouped[name]) for name in dict.fromkeys(name for name, _ in expectations)]
        return outcomes, page


def validate(
    con: duckdb.DuckDBPyConnection,
    *,
    suite: str,
    query: str,
    expectations: Sequence[tuple[str, Expect]],
    params: dict[str, Any] | None = None,
    docs_dir: Path | None = None,
) -> tuple[list[Outcome], Path | None]:
    """One validation in a session of its own: its outcomes in the order given and its Data Docs page
    (None without `docs_dir`)."""
    with Validations(con, docs_dir) as session:
        return session.validate(suite=suite, query=query, expectations=expectations, params=params)


KEEP_PER_SUITE = 10


def _rebuild_index(docs_dir: Path) -> None:
    """Our own Data Docs index over every suite, newest validation first.

    Each check builds its docs in an ephemeral GX context that only knows its own validation, so GX's
    index.html would list just the last one. The validation pages themselves stay; the ten newest per
    suite are kept.
    """
    pages: dict[str, list[Path]] = {}
    for page in (docs_dir / "validations").glob("*/*/*/*.html"):
        pages.setdefault(page.relative_to(docs_dir / "validations").parts[0], []).append(page)
    rows = []
    for suite in sorted(pages):
        newest = sorted(pages[suite], key=lambda p: p.parent.name, reverse=True)
        for old in newest[KEEP_PER_SUITE:]:
            shutil.rmtree(old.parent, ignore_errors=True)
        links = " ".join(
            f'<a href="{html.escape(p.relative_to(docs_dir).as_posix())}">{html.escape(p.parent.name)}</a>'
            for p in newest[:KEEP_PER_SUITE]
        )
        rows.append(f"<tr><td>{html.escape(suite)}</td><td>{links}</td></tr>")
    (docs_dir / "index.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>JUST-team rules: Data Docs</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:.3em 1em;vertical-align:top}</style>"
        "</head><body><h1>JUST-team rules: Great Expectations validations</h1>"
        "<p>One suite per check (asset and check name); the newest validation first. "
        "See docs/just-rules.md for what each rule checks.</p>"
        f"<table><tr><th>suite</th><th>validations (UTC)</th></tr>{''.join(rows)}</table></body></html>",
        encoding="utf-8",
    )


def _forget(context: Any) -> None:
    """Let go of the context, which GX keeps in a module global, and close its engine's connections.

    SQLAlchemy still keeps a few objects alive until the process exits, and DuckDB's bindings then print
    a leak report; harmless, and the `jobbtorg` command exits without the interpreter's teardown."""
    from great_expectations.data_context.data_context.context_factory import project_manager

    for source in list(context.data_sources.all().values()):
        engine = getattr(source, "_execution_engine", None)
        if engine is not None:
            engine.close()
    project_manager.set_project(None)


def _outcome(name: str, results: list[Any]) -> Outcome:
    """One outcome per rule: a rule may need several expectations (one per required column, say)."""
    errors = [
        (r.exception_info or {}).get("exception_message")
        for r in results
        if (r.exception_info or {}).get("raised_exception")
    ]
    data = [r.result or {} for r in results]
    counts = [d["unexpected_count"] for d in data if d.get("unexpected_count") is not None]
    observed = [d["observed_value"] for d in data if d.get("observed_value") is not None]
    examples = [_plain(v) for d in data for v in d.get("partial_unexpected_list") or []]
    return Outcome(
        name=name,
        kind=", ".join(dict.fromkeys(r.expectation_config.type for r in results)),
        success=all(r.success for r in results),
        unexpected_count=sum(counts) if counts else None,
        observed=observed[0] if len(observed) == 1 else (observed or None),
        examples=examples[:5],
        error=errors[0] if errors else None,
    )


def _plain(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, type(None))) else str(value)
