"""Messages for the team features (roles, queues, disputes, audit), as HTML; escaped here."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from bot.texts import open_lines
from domain.archived import ArchivedVerdict
from domain.disputes import Dispute, Settled, Undone
from domain.queue import Assigned, Mine, QueuePage
from domain.records import STATUS_WORDS, ArticleProgress, ClaimRecord
from domain.stats import Stats
from domain.team import MemberRow
from domain.verdicts import VerdictKind

ADMINS_ONLY = "Only the desk's admins can do that."
ADMINS_ONLY_SHORT = "Only admins can do that."
NEXT_IN_GROUP = "Claims are reviewed in private, not in the group. Tap below to get your next one."
NEXT_BUTTON = "🔒 Review privately"
CLAIM_IN_GROUP = "The claim you are reviewing is shown in our private chat, not here."
REFUSED_BUTTON = "That button is not for you, or its claim does not exist."
ADD_USAGE = "Usage: /addreviewer &lt;telegram user id&gt;"
REMOVE_USAGE = "Usage: /removereviewer &lt;telegram user id&gt;"
NOT_FOUND = "No reviewer with that Telegram id."
NO_DISPUTES = "No disputed claims. 🎉"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= limit else text[: limit - 1].rstrip() + "…", quote=False)


def _when(at: datetime | None) -> str:
    return at.strftime("%d %b %H:%M UTC") if at else ""


def duration(span: timedelta) -> str:
    """A time span the way a person says it: "40 s", "12 min", "3.5 h", "2.0 days"."""
    seconds = span.total_seconds()
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def invite_link(bot_username: str, code: str, hours: float) -> str:
    link = f"https://t.me/{bot_username}?start={code}"
    return (
        f"🎟 One-time invite, valid {hours:g} h:\n{escape(link)}\n"
        "Send it to the new reviewer; the first person to open it joins the desk."
    )


def joined(name: str, already: bool) -> str:
    if already:
        return f"You are already on the desk, {escape(name, quote=False)}. /next gets you a claim."
    return (
        f"👋 Welcome to the desk, {escape(name, quote=False)}! You are now a reviewer. "
        "/next gets you a claim to check; /queue shows what is waiting."
    )


def added(name: str) -> str:
    return f"✅ {escape(name, quote=False)} is a reviewer now."


def removed(name: str) -> str:
    return (
        f"🚪 {escape(name, quote=False)} was removed. Their verdicts stay on record; "
        "their claims went back to the queue."
    )


def roster(rows: list[MemberRow]) -> str:
    lines = [f"<b>The desk: {sum(r.active for r in rows)} active member(s)</b>"]
    for row in rows:
        handle = f" @{escape(row.username)}" if row.username else ""
        state = "" if row.active else " — removed"
        lines.append(
            f"• {escape(row.name, quote=False)}{handle} ({row.role.value}, id {row.telegram_id}): "
            f"{row.verdicts} verdict(s), {row.open_assignments} assigned{state}"
        )
    return "\n".join(lines)


def assigned(result: Assigned) -> str:
    held = "still yours" if result.again else "yours"
    return f"🔒 Claim #{result.card.claim_id} is {held} until {_when(result.until)}."


def queue_empty(pending: int) -> str:
    if pending:
        return f"Nothing for you right now: the {pending} pending claim(s) are taken or yours."
    return "The queue is empty. 🎉"


def queue_page(page: QueuePage) -> str:
    lines = [
        f"<b>Queue: {page.pending} pending claim(s) in {page.articles} article(s)</b> "
        f"(page {page.page + 1} of {page.pages}, oldest first)"
    ]
    for item in page.items:
        title = f"“{_clip(item.article_title, 60)}”" if item.article_title else "untitled"
        lock = " 🔒" if item.locked else ""
        lines.append(
            f"#{item.claim_id}{lock} — article #{item.article_id} {title}, claim {item.number}: "
            f"{_clip(item.text, 140)}"
        )
    if page.pending:
        lines.append("\n/next takes the oldest free claim.")
    return "\n".join(lines)


def mine(found: Mine) -> str:
    lines = ["<b>Assigned to you</b>"]
    lines += [
        f"#{i.claim_id} until {_when(i.at)}: {_clip(i.text, 120)}" for i in found.assigned
    ] or ["nothing — /next gets you a claim"]
    lines.append("\n<b>Your recent verdicts</b>")
    lines += [
        f"#{i.claim_id} {i.rating.label if i.rating else ''}"
        + (f" ({i.kind.value})" if i.kind and i.kind is not VerdictKind.REVIEW else "")
        + f", {_when(i.at)}: {_clip(i.text, 100)}"
        for i in found.recent
    ] or ["none yet"]
    return "\n".join(lines)


def dispute(item: Dispute) -> str:
    lines = [
        f"⚖️ <b>Disputed claim #{item.claim_id}</b>",
        f"<blockquote>{_clip(item.text, 1500)}</blockquote>",
    ]
    for opinion in item.opinions:
        source = f" — {escape(opinion.source_url)}" if opinion.source_url else ""
        lines.append(f"{escape(opinion.reviewer, quote=False)}: {opinion.rating.label}{source}")
    lines.append("Settle it with the final verdict:")
    return "\n".join(lines)


def settled(result: Settled, by: str) -> str:
    return (
        f"⚖️ <b>Claim #{result.claim_id} settled: {result.rating.label}</b> "
        f"(by {escape(by, quote=False)})\n<blockquote>{_clip(result.text, 1500)}</blockquote>"
    )


def undone(result: Undone) -> str:
    return (
        f"↩️ Retracted your {result.rating.label} verdict on claim #{result.claim_id} "
        f"(now {STATUS_WORDS[result.status]}): {_clip(result.text, 200)}"
    )


def retracted_card(result: Undone) -> str:
    """The claim's own message after /undo, so the chat no longer shows the verdict."""
    return (
        f"<b>Claim {result.number} of {result.total}</b>\n"
        f"<blockquote>{_clip(result.text, 3000)}</blockquote>\n"
        f"↩️ {result.rating.label} retracted with /undo — now {STATUS_WORDS[result.status]}."
    )


