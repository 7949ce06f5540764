"""The `factdesk` command: run the bot, manage the database, export verdicts.

Each command imports what it needs when it runs. Importing this module stays cheap because the
worker processes of `factdesk import` import it again (multiprocessing re-imports the main
module), and `factdesk --help` should answer at once.
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from domain.import_workers import ChunkPreparation
    from domain.imports import ImportSummary
    from factdesk.config import Settings
    from services.archive import ArchivedVerdict, ClaimArchive

app = typer.Typer(
    help="Factdesk: a Telegram bot for fact-check review teams.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
app.add_typer(db_app, name="db")
index_app = typer.Typer(help="The search index of archived claims.", no_args_is_help=True)
app.add_typer(index_app, name="index")
logger = logging.getLogger("factdesk")
WEBHOOK_PATH = "telegram"


def _settings() -> Settings:
    from factdesk.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as error:
        _fail(str(error))


def _fail(message: str) -> NoReturn:
    typer.echo(f"factdesk: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def run() -> None:
    """Start the bot (long polling), after bringing the database schema up to date."""
    from bot.app import ALLOWED_UPDATES, build_application
    from db.migrate import upgrade
    from factdesk.config import ConfigError
    from factdesk.logs import setup_logging

    settings = _settings()
    try:
        token = settings.require_token()
    except ConfigError as error:
        _fail(str(error))
    secrets = [token, *(s.get_secret_value() for s in [settings.factdesk_webhook_secret] if s)]
    setup_logging(settings.factdesk_log_level, secrets)
    upgrade(settings.database_url)
    application = build_application(settings)
    logger.info("Factdesk is starting (admins: %s)", len(settings.factdesk_admins))
    if settings.factdesk_webhook_url:
        secret = settings.factdesk_webhook_secret
        application.run_webhook(
            listen=settings.factdesk_webhook_listen,
            port=settings.factdesk_webhook_port,
            url_path=WEBHOOK_PATH,
            webhook_url=f"{settings.factdesk_webhook_url.rstrip('/')}/{WEBHOOK_PATH}",
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            timeout=settings.factdesk_poll_timeout,
        )
    logger.info("Factdesk stopped")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest version."""
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database schema is up to date")


