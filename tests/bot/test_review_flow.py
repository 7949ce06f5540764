"""End to end: a reviewer checks articles through the real bot, over HTTP, on a real database."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from db.models import Article, Claim, Reviewer, Verdict
from tests.conftest import ADMIN_ID, BotHarness, shown
from tests.support.botapi import Call

JOBS_REPORT = """WASHINGTON (Reuters) - The U.S. economy added 175,000 jobs in April, the Labor \
Department said on Friday, fewer than the 240,000 economists had expected.
The unemployment rate rose to 3.9% from 3.8% in March, the highest level since January 2022.
What does this mean for the Federal Reserve?
Average hourly earnings increased 0.2% last month after rising 0.3% in March, the report showed.
Sign up for our newsletter.
Federal Reserve Chair Jerome Powell said on Wednesday that the central bank had raised interest \
rates 11 times since March 2022.
© 2024 Reuters. All rights reserved."""

FOLLOW_UP = """The US economy added 175000 jobs in April, the Labor Department said Friday, fewer \
than the 240,000 economists expected.
The unemployment rate rose to 4.9% from 3.8% in March, the highest level since January 2022.
Retail sales in the euro zone fell 0.5% in March, Eurostat said on Tuesday."""

SOURCE = "https://www.bls.gov/news.release/empsit.nr0.htm"


def _count(bot: BotHarness, model: type) -> int:
    engine = bot.application.bot_data["services"].db.engine
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _verdicts(bot: BotHarness) -> list[Verdict]:
    engine = bot.application.bot_data["services"].db.engine
    with Session(engine) as session:
        return list(session.exec(select(Verdict).order_by(col(Verdict.id))).all())


def _answer_to(query_id: str) -> Callable[[Call], bool]:
    return lambda call: call.params.get("callback_query_id") == query_id


async def _rate_with_source(bot: BotHarness, number: int, label: str, link: str) -> None:
    card = await bot.card(ADMIN_ID, number)
    bot.press(ADMIN_ID, card, label)
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card.message_id and "send" in shown(m).lower()
    )
    bot.say(ADMIN_ID, link)
    await bot.server.wait_for_message(
        ADMIN_ID,
        lambda m: m.message_id == card.message_id and "✔️ Verdict" in shown(m),
    )


async def test_welcome_and_help(bot: BotHarness) -> None:
    welcome = await bot.reply_to(ADMIN_ID, "/start", "Factdesk")
    assert "Send me an article" in shown(welcome)
    help_text = await bot.reply_to(ADMIN_ID, "/help", "Commands")
    for command in ("/cancel", "/nosource", "/export csv"):
        assert command in shown(help_text)
    registered = {c["command"] for c in bot.server.commands.get("default", [])} or {
        c["command"] for cmds in bot.server.commands.values() for c in cmds
    }
    assert {"start", "help", "cancel", "export"} <= registered


async def test_full_review_of_an_article(bot: BotHarness) -> None:
    progress = await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    assert "Reading" in shown(progress)

    # Claim 1: False, first with something that is not a link, then the source.
    card1 = await bot.card(ADMIN_ID, 1)
    assert "175,000 jobs" in shown(card1)
    assert len(bot.server.buttons(card1)) == 9  # 📄 Context, ✏️ Edit and the seven verdicts
    bot.press(ADMIN_ID, card1, "False")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card1.message_id and "Now send" in shown(m)
    )
    asked = await bot.reply_to(ADMIN_ID, "the BLS website", "waiting for its source link")
    assert "Read this message as a new article?" in shown(asked)
    complaint = await bot.reply_to(ADMIN_ID, "ftp://bls.gov", "not a usable link")
    assert "claim 1" in shown(complaint)
    bot.say(ADMIN_ID, SOURCE)
    logged = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card1.message_id and "✔️" in shown(m)
    )
    assert "False" in shown(logged) and SOURCE in shown(logged)
    assert bot.server.buttons(logged) == []

    # Claim 2: not a claim. Claim 3: skipped. Claim 4: unverifiable without a source.
    card2 = await bot.card(ADMIN_ID, 2)
    bot.press(ADMIN_ID, card2, "Not a claim")
    card3 = await bot.card(ADMIN_ID, 3)
    bot.press(ADMIN_ID, card3, "Skip")
    card4 = await bot.card(ADMIN_ID, 4)
    assert "Powell" in shown(card4)
    bot.press(ADMIN_ID, card4, "Unverifiable")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card4.message_id and "/nosource" in shown(m)
    )
    summary = await bot.reply_to(ADMIN_ID, "/nosource", "you reached its end")
    text = shown(summary)
    assert "is done" not in text  # a skipped claim is still open
    assert "False: 1" in text and "Not a claim: 1" in text and "Unverifiable: 1" in text
    assert "1 of 4 claim(s) still open" in text and "Not checked yet (skipped or new): 1" in text

    stored = _verdicts(bot)
    assert [(v.rating, v.source_url) for v in stored] == [
        ("false", SOURCE),
        ("not_a_claim", None),
        ("unverifiable", None),
    ]
    assert _count(bot, Claim) == 4

    # The export has the verdicts with who, when and which article.
    bot.say(ADMIN_ID, "/export csv")
    exported = await bot.server.wait_for_message(ADMIN_ID, lambda m: m.document is not None)
    rows = list(csv.DictReader(io.StringIO((exported.document or b"").decode("utf-8"))))
    assert [r["verdict"] for r in rows] == ["False", "Not a claim", "Unverifiable"]
    assert rows[0]["source"] == SOURCE
    assert rows[0]["claim"].startswith("The U.S. economy added 175,000 jobs")
    assert {r["reviewer"] for r in rows} == {"Ann"}
    assert all(r["reviewed_at"] and r["article_id"] for r in rows)
    assert "3 recorded verdict" in (exported.caption or "")


async def test_double_tap_records_one_verdict(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card1 = await bot.card(ADMIN_ID, 1)
    data = bot.button(card1, "Not a claim")
    taps = {
        bot.server.press_button(ADMIN_ID, card1, data),
        bot.server.press_button(ADMIN_ID, card1, data, must_exist=False),
    }
    await bot.card(ADMIN_ID, 2)
    answers = [await bot.server.wait_for("answerCallbackQuery", _answer_to(tap)) for tap in taps]
    told = [a.params.get("text") for a in answers if a.params.get("text")]
    assert len(told) == 1, "the losing tap is told why nothing happened"
    assert [v.rating for v in _verdicts(bot)] == ["not_a_claim"]
    cards_2 = [m for m in bot.server.bot_messages(ADMIN_ID) if shown(m).startswith("Claim 2")]
    assert len(cards_2) == 1

    # A double tap on a verdict that asks for a source: one pending verdict, one source prompt.
    card2 = cards_2[0]
    data = bot.button(card2, "True")
    bot.server.press_button(ADMIN_ID, card2, data)
    bot.server.press_button(ADMIN_ID, card2, data, must_exist=False)
    await bot.server.wait_for(
        "answerCallbackQuery", lambda c: "already waiting" in str(c.params.get("text", ""))
    )
    bot.say(ADMIN_ID, SOURCE)
    await bot.card(ADMIN_ID, 3)
    assert [v.rating for v in _verdicts(bot)] == ["not_a_claim", "true"]


async def test_restart_in_the_middle_continues(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await _rate_with_source(bot, 1, "Mostly true", SOURCE)
    card2 = await bot.card(ADMIN_ID, 2)
    bot.press(ADMIN_ID, card2, "Misleading")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card2.message_id and "Now send" in shown(m)
    )

    await bot.restart()

    bot.say(ADMIN_ID, "https://example.org/fed-statement")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card2.message_id and "Misleading" in shown(m)
    )
    card3 = await bot.card(ADMIN_ID, 3)
    assert "hourly earnings" in shown(card3)
    assert [v.rating for v in _verdicts(bot)] == ["mostly_true", "misleading"]

    # /claim shows where the walk stands, also after the restart.
    again = await bot.reply_to(ADMIN_ID, "/claim", "Claim 3 of 4")
    assert bot.server.buttons(again)


async def test_repeated_claim_shows_earlier_verdict(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await _rate_with_source(bot, 1, "False", SOURCE)
    await _rate_with_source(bot, 2, "True", "https://example.org/unemployment")
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")

    await bot.reply_to(ADMIN_ID, FOLLOW_UP, "found 3 claims")
    card1 = await bot.card(ADMIN_ID, 1)
    text = card1.text or ""
    assert "Checked before: False" in text
    assert SOURCE in text and "% match" in text and "by Ann" in text

    bot.press(ADMIN_ID, card1, "Reuse")
    card2 = await bot.card(ADMIN_ID, 2)
    # 4.9% is not 3.9%: the same sentence with another figure is at most similar.
    assert "Checked before" not in shown(card2)
    assert "Similar, not the same" in shown(card2)
    assert not any("Reuse" in label for label, _ in bot.server.buttons(card2))

    verdicts = _verdicts(bot)
    assert verdicts[-1].rating == "false" and verdicts[-1].source_url == SOURCE
    assert verdicts[-1].reused_from_id == verdicts[0].id


async def test_stranger_is_refused_and_nothing_stored(bot: BotHarness) -> None:
    stranger = 4242
    refusal = await bot.reply_to(stranger, JOBS_REPORT, "reviewers only")
    assert "not stored" in shown(refusal)
    await bot.reply_to(stranger, "/export csv", "reviewers only")
    assert _count(bot, Reviewer) == 0
    assert _count(bot, Article) == 0


async def test_unknown_command_and_empty_input(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, "/frobnicate", "don't know that command")
    await bot.reply_to(ADMIN_ID, "Lovely weather today!", "no check-worthy claims")
    await bot.reply_to(ADMIN_ID, "/nosource", "no verdict waiting")
    await bot.reply_to(ADMIN_ID, "/cancel", "no article in review")
    await bot.reply_to(ADMIN_ID, "/export csv", "nothing to export")


async def test_huge_document_is_read_in_part_and_said_so(bot: BotHarness) -> None:
    sentences = [
        f"Officials said district {i} spent ${i}.2 million on road repairs in {1000 + i}, "
        f"up {i % 50}% from the year before."
        for i in range(3000)
    ]
    content = " ".join(sentences).encode()
    assert len(content) > 200_000
    bot.server.send_document(ADMIN_ID, content, "roads.txt", "text/plain")
    progress = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: "Only the first 200,000 characters" in shown(m), timeout=30
    )
    assert "showing the 15 most check-worthy" in shown(progress) and "/more" in shown(progress)
    card = await bot.card(ADMIN_ID, 1)
    assert "Claim 1 of 15" in shown(card)


async def test_document_upload_and_bad_document(bot: BotHarness) -> None:
    bot.server.send_document(ADMIN_ID, JOBS_REPORT.encode("cp1252"), "jobs.txt", "text/plain")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "found 4 claims" in shown(m))
    await bot.card(ADMIN_ID, 1)
    bot.server.send_document(ADMIN_ID, b"\x89PNG\r\n", "chart.png", "image/png")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "I can read" in shown(m))


async def test_article_link_is_fetched_and_read(bot: BotHarness) -> None:
    from tests.domain.test_links import ARTICLE_HTML

    url = bot.server.add_page("jobs", ARTICLE_HTML)
    progress = await bot.reply_to(ADMIN_ID, url, "Fetching")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == progress.message_id and "found 3 claims" in shown(m)
    )
    card = await bot.card(ADMIN_ID, 1)
    assert "175,000 jobs" in shown(card)
    engine = bot.application.bot_data["services"].db.engine
    with Session(engine) as session:
        article = session.exec(select(Article)).one()
    assert (article.url, article.title, article.source_kind) == (
        url,
        "Jobs report: 175,000 added",
        "url",
    )


async def test_unreadable_link_gets_a_clear_reply(bot: BotHarness) -> None:
    url = bot.server.add_page("gone", "not here", status=404)
    progress = await bot.reply_to(ADMIN_ID, url, "Fetching")
    reply = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == progress.message_id and "could not read" in shown(m)
    )
    assert "HTTP 404" in shown(reply) and "paste the article" in shown(reply)
    assert _count(bot, Article) == 0


async def test_forwarded_post_is_an_article(bot: BotHarness) -> None:
    bot.server.send_text(ADMIN_ID, JOBS_REPORT, forward_from_chat_title="Wire Service Channel")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "found 4 claims" in shown(m))
    engine = bot.application.bot_data["services"].db.engine
    with Session(engine) as session:
        article = session.exec(select(Article)).one()
    assert (article.source_kind, article.title) == ("forward", "Wire Service Channel")


async def test_handler_failure_is_reported_and_logged(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card1 = await bot.card(ADMIN_ID, 1)
    engine = bot.application.bot_data["services"].db.engine
    with engine.begin() as connection:  # the schema breaks under the running bot
        connection.execute(text("ALTER TABLE review_session RENAME TO review_session_gone"))
    bot.press(ADMIN_ID, card1, "Not a claim")
    answer = await bot.server.wait_for(
        "answerCallbackQuery", lambda c: "Nothing was lost" in str(c.params.get("text", ""))
    )
    assert answer.params.get("show_alert") in (True, "true", "True")
    failures = [r for r in caplog.records if r.levelname == "ERROR" and "failed" in r.message]
    assert failures and "update" in failures[0].message
    assert any(str(u) in failures[0].message for u in range(1, 50))
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE review_session_gone RENAME TO review_session"))
    assert _verdicts(bot) == [], "the failed step wrote nothing"


async def _near_card(bot: BotHarness, text: str) -> str:
    """Send a one-claim article and give its card's text (then leave it pending)."""
    before = set(bot.server.messages)
    bot.say(ADMIN_ID, text)
    card = await bot.server.wait_for_message(
        ADMIN_ID,
        lambda m: (m.chat_id, m.message_id) not in before and "What is your verdict?" in shown(m),
    )
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    return shown(card)


