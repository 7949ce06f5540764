"""/export in the chat, and an imported archive surfacing in review, through the real bot."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

from db.models import Reviewer
from db.uow import Database
from domain.reports import Organization
from services.imports import ImportService, read_import_file
from services.reports import ReportService
from tests.bot.test_review_flow import JOBS_REPORT, SOURCE, _count, _rate_with_source
from tests.conftest import ADMIN_ID, BotHarness, shown
from tests.support.botapi import SentMessage


async def _document(bot: BotHarness, command: str) -> tuple[str, str, bytes]:
    before = set(bot.server.messages)
    bot.say(ADMIN_ID, command)
    sent = await bot.server.wait_for_message(
        ADMIN_ID,
        lambda m: (m.chat_id, m.message_id) not in before and m.document is not None,
    )
    return sent.document_name or "", sent.caption or "", sent.document or b""


async def test_export_formats_and_filters_in_the_chat(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await _rate_with_source(bot, 1, "False", SOURCE)
    await _rate_with_source(bot, 2, "True", "https://example.org/unemployment")
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")

    mark = bot.server.mark()
    name, caption, data = await _document(bot, "/export json")
    assert name == "factdesk-verdicts.json" and "2 recorded verdict(s)" in caption
    action = await bot.server.wait_for("sendChatAction", after=mark)
    upload = await bot.server.wait_for("sendDocument", after=mark)
    assert action.params["action"] == "upload_document" and action.at <= upload.at
    assert [o["verdict"] for o in json.loads(data)] == ["False", "True"]

    name, caption, data = await _document(bot, "/export claimreview verdict false")
    assert name == "factdesk-verdicts.jsonld" and "(verdict false)" in caption
    reviews = json.loads(data)
    assert [r["reviewRating"]["alternateName"] for r in reviews] == ["False"]
    assert reviews[0]["author"]["@type"] == "Organization"

    name, caption, data = await _document(bot, "/export html since 2026-01-01 reviewer Ann")
    assert name == "factdesk-verdicts.html"
    page = data.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 3
    assert SOURCE in page

    name, _, data = await _document(bot, "/export")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert name == "factdesk-verdicts.csv" and len(rows) == 2

    await bot.reply_to(ADMIN_ID, "/export html until 2000-01-01", "nothing to export")
    usage = await bot.reply_to(ADMIN_ID, "/export pdf", "Usage: /export")
    assert "unknown format 'pdf'" in shown(usage)


def _named(filename: str) -> Callable[[SentMessage], bool]:
    return lambda message: message.document_name == filename


async def test_big_export_arrives_in_parts_that_join_into_the_whole(
    bot: BotHarness, tmp_path: Path
) -> None:
    rng = random.Random(11)
    words = ["jobs", "rents", "wages", "crime", "exports", "taxes", "Ohio", "Kenya", "rose", "fell"]
    archive = tmp_path / "archive.csv"
    with archive.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["claim", "verdict", "source"])
        for i in range(3_000):
            claim = " ".join(rng.choice(words) for _ in range(12)) + f" {rng.random()}"
            writer.writerow([claim, "False", f"https://fc.example/{i}"])
    services = bot.application.bot_data["services"]
    assert ImportService(services.db).import_source(read_import_file(archive)).added == 3_000
    # Telegram's 50 MB upload limit scaled down, so that a small archive needs several parts
    settings = services.settings
    small_uploads = ReportService(
        services.db,
        Organization(settings.factdesk_org_name, settings.factdesk_org_url),
        upload_limit=80_000,
    )
    bot.application.bot_data["services"] = dataclasses.replace(services, reports=small_uploads)

    bot.say(ADMIN_ID, "/export csv")
    first = await bot.server.wait_for_message(ADMIN_ID, lambda m: m.document is not None)
    assert first.caption is not None and "part 1 of " in first.caption
    parts = int(first.caption.split("part 1 of ")[1].split(":")[0])
    assert parts >= 2
    sent = [
        await bot.server.wait_for_message(ADMIN_ID, _named(f"factdesk-verdicts.csv.zip.{n:03d}"))
        for n in range(1, parts + 1)
    ]

    assert all(len(m.document or b"") <= 80_000 for m in sent)
    assert all("3,000 recorded verdict(s)" in (m.caption or "") for m in sent)
    with zipfile.ZipFile(io.BytesIO(b"".join(m.document or b"" for m in sent))) as packed:
        rows = list(csv.DictReader(io.StringIO(packed.read("factdesk-verdicts.csv").decode())))
    assert len(rows) == 3_000
    assert {row["source"] for row in rows} == {f"https://fc.example/{i}" for i in range(3_000)}


async def test_export_refused_to_strangers(bot: BotHarness) -> None:
    stranger = 4243
    await bot.reply_to(stranger, "/export html", "reviewers only")
    await bot.reply_to(stranger, "/export claimreview since 2026-11-01", "reviewers only")
    assert not any(m.document is not None for m in bot.server.messages.values())
    assert _count(bot, Reviewer) == 0


async def test_imported_archive_is_checked_before(bot: BotHarness, tmp_path: Path) -> None:
    path = tmp_path / "archive.csv"
    path.write_text(
        "claim,verdict,source,date,reviewer\n"
        '"The U.S. economy added 175,000 jobs in April, the Labor Department said on Friday, '
        'fewer than the 240,000 economists had expected.",pants-fire,'
        "https://www.politifact.com/jobs,2026-05-03,PolitiFact\n",
        encoding="utf-8",
    )
    engine = bot.application.bot_data["services"].db.engine
    summary = ImportService(Database(engine)).import_source(read_import_file(path))
    assert summary.added == 1

    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card = await bot.card(ADMIN_ID, 1)
    text = shown(card)
    assert "Checked before: False" in text
    assert "https://www.politifact.com/jobs" in text and "by PolitiFact" in text
