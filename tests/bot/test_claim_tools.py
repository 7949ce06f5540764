"""End to end: a claim in its context, and restated by the reviewer before rating."""

from __future__ import annotations

from sqlmodel import Session, col, select

from db.models import Claim
from tests.bot.test_review_flow import JOBS_REPORT, _rate_with_source
from tests.conftest import ADMIN_ID, BotHarness, shown

ARTICLE = """Border officials said on Monday that 40 adults and children had been returned from \
Mexico after the raid. Six of the adults are now facing criminal charges, the officials said.

The mayor said the city spent $2.1 million on the operation in 2025."""


def _claims(bot: BotHarness) -> list[Claim]:
    with Session(bot.application.bot_data["services"].db.engine) as session:
        return list(session.exec(select(Claim).order_by(col(Claim.id))).all())


async def test_context_shows_the_paragraph_with_the_sentence_marked(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, ARTICLE, "found")
    card = await bot.card(ADMIN_ID, 1)
    labels = [label for label, _ in bot.server.buttons(card)]
    assert labels[:2] == ["📄 Context", "✏️ Edit"]
    before = set(bot.server.messages)
    bot.press(ADMIN_ID, card, "Context")
    shown_context = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: (m.chat_id, m.message_id) not in before and "in context" in shown(m)
    )
    text = shown(shown_context)
    assert "Border officials said on Monday" in text
    claim = _claims(bot)[0]
    assert f"<b><u>{claim.sentence or claim.text}</u></b>" in (shown_context.text or "")


async def test_edit_restates_the_claim_and_keeps_both_texts(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, ARTICLE, "found")
    card = await bot.card(ADMIN_ID, 1)
    original = _claims(bot)[0].text
    bot.press(ADMIN_ID, card, "Edit")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "one sentence that stands" in shown(m))
    await bot.reply_to(ADMIN_ID, "Mexico", "whole sentence")  # too short: asked again
    restated = "Six adults returned from Mexico face criminal charges, US officials said."
    before = set(bot.server.messages)
    bot.say(ADMIN_ID, restated)
    again = await bot.server.wait_for_message(
        ADMIN_ID,
        lambda m: (m.chat_id, m.message_id) not in before and "What is your verdict?" in shown(m),
    )
    assert restated in shown(again) and shown(again).startswith("Claim 1 of ")
    claim = _claims(bot)[0]
    assert claim.text == restated and claim.sentence is not None
    assert claim.sentence != restated and original != restated
    # The walk goes on from the restated card; a text now is a stray text again.
    bot.press(ADMIN_ID, again, "Not a claim")
    await bot.card(ADMIN_ID, 2)


async def test_an_article_checked_before_offers_reuse_all(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    for number, label in ((1, "False"), (2, "True"), (3, "Misleading"), (4, "True")):
        await _rate_with_source(bot, number, label, f"https://example.org/source-{number}")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "is done" in shown(m))

    again = await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    assert bot.server.buttons(again)[0][0] == "♻️ Reuse all 4 earlier verdicts"
    await bot.card(ADMIN_ID, 1)
    bot.press(ADMIN_ID, again, "Reuse all")
    done = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Reused 4 earlier" in shown(m))
    assert "is done" in shown(done) and "False: 1" in shown(done) and "True: 2" in shown(done)
    assert bot.server.buttons(bot.server.messages[(ADMIN_ID, again.message_id)]) == []
    claims = _claims(bot)
    assert [c.status for c in claims[4:]] == ["checked"] * 4
    await bot.reply_to(ADMIN_ID, "/claim", "not reviewing an article")


async def test_not_a_claim_is_remembered(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    bot.press(ADMIN_ID, await bot.card(ADMIN_ID, 1), "Not a claim")
    await bot.card(ADMIN_ID, 2)
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")

    again = await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 3 claims")
    assert "1 sentence(s) marked “Not a claim” before are left out" in shown(again)
    card = await bot.card(ADMIN_ID, 1)
    assert shown(card).startswith("Claim 1 of 3") and "175,000 jobs" not in shown(card)
    for number in (1, 2, 3):
        card = await bot.server.wait_for_message(
            ADMIN_ID,
            lambda m, n=number: (
                shown(m).startswith(f"Claim {n} of 3")  # type: ignore[misc]
                and "What is your verdict?" in shown(m)
            ),
        )
        bot.press(ADMIN_ID, card, "Skip")
    summary = await bot.server.wait_for_message(ADMIN_ID, lambda m: "reached its end" in shown(m))
    assert "Skipped, marked “Not a claim” before: 1" in shown(summary)