async def test_a_paraphrase_is_checked_before_and_a_near_miss_only_similar(
    bot: BotHarness,
) -> None:
    """The same claim in other words comes back with its verdict and the reuse button; the same
    words with another figure, another person or a negation are only similar, with the
    difference named."""
    first = (
        "There are an estimated 8,000 ISIS fighters imprisoned in Syria, officials said.\n"
        "About 70,000 people are living in the al-Hol camp, the United Nations said on Monday.\n"
        "Obama deported more immigrants than any other president, the report said."
    )
    await bot.reply_to(ADMIN_ID, first, "found 3 claims")
    await _rate_with_source(bot, 1, "False", SOURCE)
    bot.press(ADMIN_ID, await bot.card(ADMIN_ID, 2), "Skip")
    await _rate_with_source(bot, 3, "True", SOURCE)

    await bot.reply_to(
        ADMIN_ID,
        "Roughly 8,000 Islamic State militants are being held in jails in Syria, officials said.",
        "found 1 claim",
    )
    card = await bot.card(ADMIN_ID, 1)
    assert "Checked before: False" in shown(card) and SOURCE in shown(card)
    assert any("Reuse" in label for label, _ in bot.server.buttons(card))
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")

    before = set(bot.server.messages)
    bot.say(
        ADMIN_ID, "There are an estimated 18,000 ISIS fighters imprisoned in Syria, officials said."
    )
    near = await bot.server.wait_for_message(
        ADMIN_ID,
        lambda m: (m.chat_id, m.message_id) not in before and "What is your verdict?" in shown(m),
    )
    assert "Checked before" not in shown(near)
    assert "Similar, not the same" in shown(near) and "8000 → 18000" in shown(near).replace(",", "")
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")

    person = await _near_card(
        bot, "Clinton deported more immigrants than any other president, the report said."
    )
    assert "Checked before" not in person
    assert "Similar, not the same" in person and "another person: Obama / Clinton" in person
    negated = await _near_card(
        bot, "Obama did not deport more immigrants than any other president, the report said."
    )
    assert "Checked before" not in negated
    assert "Similar, not the same" in negated and "negated" in negated


