"""Inline keyboards. Laid out for a phone: two or three short buttons a row."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from domain.review import SKIP, ClaimCard
from domain.verdicts import Rating


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
