"""End to end: a desk of several reviewers working the queue, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.models import Assignment, Claim, Invite, Verdict, utcnow
from tests.bot.test_review_flow import JOBS_REPORT, SOURCE
from tests.conftest import ADMIN_ID, BotHarness, shown, stop_polling
from tests.support.botapi import Call, SentMessage

BotWith = Callable[..., Awaitable[BotHarness]]
REVIEWERS = (2001, 2002, 2003, 2004)
CARD = "What is your verdict?"


def _session(bot: BotHarness) -> Session:
    return Session(bot.application.bot_data["services"].db.engine)


def _claims(bot: BotHarness) -> list[Claim]:
    with _session(bot) as session:
        return list(session.exec(select(Claim).order_by(col(Claim.id))).all())


def _verdicts(bot: BotHarness) -> list[Verdict]:
    with _session(bot) as session:
        return list(session.exec(select(Verdict).order_by(col(Verdict.id))).all())


async def _add_reviewers(bot: BotHarness, *user_ids: int) -> None:
    for user_id in user_ids:
        await bot.reply_to(ADMIN_ID, f"/addreviewer {user_id}", "is a reviewer now")


async def _submit_and_stop(bot: BotHarness, text: str = JOBS_REPORT) -> None:
    """An article in the queue, its submitter's walk stopped so every claim is free."""
    await bot.reply_to(ADMIN_ID, text, "found")
    await bot.card(ADMIN_ID, 1)
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")


async def _next_card(bot: BotHarness, user_id: int) -> SentMessage:
    before = set(bot.server.messages)
    bot.say(user_id, "/next")
    return await bot.server.wait_for_message(
        user_id, lambda m: (m.chat_id, m.message_id) not in before and CARD in shown(m)
    )


async def _rate(bot: BotHarness, user_id: int, card: SentMessage, label: str, link: str) -> None:
    bot.press(user_id, card, label)
    await bot.server.wait_for_message(
        user_id, lambda m: m.message_id == card.message_id and "send" in shown(m).lower()
    )
    bot.say(user_id, link)
    await bot.server.wait_for_message(
        user_id, lambda m: m.message_id == card.message_id and "✔️ Verdict" in shown(m)
    )


def _answer_to(query_id: str) -> Callable[[Call], bool]:
    return lambda call: call.params.get("callback_query_id") == query_id


