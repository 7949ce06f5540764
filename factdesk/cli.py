"""The `factdesk` command: run the bot, manage the database, export verdicts."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from factdesk.config import ConfigError, Settings, load_settings

app = typer.Typer(
    help="Factdesk: a Telegram bot for fact-check review teams.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
app.add_typer(db_app, name="db")
logger = logging.getLogger("factdesk")


def _settings() -> Settings:
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
    from factdesk.logs import setup_logging

    settings = _settings()
    try:
        token = settings.require_token()
    except ConfigError as error:
        _fail(str(error))
    setup_logging(settings.factdesk_log_level, [token])
    upgrade(settings.database_url)
    application = build_application(settings)
    logger.info("Factdesk is starting (admins: %s)", len(settings.factdesk_admins))
    application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
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
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="csv")] = "csv",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write")] = None,
) -> None:
    """Export recorded verdicts (to stdout unless -o is given)."""
    from db.engine import make_engine
    from domain.reports import ReportService

    if fmt.lower() != "csv":
        _fail(f"unknown format {fmt!r}; available: csv")
    reports = ReportService(make_engine(_settings().database_url))
    if output is None:
        reports.write_csv(sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as stream:
        count = reports.write_csv(stream)
    typer.echo(f"wrote {count} verdicts to {output}", err=True)


def main() -> None:
    app()
