"""Inline keyboards. Laid out for a phone: two or three short buttons a row."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from domain.verdicts import RATING_ORDER, Rating
from domain.walk import SKIP, ClaimCard


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
    rows += [
        [button(Rating.TRUE, "✅ True"), button(Rating.MOSTLY_TRUE, "☑️ Mostly true")],
        [button(Rating.MISLEADING, "⚠️ Misleading"), button(Rating.FALSE, "❌ False")],
        [button(Rating.UNVERIFIABLE, "❔ Unverifiable")],
        [button(Rating.NOT_A_CLAIM, "🚫 Not a claim"), button(SKIP, "⏭ Skip")],
    ]
    return InlineKeyboardMarkup(rows)


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