async def test_invite_link_is_redeemed_once(bot: BotHarness) -> None:
    message = await bot.reply_to(ADMIN_ID, "/invite", "One-time invite")
    found = re.search(r"https://t\.me/factdesk_test_bot\?start=(\S+)", shown(message))
    assert found, shown(message)
    code = found.group(1)
    await bot.reply_to(3001, f"/start {code}", "Welcome to the desk")
    await bot.reply_to(3001, "/queue", "Queue: 0 pending")
    await bot.reply_to(3002, f"/start {code}", "already used or has expired")
    await bot.reply_to(3002, "/queue", "reviewers only")
    await bot.reply_to(3002, "/start not-a-code", "not valid")
    team = await bot.reply_to(ADMIN_ID, "/team", "The desk")
    assert "Ann" in shown(team) and "reviewer" in shown(team)

    # An invite older than its 24 hours no longer works.
    late = await bot.reply_to(ADMIN_ID, "/invite", "One-time invite")
    late_code = shown(late).split("start=")[1].split()[0]
    with _session(bot) as session:
        session.exec(update(Invite).values(expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    await bot.reply_to(3003, f"/start {late_code}", "already used or has expired")
    await bot.reply_to(3003, "/next", "reviewers only")
    registered = {c["command"] for cmds in bot.server.commands.values() for c in cmds}
    assert {"next", "queue", "mine", "disputed", "history", "search", "stats", "undo"} <= registered


async def test_strangers_reviewers_and_removed_reviewers_are_refused(bot: BotHarness) -> None:
    for command in ("/next", "/queue", "/mine", "/disputed", "/invite", "/undo"):
        await bot.reply_to(4242, command, "reviewers only")
    await _add_reviewers(bot, 2001)
    for command in ("/invite", "/addreviewer 5", "/removereviewer 5", "/team", "/disputed"):
        await bot.reply_to(2001, command, "Only the desk's admins")
    await bot.reply_to(2001, "/queue", "Queue: 0 pending")
    await bot.reply_to(ADMIN_ID, "/removereviewer 2001", "was removed")
    await bot.reply_to(2001, "/next", "reviewers only")
    await bot.reply_to(ADMIN_ID, f"/removereviewer {ADMIN_ID}", "cannot be removed")


async def test_concurrent_next_never_assigns_a_claim_twice(bot: BotHarness) -> None:
    await _submit_and_stop(bot)
    await _add_reviewers(bot, *REVIEWERS)
    everyone = (ADMIN_ID, *REVIEWERS)
    before = set(bot.server.messages)

    def answer(m: SentMessage) -> bool:
        fresh = (m.chat_id, m.message_id) not in before
        return fresh and (CARD in shown(m) or "Nothing for you" in shown(m))

    for user_id in everyone:
        bot.say(user_id, "/next")
    got = await asyncio.gather(*(bot.server.wait_for_message(u, answer) for u in everyone))
    cards = [m for m in got if CARD in shown(m)]
    assert len(cards) == 4 and len(got) - len(cards) == 1
    with _session(bot) as session:
        assignments = list(session.exec(select(Assignment)).all())
    assert len(assignments) == 4
    assert len({a.claim_id for a in assignments}) == 4
    assert len({a.reviewer_id for a in assignments}) == 4

    # /next again hands back the claim one already holds, not a second one.
    first = cards[0]
    again = await _next_card(bot, first.chat_id)
    assert shown(again).split("\n")[1] == shown(first).split("\n")[1]


async def test_expired_lock_returns_the_claim_and_its_old_holder_is_refused(
    bot_with: BotWith,
) -> None:
    bot = await bot_with(factdesk_lock_minutes=0.01)
    await _submit_and_stop(bot)
    await _add_reviewers(bot, 2001, 2002)
    stale = await _next_card(bot, 2001)
    await asyncio.sleep(0.8)
    taken = await _next_card(bot, 2002)
    assert shown(taken).split("\n")[1] == shown(stale).split("\n")[1]
    with _session(bot) as session:
        outcomes = [
            a.outcome for a in session.exec(select(Assignment).order_by(col(Assignment.id)))
        ]
    assert outcomes[0] == "expired"

    # 2001 still has the old card; its buttons now name 2002's assignment.
    query = bot.press(2001, stale, "False")
    answer = await bot.server.wait_for(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query
    )
    assert "not for you" in str(answer.params.get("text"))
    assert _verdicts(bot) == []


async def test_forged_callback_data_is_refused(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card = await bot.card(ADMIN_ID, 1)
    for data in ("r:999999:f", "d:999999:t", "zz:1", "r:1:bogus"):
        query = bot.server.press_button(ADMIN_ID, card, data, must_exist=False)
        answer = await bot.server.wait_for("answerCallbackQuery", _answer_to(query))
        assert answer.params.get("show_alert"), data
    assert _verdicts(bot) == []


async def test_queue_is_paginated(bot: BotHarness) -> None:
    for _ in range(3):
        await _submit_and_stop(bot)
    first = await bot.reply_to(ADMIN_ID, "/queue", "Queue: 12 pending claim(s) in 3 article(s)")
    assert "page 1 of 2" in shown(first)
    assert shown(first).count("#") >= 8
    bot.press(ADMIN_ID, first, "Older")
    second = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == first.message_id and "page 2 of 2" in shown(m)
    )
    bot.press(ADMIN_ID, second, "Newer")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == first.message_id and "page 1 of 2" in shown(m)
    )


async def test_next_in_a_group_links_to_the_private_chat(bot: BotHarness) -> None:
    await _submit_and_stop(bot)
    group = -100777
    bot.say(ADMIN_ID, "/next", chat_id=group, chat_type="supergroup")
    answer = await bot.server.wait_for_message(group, lambda m: "reviewed in private" in shown(m))
    assert bot.server.buttons(answer) == [
        ("🔒 Review privately", "https://t.me/factdesk_test_bot?start=next")
    ]
    assert not any(CARD in shown(m) for m in bot.server.bot_messages(group))
    bot.say(ADMIN_ID, "/start next")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Claim 1 of 4" in shown(m))
    bot.say(ADMIN_ID, "/claim", chat_id=group, chat_type="supergroup")
    link = await bot.server.wait_for_message(group, lambda m: "private chat" in shown(m))
    assert bot.server.buttons(link)[0][1].endswith("?start=claim")
    assert not any(CARD in shown(m) for m in bot.server.bot_messages(group))


async def test_blind_second_review_agreeing_disagreeing_and_settled(bot_with: BotWith) -> None:
    bot = await bot_with(factdesk_reviews_required=2)
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await _rate(bot, ADMIN_ID, await bot.card(ADMIN_ID, 1), "False", SOURCE)
    await _rate(bot, ADMIN_ID, await bot.card(ADMIN_ID, 2), "True", SOURCE)
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    assert [c.status for c in _claims(bot)][:2] == ["pending", "pending"]
    await _add_reviewers(bot, 2001)

    # The second reviewer sees the claim without the first verdict.
    card1 = await _next_card(bot, 2001)
    assert "Claim 1 of 4" in shown(card1)
    assert "Checked before" not in shown(card1) and "False" not in shown(card1).split("\n")[1]
    assert not any("Reuse" in label for label, _ in bot.server.buttons(card1))
    await _rate(bot, 2001, card1, "False", "https://example.org/other")
    card2 = await _next_card(bot, 2001)
    assert "Claim 2 of 4" in shown(card2) and "Checked before" not in shown(card2)
    await _rate(bot, 2001, card2, "Misleading", "https://example.org/misleading")
    assert [c.status for c in _claims(bot)][:2] == ["checked", "disputed"]

    # Only admins see the disputes, and an admin settles with a button.
    await bot.reply_to(2001, "/disputed", "Only the desk's admins")
    dispute = await bot.reply_to(ADMIN_ID, "/disputed", "Disputed claim")
    assert "True" in shown(dispute) and "Misleading" in shown(dispute)
    forged = bot.server.press_button(2001, dispute, bot.button(dispute, "Mostly true"))
    await bot.server.wait_for(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == forged
    )
    assert _claims(bot)[1].status == "disputed"
    bot.press(ADMIN_ID, dispute, "Mostly true")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == dispute.message_id and "settled" in shown(m)
    )
    assert _claims(bot)[1].status == "checked"
    settlement = _verdicts(bot)[-1]
    assert (settlement.kind, settlement.rating) == ("settlement", "mostly_true")
    await bot.reply_to(ADMIN_ID, "/disputed", "No disputed claims")
    stats = await bot.reply_to(ADMIN_ID, "/stats all", "Desk statistics")
    assert "Agreement between reviewers: 50% of 2 claim(s)" in shown(stats)

    # The agreed and the settled claims are in the archive now: a repeat shows the final verdict.
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    again = await bot.card(ADMIN_ID, 1)
    assert "Checked before: False" in shown(again)


