"""End to end: a stray text in the middle of a walk is never read, nor dropped, unasked."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, col, select

from db.models import Article, Verdict
from tests.bot.test_review_flow import JOBS_REPORT
from tests.conftest import ADMIN_ID, BotHarness, shown

T = TypeVar("T", Article, Verdict)
STRAY = "Not sure about this one, need to call the mayor's office tomorrow."


def _rows(bot: BotHarness, model: type[T]) -> list[T]:
    engine = bot.application.bot_data["services"].db.engine
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))).all())


async def test_keep_reviewing_shows_the_claim_again_and_reads_nothing(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    first = await bot.card(ADMIN_ID, 1)
    question = await bot.reply_to(ADMIN_ID, STRAY, "Claim 1 is waiting for a verdict")
    bot.press(ADMIN_ID, question, "Keep reviewing")
    again = await bot.server.wait_for_message(
        ADMIN_ID,
        lambda m: m.message_id > question.message_id and shown(m).startswith("Claim 1 of 4"),
    )
    assert "175,000 jobs" in shown(again) and again.message_id != first.message_id
    edited = bot.server.messages[(ADMIN_ID, question.message_id)]
    assert shown(edited) == "↩️ Back to claim 1." and bot.server.buttons(edited) == []
    assert len(_rows(bot, Article)) == 1
    # The walk goes on from the re-shown card.
    bot.press(ADMIN_ID, again, "Not a claim")
    await bot.card(ADMIN_ID, 2)


async def test_read_as_article_reads_it_then(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await bot.card(ADMIN_ID, 1)
    question = await bot.reply_to(ADMIN_ID, STRAY, "Read this message as a new article?")
    read = bot.button(question, "Read as article")
    bot.press(ADMIN_ID, question, "Read as article")
    answer = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: "found no check-worthy claims" in shown(m)
    )
    assert "Nothing to review" in shown(answer)
    articles = _rows(bot, Article)
    assert [a.text for a in articles][1:] == [STRAY]
    # A second press on the old question finds nothing to read.
    before = len(bot.server.calls)
    query = bot.server.press_button(ADMIN_ID, question, read, must_exist=False)
    call = await bot.server.wait_for(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query, after=before
    )
    assert "already answered" in call.params.get("text", "")
    assert len(_rows(bot, Article)) == 2


async def test_a_note_is_kept_with_the_verdict(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await bot.card(ADMIN_ID, 1)
    question = await bot.reply_to(ADMIN_ID, STRAY, "Read this message as a new article?")
    bot.press(ADMIN_ID, question, "Note on claim 1")
    card = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id > question.message_id and "📝" in shown(m)
    )
    assert "mayor's office" in shown(card)
    bot.press(ADMIN_ID, card, "False")
    awaiting = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card.message_id and "Now send" in shown(m)
    )
    assert "mayor's office" in shown(awaiting)
    # While the source is owed, a sentence without a link is asked about too.
    await bot.reply_to(ADMIN_ID, "the BLS website", "waiting for its source link")
    bot.say(ADMIN_ID, "Source: https://www.bls.gov/news.release/empsit.nr0.htm")
    logged = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card.message_id and "✔️" in shown(m)
    )
    assert "mayor's office" in shown(logged)
    [verdict] = _rows(bot, Verdict)
    assert verdict.source_url == "https://www.bls.gov/news.release/empsit.nr0.htm"
    assert verdict.note == STRAY


async def test_two_stray_texts_are_kept_together_and_the_older_question_steps_aside(
    bot: BotHarness,
) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await bot.card(ADMIN_ID, 1)
    older = await bot.reply_to(ADMIN_ID, STRAY, "Read this message as a new article?")
    newer = await bot.reply_to(ADMIN_ID, "And the council meets on Monday.", "last messages")
    query = bot.press(ADMIN_ID, older, "Keep reviewing")
    refused = await bot.server.wait_for(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query
    )
    assert "newer message" in refused.params["text"]
    bot.press(ADMIN_ID, newer, "Read as article")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "found no check-worthy" in shown(m))
    assert _rows(bot, Article)[-1].text == STRAY + "\n\nAnd the council meets on Monday."