def claim_record(record: ClaimRecord, *, with_history: bool) -> str:
    where = (
        f"article #{record.article_id}"
        + (f" “{_clip(record.article_title, 80)}”" if record.article_title else "")
        + f", claim {record.number}"
        if record.article_id is not None
        else "imported"
    )
    lines = [
        f"<b>Claim #{record.claim_id}</b> ({where}) — {STATUS_WORDS[record.status]}",
        f"<blockquote>{_clip(record.text, 2000)}</blockquote>",
    ]
    if record.final is not None:
        source = f" — {escape(record.final_source)}" if record.final_source else ""
        lines.append(f"Final verdict: <b>{record.final.label}</b>{source}")
    if record.hidden:
        lines.append("🙈 Ratings are hidden until the blind review of this claim is complete.")
    if with_history:
        lines.append("\n<b>History</b>")
        lines += [
            f"{_when(e.at)} — {escape(e.who, quote=False)}: {escape(e.what, quote=False)}"
            for e in record.events
        ]
    else:
        lines.append(f"/history {record.claim_id} shows every verdict and assignment.")
    return "\n".join(lines)


def article_progress(progress: ArticleProgress) -> str:
    title = f" “{_clip(progress.title, 120)}”" if progress.title else ""
    counted = progress.tally
    lines = [
        f"<b>Article #{progress.article_id}{title}</b>",
        f"Submitted by {escape(progress.submitted_by, quote=False)}, "
        f"{_when(progress.submitted_at)}; {counted.total} claim(s).",
        f"Checked: {counted.checked}, not a claim: {counted.not_a_claim}, open: {counted.open}.",
    ]
    lines += open_lines(counted)
    if progress.show_ratings and counted.by_rating:
        lines.append(", ".join(f"{r.label}: {n}" for r, n in counted.by_rating.items()))
    lines += [
        f"#{cid} claim {number}: {STATUS_WORDS[status]}" for cid, number, status in progress.claims
    ]
    return "\n".join(lines)


def search_results(query: str, found: list[ArchivedVerdict]) -> str:
    if not found:
        return f"No checked claim resembles “{_clip(query, 100)}”."
    lines = [f"<b>Checked claims like “{_clip(query, 100)}”</b>"]
    for item in found:
        source = f" — {escape(item.source_url)}" if item.source_url else ""
        lines.append(
            f"#{item.claim_id} <b>{item.rating.label}</b> ({item.score:.0f}%): "
            f"{_clip(item.claim_text, 200)}{source} (by {escape(item.reviewer, quote=False)})"
        )
    return "\n".join(lines)


def stats(result: Stats) -> str:
    decided = result.decided
    lines = [
        f"📊 <b>Desk statistics — {result.period}</b>",
        f"Claims decided: {decided.final} (checked {decided.checked}, "
        f"not a claim {decided.not_a_claim})",
        f"Queue: {result.queue} pending, {result.disputed} disputed",
    ]
    if result.median_time is not None:
        lines.append(f"Median time from submission to verdict: {duration(result.median_time)}")
    if result.agreement is not None:
        lines.append(
            f"Agreement between reviewers: {result.agreement:.0%} of {result.compared} claim(s)"
        )
    if decided.by_rating:
        lines.append("\n<b>By verdict</b>")
        lines += [f"{r.label}: {n}" for r, n in decided.by_rating.items()]
    if result.by_reviewer:
        lines.append("\n<b>Verdicts by reviewer</b>")
        lines += [f"{escape(name, quote=False)}: {n}" for name, n in result.by_reviewer.items()]
    return "\n".join(lines)


def digest(page: QueuePage, disputed: int) -> str:
    lines = [
        f"🗞 <b>Daily digest</b>: {page.pending} claim(s) pending in {page.articles} "
        f"article(s), {disputed} disputed."
    ]
    lines += [
        f"#{i.claim_id} (article #{i.article_id}): {_clip(i.text, 100)}" for i in page.items[:5]
    ]
    if page.pending:
        lines.append("Open a private chat with me and send /next to take one.")
    return "\n".join(lines)


STATS_USAGE = "Usage: /stats [week|month|all]"
SEARCH_USAGE = "Usage: /search &lt;words of the claim&gt;"
CLAIM_USAGE = "Usage: /claim &lt;claim id&gt; (or /claim alone for the claim you are on)"
HISTORY_USAGE = "Usage: /history &lt;claim id&gt;"
ARTICLE_USAGE = "Usage: /article &lt;article id&gt;"
NO_SUCH_CLAIM = "There is no claim with that number."
NO_SUCH_ARTICLE = "There is no article with that number."