@app.command()
def export(
    fmt: Annotated[
        str, typer.Argument(metavar="FORMAT", help="csv, json, claimreview or html")
    ] = "csv",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write")] = None,
    since: Annotated[str | None, typer.Option(help="From this day on (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="Up to and including this day")] = None,
    article: Annotated[int | None, typer.Option(help="Only this article's claims")] = None,
    reviewer: Annotated[str | None, typer.Option(help="Name, @username or Telegram id")] = None,
    verdict: Annotated[str | None, typer.Option(help="Verdict(s), comma-separated")] = None,
) -> None:
    """Export recorded verdicts (to stdout unless -o is given)."""
    from db.engine import make_engine
    from domain.reports import ExportRequestError, Organization, ReportService, build_request

    settings = _settings()
    try:
        request = build_request(
            fmt=fmt,
            since=since,
            until=until,
            article=None if article is None else str(article),
            reviewer=reviewer,
            verdict=verdict,
        )
    except ExportRequestError as error:
        _fail(str(error))
    org = Organization(settings.factdesk_org_name, settings.factdesk_org_url)
    engine = make_engine(settings.database_url)
    reports = ReportService(engine, org)
    try:
        if output is None:
            reports.export(request, sys.stdout)
            return
        with output.open("w", encoding="utf-8", newline="") as stream:
            count = reports.export(request, stream)
    finally:
        engine.dispose()
    typer.echo(f"wrote {count} verdicts to {output}", err=True)


@app.command("import")
def import_archive(
    file: Annotated[Path, typer.Argument(help="CSV, JSON or ClaimReview JSON-LD file")],
    show: Annotated[int, typer.Option(help="How many rejected rows to list")] = 50,
    embed: Annotated[
        str,
        typer.Option(
            help="Embed the claims now, later (words first; `factdesk index fill` or the "
            "running bot embeds them), or auto: now up to FACTDESK_EMBED_NOW_LIMIT claims"
        ),
    ] = "auto",
) -> None:
    """Import an archive of past fact-checks so that matching knows them."""
    if embed not in ("auto", "now", "later"):
        _fail(f"--embed must be auto, now or later, not {embed!r}")
    from domain.import_files import ImportFileError, read_import_file
    from domain.import_workers import ChunkPreparation

    try:
        source = read_import_file(file)
    except OSError as error:
        _fail(f"cannot read {file}: {error.strerror or error}")
    except ImportFileError as error:
        _fail(f"{file}: {error}")
    try:
        with ChunkPreparation(source) as prepared:
            summary = _load_with_progress(file.name, prepared)
    except KeyboardInterrupt:
        typer.echo(
            "factdesk: import interrupted; the rows loaded so far are kept, "
            "and running the same import again adds the rest",
            err=True,
        )
        raise typer.Exit(130) from None
    _print_import_summary(file, summary, show)
    _index_import(embed)


def _index_import(embed: str) -> None:
    """Bring the claim index up to date with the import: words always, meaning by ``embed``."""
    from db.engine import make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        archive = _open_archive(settings, engine, embed=False)
        try:
            pending = archive.pending_embeddings()
            now = embed == "now" or (
                embed == "auto" and pending <= settings.factdesk_embed_now_limit
            )
            if pending and now:
                _fill_embeddings(archive)
            elif pending:
                typer.echo(
                    f"{pending} claims are matched by their words until they are embedded: "
                    "run `factdesk index fill` (the running bot fills them too)",
                    err=True,
                )
        finally:
            archive.close()
    finally:
        engine.dispose()


def _load_with_progress(name: str, prepared: ChunkPreparation) -> ImportSummary:
    """Schema check and loading, with a progress bar on a terminal. The workers are on the file
    by the time this runs, so the database layer loads while they work."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from db.engine import make_engine
    from db.migrate import upgrade
    from domain.imports import ImportService

    settings = _settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    service = ImportService(engine)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    console = Console(stderr=True)
    source = prepared.source
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        task = progress.add_task(f"importing {name} ({source.kind})", total=source.total)
        try:
            return service.load(prepared, progress=lambda n: progress.advance(task, n))
        finally:
            engine.dispose()


def _print_import_summary(file: Path, summary: ImportSummary, show: int) -> None:
    for rejection in summary.rejected[:show]:
        typer.echo(f"{file}: {rejection.where}: {rejection.reason}", err=True)
    if len(summary.rejected) > show:
        typer.echo(f"… and {len(summary.rejected) - show} more rejected rows", err=True)
    if summary.unknown_verdicts:
        words = ", ".join(f"{w!r} ({n})" for w, n in summary.unknown_verdicts.most_common())
        typer.echo(f"unknown verdict words: {words}", err=True)
    typer.echo(
        f"{summary.added} added, {summary.duplicates} skipped as duplicates, "
        f"{len(summary.rejected)} rejected"
    )


@app.command()
def search(
    texts: Annotated[
        list[str] | None, typer.Argument(metavar="TEXT…", help="Texts to look up (or stdin)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per text")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Candidates per text")] = 5,
) -> None:
    """Look texts up in the archive of checked claims, best match first."""
    from db.engine import make_engine

    settings = _settings()
    # Lines from stdin are answered as they arrive, so another program can keep one process open
    # and ask one question at a time.
    queries = iter(texts) if texts else (line.strip() for line in sys.stdin)
    engine = make_engine(settings.database_url)
    try:
        archive = _open_archive(settings, engine)
        try:
            for query in queries:
                if query:
                    _print_matches(query, archive.search(query, limit=limit), as_json=as_json)
                    sys.stdout.flush()
        finally:
            archive.close()
    finally:
        engine.dispose()


def _open_archive(settings: Settings, engine: Engine, *, embed: bool = True) -> ClaimArchive:
    """The claim archive with its index opened (or rebuilt, with a progress bar on a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from services.archive import ClaimArchive

    console = Console(stderr=True)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        task = progress.add_task("building the claim index", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return ClaimArchive.open(
            engine,
            index_dir=settings.index_dir,
            similar_threshold=settings.factdesk_similar_threshold,
            poll_seconds=settings.factdesk_index_poll_ms / 1000,
            progress=advance,
            embed=embed,
            embed_limit=settings.factdesk_embed_now_limit,
        )


def _fill_embeddings(archive: ClaimArchive, *, limit: int | None = None) -> int:
    """Embed archived claims that have no vector yet, with a progress bar on a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    pending = archive.pending_embeddings()
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        task = progress.add_task("embedding archived claims", total=pending)
        return archive.fill_embeddings(limit=limit, progress=lambda n: progress.advance(task, n))


@index_app.command("fill")
def index_fill(
    limit: Annotated[int | None, typer.Option(help="Stop after this many claims")] = None,
) -> None:
    """Embed the archived claims still matched by words only (after a large import)."""
    import time

    from db.engine import make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        archive = _open_archive(settings, engine, embed=False)
        try:
            start = time.perf_counter()
            done = _fill_embeddings(archive, limit=limit)
            seconds = time.perf_counter() - start
            rate = done / seconds if seconds > 0 else 0.0
            typer.echo(
                f"embedded {done} claims ({rate:.0f} claims/s); "
                f"{archive.pending_embeddings()} still pending"
            )
        finally:
            archive.close()
    finally:
        engine.dispose()


def _print_matches(query: str, found: list[ArchivedVerdict], *, as_json: bool) -> None:
    if as_json:
        import json

        matches = [
            {
                "claim": m.claim_text,
                "verdict": m.rating.label,
                "source": m.source_url,
                "score": round(m.score, 1),
                "same": m.same,
            }
            for m in found
        ]
        typer.echo(json.dumps({"query": query, "matches": matches}, ensure_ascii=False))
        return
    typer.echo(query)
    if not found:
        typer.echo("  no archived claim matches")
    for rank, m in enumerate(found, start=1):
        mark = "same" if m.same else "    "
        typer.echo(f"  {rank}. {m.score:5.1f} {mark} {m.rating.label}: {m.claim_text}")
        typer.echo(f"     source: {m.source_url or '—'}")


def main() -> None:
    """The console script: a database that cannot be reached is one line, not a traceback.

    Each command closes what it opened (database connections, scratch files), so the exit can
    skip the garbage collection passes over every object SQLAlchemy, Alembic and pydantic loaded:
    0.2 s of each command's run time.
    """
    try:
        app()
    except Exception as error:
        from sqlalchemy.exc import OperationalError

        if not isinstance(error, OperationalError):
            raise
        reason = str(error.orig or error).strip().splitlines()[0]
        typer.echo(f"factdesk: the database cannot be reached ({reason}); try again", err=True)
        raise SystemExit(3) from None
    finally:
        gc.freeze()