async def test_undo_within_the_window_only(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card1 = await bot.card(ADMIN_ID, 1)
    await _rate(bot, ADMIN_ID, card1, "False", SOURCE)
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    assert _claims(bot)[0].status == "checked"
    await bot.reply_to(ADMIN_ID, "/undo", "Retracted your False verdict")
    verdicts = _verdicts(bot)
    assert [(v.kind, v.retracts_id) for v in verdicts] == [
        ("review", None),
        ("retraction", verdicts[0].id),
    ]
    assert _claims(bot)[0].status == "pending"
    # The claim's own message no longer shows the verdict …
    retracted = bot.server.messages[(ADMIN_ID, card1.message_id)]
    assert "False retracted with /undo — now pending" in shown(retracted)
    assert "✔️ Verdict" not in shown(retracted)
    # … and no view counts or lists it: not /mine, not /team, not /stats, not the export.
    mine = await bot.reply_to(ADMIN_ID, "/mine", "Your recent verdicts")
    assert "none yet" in shown(mine)
    team = await bot.reply_to(ADMIN_ID, "/team", "The desk")
    assert "0 verdict(s)" in shown(team)
    stats = await bot.reply_to(ADMIN_ID, "/stats all", "Desk statistics")
    assert "Claims decided: 0" in shown(stats) and "Queue: 4 pending" in shown(stats)
    await bot.reply_to(ADMIN_ID, "/export csv verdict false", "nothing to export")
    # The history is there when asked for, each row saying what it is.
    before = set(bot.server.messages)
    bot.say(ADMIN_ID, "/export csv history")
    sent = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: (m.chat_id, m.message_id) not in before and m.document is not None
    )
    rows = list(csv.DictReader(io.StringIO((sent.document or b"").decode("utf-8"))))
    assert [r["kind"] for r in rows] == ["retracted", "retraction"]
    await bot.reply_to(ADMIN_ID, "/undo", "no verdict from the last 10 minutes")

    # A retracted verdict is not offered as "checked before".
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card = await bot.card(ADMIN_ID, 1)
    assert "Checked before" not in shown(card)
    await _rate(bot, ADMIN_ID, card, "True", SOURCE)
    with _session(bot) as session:
        session.exec(update(Verdict).values(created_at=utcnow() - timedelta(minutes=11)))
        session.commit()
    await bot.reply_to(ADMIN_ID, "/undo", "no verdict from the last 10 minutes")


async def test_cancel_marks_the_card_it_stopped_on(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card = await bot.card(ADMIN_ID, 1)
    bot.press(ADMIN_ID, card, "False")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card.message_id and "send" in shown(m).lower()
    )
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    stopped = bot.server.messages[(ADMIN_ID, card.message_id)]
    assert "Review stopped with /cancel — still pending" in shown(stopped)


async def test_the_admin_list_in_the_settings_is_authoritative(bot_with: BotWith) -> None:
    desk = await bot_with()
    await desk.reply_to(ADMIN_ID, "/team", "The desk")  # an admin today, stored as one
    await stop_polling(desk.application)  # the next start has another admin list
    await desk.application.stop()
    later = await bot_with(factdesk_admins="4242")
    await later.reply_to(ADMIN_ID, "/team", "Only the desk's admins")
    await later.reply_to(ADMIN_ID, "/help", "How it works")  # still a reviewer
    await later.reply_to(4242, "/team", "The desk")


async def test_walk_and_queue_do_not_hand_out_the_same_claim(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    first = await bot.card(ADMIN_ID, 1)
    await _add_reviewers(bot, 2001)
    # Claim 1 is on the submitter's screen, so /next hands out claim 2 …
    taken = await _next_card(bot, 2001)
    assert "Claim 2 of 4" in shown(taken)
    # … and the submitter's walk passes over claim 2 while 2001 holds it.
    bot.press(ADMIN_ID, first, "Not a claim")
    await bot.card(ADMIN_ID, 3)
    assert not any(shown(m).startswith("Claim 2") for m in bot.server.bot_messages(ADMIN_ID))