async def test_an_acronym_spelled_out_is_checked_before_and_a_swapped_comparison_only_similar(
    bot: BotHarness,
) -> None:
    """ "The NHS" and "the National Health Service" are one claim (the card offers the earlier
    verdict and its reuse); the same comparison with its two terms swapped is only similar, with
    the swap named."""
    first = (
        "The NHS is short of 40,000 nurses, the union said.\n"
        "Electric cars produce more emissions than petrol cars, the report claims."
    )
    await bot.reply_to(ADMIN_ID, first, "found 2 claims")
    await _rate_with_source(bot, 1, "False", SOURCE)
    await _rate_with_source(bot, 2, "Misleading", SOURCE)

    await bot.reply_to(
        ADMIN_ID, "The National Health Service lacks 40,000 nurses, the union said.", "found 1"
    )
    card = await bot.card(ADMIN_ID, 1)
    assert "Checked before: False" in shown(card), shown(card)
    assert any("Reuse" in label for label, _ in bot.server.buttons(card))
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")

    before = set(bot.server.messages)
    bot.say(ADMIN_ID, "Petrol cars produce more emissions than electric cars, the report claims.")
    near = await bot.server.wait_for_message(
        ADMIN_ID,
        lambda m: (m.chat_id, m.message_id) not in before and "What is your verdict?" in shown(m),
    )
    assert "Checked before" not in shown(near), shown(near)
    assert "Similar, not the same" in shown(near) and "roles swapped" in shown(near), shown(near)
