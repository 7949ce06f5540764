"""Inline keyboards. Laid out for a phone: two or three short buttons a row."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from domain.verdicts import RATING_ORDER, Rating
from domain.walk import SKIP, ClaimCard, TextChoice, TextQuestion


def verdict_keyboard(card: ClaimCard) -> InlineKeyboardMarkup:
    cid = card.claim_id

    def button(choice: Rating | str, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.rate(cid, choice))

    rows: list[list[InlineKeyboardButton]] = []
    if card.earlier is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    f"♻️ Reuse: {card.earlier.rating.label}",
                    callback_data=callbacks.reuse(cid, card.earlier.verdict_id),
                )
            ]
        )
    tools = [InlineKeyboardButton("✏️ Edit", callback_data=callbacks.edit(cid))]
    if card.has_context:
        tools.insert(0, InlineKeyboardButton("📄 Context", callback_data=callbacks.context(cid)))
    rows += [
        tools,
        [button(Rating.TRUE, "✅ True"), button(Rating.MOSTLY_TRUE, "☑️ Mostly true")],
        [button(Rating.MISLEADING, "⚠️ Misleading"), button(Rating.FALSE, "❌ False")],
        [button(Rating.UNVERIFIABLE, "❔ Unverifiable")],
        [button(Rating.NOT_A_CLAIM, "🚫 Not a claim"), button(SKIP, "⏭ Skip")],
    ]
    return InlineKeyboardMarkup(rows)


def reuse_all_keyboard(article_id: int, count: int) -> InlineKeyboardMarkup:
    label = f"♻️ Reuse all {count} earlier verdicts"
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=callbacks.reuse_all(article_id))]]
    )


def change_keyboard(claim_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("↩️ Change verdict", callback_data=callbacks.change(claim_id))]]
    )


def open_private(bot_username: str, payload: str, label: str) -> InlineKeyboardMarkup:
    """A button that opens the private chat with the bot (a deep link), for use in groups."""
    url = f"https://t.me/{bot_username}?start={payload}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])


def queue_pager(page: int, pages: int) -> InlineKeyboardMarkup | None:
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀️ Newer", callback_data=callbacks.page(page - 1)))
    if page < pages - 1:
        row.append(InlineKeyboardButton("Older ▶️", callback_data=callbacks.page(page + 1)))
    return InlineKeyboardMarkup([row]) if row else None


def settle_keyboard(claim_id: int) -> InlineKeyboardMarkup:
    ratings = list(RATING_ORDER)
    buttons = [
        InlineKeyboardButton(r.label, callback_data=callbacks.settle(claim_id, r)) for r in ratings
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def text_question_keyboard(question: TextQuestion) -> InlineKeyboardMarkup:
    """Read the stray text as an article, keep it as the claim's note, or go on reviewing."""

    def button(choice: TextChoice, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label,
            callback_data=callbacks.text_choice(question.claim_id, choice, question.fingerprint),
        )

    return InlineKeyboardMarkup(
        [
            [button(TextChoice.ARTICLE, "📖 Read as article")],
            [
                button(TextChoice.NOTE, f"📝 Note on claim {question.number}"),
                button(TextChoice.KEEP, "↩️ Keep reviewing"),
            ],
        ]
    )
