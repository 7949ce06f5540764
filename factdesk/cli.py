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
    from telegram.ext import Application

    from db.uow import Database
    from domain.archived import ArchivedVerdict
    from domain.extraction import Extraction
    from factdesk.config import Settings
    from services.archive import ClaimArchive
    from services.import_workers import ChunkPreparation
    from services.imports import ImportSummary

app = typer.Typer(
    help="Factdesk: a Telegram bot for fact-check review teams.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
app.add_typer(db_app, name="db")
index_app = typer.Typer(help="The search index of archived claims.", no_args_is_help=True)
app.add_typer(index_app, name="index")
logger = logging.getLogger("factdesk")


def _settings() -> Settings:
    from factdesk.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as error:
        _fail(str(error))


def _fail(message: str) -> NoReturn:
    typer.echo(f"factdesk: {message}", err=True)
    raise typer.Exit(2)


_TOKEN_REJECTED = (
    "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): the bot was deleted or the token "
    "revoked; copy the current token from @BotFather"
)


@app.command()
def run() -> None:
    """Start the bot (long polling), after bringing the database schema up to date."""
    import asyncio

    from telegram.error import InvalidToken

    from bot.app import build_application
    from db.migrate import upgrade
    from factdesk.config import ConfigError
    from factdesk.logs import setup_logging

    settings = _settings()
    try:
        token = settings.require_token()
    except ConfigError as error:
        _fail(str(error))
    setup_logging(settings.factdesk_log_level, _secrets_of(settings, token))
    if not asyncio.run(_token_accepted(settings, token)):
        _fail(_TOKEN_REJECTED)
    upgrade(settings.database_url)
    application = build_application(settings)
    logger.info("Factdesk is starting (admins: %s)", len(settings.factdesk_admins))
    try:
        _serve(application, settings)
    except InvalidToken:
        _fail(_TOKEN_REJECTED)
    logger.info("Factdesk stopped")


def _secrets_of(settings: Settings, token: str) -> list[str]:
    """What the logs must never show: the token, the webhook secret, the database password
    (when it is long enough that scrubbing it cannot mangle ordinary words)."""
    from sqlalchemy.engine import make_url

    found = [token]
    if settings.factdesk_webhook_secret is not None:
        found.append(settings.factdesk_webhook_secret.get_secret_value())
    password = make_url(settings.database_url).password
    if password is not None and len(str(password)) >= 8:
        found.append(str(password))
    return found


async def _token_accepted(settings: Settings, token: str) -> bool:
    """Ask Telegram (getMe) whether it knows the token, before anything else starts.

    PTB would find out too, but only after logging a traceback of the rejection. Any other
    failure (Telegram unreachable for a moment) is left to PTB's own start-up and retries.
    """
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    bot = Bot(token, base_url=settings.telegram_api_url, base_file_url=settings.file_url)
    try:
        async with bot:
            return True
    except InvalidToken:
        return False
    except TelegramError as error:
        logger.warning("could not check the token with Telegram yet (%s)", error)
        return True


def _serve(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Long polling, or the webhook server (with /healthz) when FACTDESK_WEBHOOK_URL is set."""
    import asyncio

    from bot.app import ALLOWED_UPDATES
    from bot.polling import serve_polling
    from bot.webhook import run_webhook

    if settings.factdesk_webhook_url:
        run_webhook(application, settings)
    else:
        asyncio.run(
            serve_polling(
                application,
                poll_timeout=settings.factdesk_poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
            )
        )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest version."""
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database schema is up to date")


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup")],
) -> None:
    """Back the database up to FILE (SQLite: online backup; PostgreSQL: pg_dump)."""
    from db.backup import BackupError, backup

    settings = _settings()
    try:
        result = backup(settings.database_url, file)
    except BackupError as error:
        _fail(str(error))
    typer.echo(f"backed up the database to {result.path} ({result.bytes:,} bytes)")


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `factdesk db backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the database without asking")] = False,
) -> None:
    """Replace the database's content with the backup in FILE (stop the bot first)."""
    from db.backup import BackupError, restore

    settings = _settings()
    if not yes:
        if not sys.stdin.isatty():
            _fail("restore replaces everything in the database: pass --yes to confirm")
        typer.confirm(
            "This replaces everything in the database with the backup. Continue?", abort=True
        )
    try:
        restore(settings.database_url, file)
    except BackupError as error:
        _fail(str(error))
    typer.echo(f"restored the database from {file}")


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
    include_history: Annotated[
        bool,
        typer.Option(
            "--include-history", help="Also retractions, retracted and superseded verdicts"
        ),
    ] = False,
) -> None:
    """Export recorded verdicts (to stdout unless -o is given)."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.uow import Database
    from domain.reports import ExportRequestError, Organization, build_request
    from services.reports import ReportService

    settings = _settings()
    try:
        request = build_request(
            fmt=fmt,
            since=since,
            until=until,
            article=None if article is None else str(article),
            reviewer=reviewer,
            verdict=verdict,
            include_history=include_history,
        )
    except ExportRequestError as error:
        _fail(str(error))
    org = Organization(settings.factdesk_org_name, settings.factdesk_org_url)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    reports = ReportService(Database(engine), org)
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
    from services.import_workers import ChunkPreparation

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
    settings = _settings()
    db = _database(settings)
    try:
        archive = _open_archive(settings, db, embed=False)
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
        db.dispose()


def _load_with_progress(name: str, prepared: ChunkPreparation) -> ImportSummary:
    """Schema check and loading, with a progress bar on a terminal. The workers are on the file
    by the time this runs, so the database layer loads while they work."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from db.engine import make_engine
    from db.migrate import upgrade
    from db.uow import Database
    from services.imports import ImportService

    settings = _settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    service = ImportService(Database(engine))
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
    settings = _settings()
    # Lines from stdin are answered as they arrive, so another program can keep one process open
    # and ask one question at a time.
    queries = iter(texts) if texts else (line.strip() for line in sys.stdin)
    db = _database(settings)
    try:
        archive = _open_archive(settings, db)
        try:
            for query in queries:
                if query:
                    _print_matches(query, archive.search(None, query, limit=limit), as_json=as_json)
                    sys.stdout.flush()
        finally:
            archive.close()
    finally:
        db.dispose()


def _database(settings: Settings) -> Database:
    """The database, its schema brought up to date first (as every command does)."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.uow import Database

    upgrade(settings.database_url)
    return Database(make_engine(settings.database_url))


def _open_archive(settings: Settings, db: Database, *, embed: bool = True) -> ClaimArchive:
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
            db,
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

    settings = _settings()
    db = _database(settings)
    try:
        archive = _open_archive(settings, db, embed=False)
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
        db.dispose()


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


@app.command()
def extract(
    source: Annotated[
        str, typer.Argument(metavar="[FILE|URL|-]", help="A file, an http(s) link, or - for stdin")
    ] = "-",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
    limit: Annotated[
        int | None,
        typer.Option(min=0, help="Claims offered at most (default FACTDESK_MAX_CLAIMS; 0: all)"),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list the sentences that are not offered")
    ] = False,
    sentences: Annotated[
        bool, typer.Option("--sentences", help="Each input line is one sentence, scored alone")
    ] = False,
) -> None:
    """Pick the check-worthy claims out of an article, as the bot does, in article order."""
    from domain.extraction import extract as extract_article
    from domain.extraction import score_sentences

    settings = _settings()
    text = _article_text(source, settings)
    if not text.strip():
        _fail(f"{'stdin' if source == '-' else source} has no text to read")
    cap = settings.factdesk_max_claims if limit is None else (limit or None)
    numbers: list[int] | None = None
    if sentences:
        lines = text.splitlines()
        numbers = [n for n, line in enumerate(lines, start=1) if line.strip()]
        result = score_sentences(lines, max_claims=cap)
    else:
        result = extract_article(text[: settings.factdesk_max_article_chars], max_claims=cap)
    _print_extraction(result, as_json=as_json, show_all=show_all, line_numbers=numbers)


def _article_text(source: str, settings: Settings) -> str:
    """The text behind a file name, a link or stdin; unreadable input ends the command (2)."""
    from domain.documents import DocumentError, document_text

    if source.startswith(("http://", "https://")):
        import asyncio

        from domain.links import ArticleFetcher, LinkError

        fetcher = ArticleFetcher(
            allow_private=settings.factdesk_allow_private_urls,
            timeout=settings.factdesk_fetch_timeout,
        )
        try:
            return asyncio.run(fetcher.fetch(source)).text
        except LinkError as error:
            _fail(f"{source}: {error}")
    name = "stdin.txt" if source == "-" else source
    try:
        content = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        return document_text(content, name, None)
    except OSError as error:
        _fail(f"cannot read {source}: {error.strerror or error}")
    except DocumentError as error:
        _fail(f"{name}: {error}")


def _print_extraction(
    result: Extraction, *, as_json: bool, show_all: bool, line_numbers: list[int] | None
) -> None:
    """Claims (or every weighed sentence with --all) to stdout; notes about them to stderr.

    With --sentences, each JSON object also gives the input ``line`` it answers.
    """
    import json

    if result.fallback:
        typer.echo(
            f"factdesk: the text reads as {result.language!r}; the model knows English only, so "
            "claims were scored by figures, names and attributions",
            err=True,
        )
    shown = result.scored if show_all else result.claims
    line_of = dict(zip(map(id, result.scored), line_numbers or [], strict=False))
    for item in shown:
        if as_json:
            row: dict[str, object] = {
                "text": item.text,
                "score": item.score,
                "claim": item.offered,
                "position": item.position,
                "sentence": item.sentence,
                "claimant": item.claimant,
                "language": result.language,
            }
            if line_numbers is not None:
                row["line"] = line_of[id(item)]
            typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            mark = " " if item.offered else "-"
            who = f"  [{item.claimant}]" if item.claimant else ""
            typer.echo(f"{item.score:.2f} {mark} {item.text}{who}")
    if result.withheld:
        typer.echo(
            f"factdesk: {result.withheld} more check-worthy sentences not offered "
            "(the cap; --limit 0 offers all)",
            err=True,
        )


def main() -> None:
    """The console script: a database problem or a crash is reported without leaking secrets.

    A database that cannot be reached is one line and exit code 3 (try again later); one that
    refuses the login, or that does not exist, is one line and exit code 2 (fix DATABASE_URL).
    Any other error prints its traceback with the token scrubbed, exit code 1.

    Each command closes what it opened (database connections, scratch files), so the exit can
    skip the garbage collection passes over every object SQLAlchemy, Alembic and pydantic loaded:
    0.2 s of each command's run time.
    """
    try:
        app()
    except Exception as error:
        from sqlalchemy.exc import DBAPIError

        if isinstance(error, DBAPIError):
            message, code = describe_database_error(error)
            typer.echo(f"factdesk: {message}", err=True)
            raise SystemExit(code) from None
        import traceback

        from factdesk.logs import scrub

        typer.echo(scrub(traceback.format_exc()), err=True)
        raise SystemExit(1) from None
    finally:
        gc.freeze()


_LOGIN_REFUSED = (
    "password authentication failed",
    "authentication failed",
    "no password supplied",
    "role ",
    "permission denied",
    "no pg_hba.conf entry",
)


def describe_database_error(error: Exception) -> tuple[str, int]:
    """One line for the operator and the exit code: 2 for a setting to fix, 3 to try again."""
    orig = getattr(error, "orig", None) or error
    reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    reason = reason.removeprefix("connection failed: ")
    text = str(orig).lower()
    if any(marker in text for marker in _LOGIN_REFUSED):
        return f"the database refused the login ({reason}); check DATABASE_URL", 2
    if "database" in text and "does not exist" in text:
        return f"the database does not exist ({reason}); create it or fix DATABASE_URL", 2
    if "unable to open database file" in text:
        return f"the SQLite database file cannot be opened ({reason}); check DATABASE_URL", 2
    return f"the database cannot be reached ({reason}); try again", 3
