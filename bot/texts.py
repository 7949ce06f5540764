"""Every message the bot writes, as HTML. Dynamic parts are escaped here and nowhere else."""

from __future__ import annotations

from datetime import datetime
from html import escape

from domain.archived import ArchivedVerdict
from domain.tally import Tally
from domain.verdicts import RATING_ORDER, Rating
from domain.walk import (
    ArticleSummary,
    AwaitingSource,
    Cancelled,
    ClaimCard,
    RecordedVerdict,
    Submission,
)

MAX_MESSAGE = 4096
MAX_CLAIM_CHARS = 3000  # a claim card also carries matches; keep the whole card under 4096

WELCOME = (
    "👋 <b>Factdesk</b> helps your desk fact-check articles.\n\n"
    "Send me an article — paste the text, send a link, forward a post or upload a document "
    "(.txt, .md, .html, .pdf, .docx). I pick out the check-worthy claims and walk you through "
    "them one by one: tap a verdict, send the source link, and I keep the record.\n\n"
    "Claims your team has checked before show up with their earlier verdict, so nothing is "
    "checked twice.\n\nSee /help for the commands."
)

HELP = (
    "<b>How it works</b>\n"
    "1. Send an article: text, a link, a forwarded post or a document.\n"
    "2. For each claim, tap a verdict.\n"
    "3. Send the link to your source (Unverifiable may go without: /nosource).\n\n"
    "<b>Commands</b>\n"
    "/start – what this bot does\n"
    "/help – this help\n"
    "/claim – show the claim you are on again (/claim &lt;id&gt;: any claim)\n"
    "/nosource – save an Unverifiable verdict without a link\n"
    "/cancel – stop the current article (its remaining claims stay pending)\n"
    "\n<b>Team queue</b> (in a group, /next sends you to our private chat)\n"
    "/next – take the oldest free claim (locked for you for a while)\n"
    "/queue – pending claims, oldest first · /mine – your claims and verdicts\n"
    "/undo – retract your last verdict (within 10 minutes)\n"
    "/history &lt;id&gt; – every verdict and assignment of a claim · /article &lt;id&gt;\n"
    "/search &lt;text&gt; – checked claims like it · /stats [week|month|all]\n"
    "Admins: /invite, /addreviewer &lt;id&gt;, /removereviewer &lt;id&gt;, /team, /disputed\n"
    "/export csv – all recorded verdicts as a CSV file; also json, claimreview, html, "
    "with filters: /export html since 2026-11-01 until 2026-11-30 reviewer Ann verdict false"
)


def not_a_member(telegram_id: int) -> str:
    return (
        "Sorry, this bot is for a fact-check team's reviewers only. "
        f"Ask your desk's admin to add you (your Telegram id is {telegram_id}); "
        "your message was not stored."
    )


NOT_A_MEMBER_SHORT = "Sorry, only the team's reviewers can do that."
UNKNOWN_COMMAND = "I don't know that command. /help lists the ones I do."
EMPTY_ARTICLE = "That message has no text. Paste an article, send a link or upload a document."
READING = "📖 Reading…"
FAILED = (
    "⚠️ Sorry, something went wrong on my side and that step did not go through. "
    "Nothing was lost: what you recorded before is saved. Please try again in a moment."
)
NO_CLAIMS = (
    "📖 Read it, but found no check-worthy claims (figures, quotes, attributions, dates). "
    "Nothing to review."
)
NOTHING_TO_CANCEL = "There is no article in review to cancel."
NO_CURRENT_CLAIM = "You are not reviewing an article right now. Send me one to start."
NOTHING_WAITING = "There is no verdict waiting for a source right now."
BAD_CALLBACK = "That button is from an older version of me and no longer works."
EXPORT_USAGE = (
    "Usage: /export [csv|json|claimreview|html] [since YYYY-MM-DD] [until YYYY-MM-DD] "
    "[article N] [reviewer NAME] [verdict WORD]"
)
EXPORT_EMPTY = "No recorded verdicts match, so there is nothing to export."
FETCHING = "🔗 Fetching the article…"


def escape_text(text: str) -> str:
    return escape(text, quote=False)


def _clip(text: str, limit: int = MAX_CLAIM_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _date(when: datetime) -> str:
    return when.strftime("%d %b %Y")


def _link(url: str | None) -> str:
    if not url:
        return "no source"
    return f'<a href="{escape(url)}">{escape_text(_clip(url, 200))}</a>'


def found_claims(submission: Submission) -> str:
    lines = []
    if submission.abandoned is not None:
        lines.append(
            f"Article #{submission.abandoned.article_id} was left with "
            f"{submission.abandoned.tally.open} claim(s) open."
        )
    if submission.truncated_at:
        lines.append(f"Only the first {submission.truncated_at:,} characters were read.")
    count = submission.total
    noun = "claim" if count == 1 else "claims"
    lines.append(f"📖 Reading… found {count} {noun} to check (article #{submission.article_id}).")
    return "\n".join(lines)


def claim_card(card: ClaimCard) -> str:
    parts = [
        f"<b>Claim {card.number} of {card.total}</b>",
        f"<blockquote>{escape_text(_clip(card.text))}</blockquote>",
    ]
    if card.earlier is not None:
        parts.append(checked_before(card.earlier))
    for similar in card.similar:
        parts.append(similar_line(similar))
    parts.append("What is your verdict?")
    return "\n".join(parts)


def checked_before(earlier: ArchivedVerdict) -> str:
    return (
        f"♻️ <b>Checked before: {earlier.rating.label}</b> — {_link(earlier.source_url)} "
        f"(by {escape_text(earlier.reviewer)}, {_date(earlier.checked_at)}, "
        f"{earlier.score:.0f}% match)"
    )


def similar_line(similar: ArchivedVerdict) -> str:
    return (
        f"🔎 Similar, not the same ({similar.score:.0f}%): "
        f"“{escape_text(_clip(similar.claim_text, 200))}” — {similar.rating.label}, "
        f"{_link(similar.source_url)}"
    )


def awaiting_source(awaiting: AwaitingSource) -> str:
    head = (
        f"<b>Claim {awaiting.number} of {awaiting.total}</b>\n"
        f"<blockquote>{escape_text(_clip(awaiting.text))}</blockquote>\n"
        f"Verdict: <b>{awaiting.rating.label}</b>\n"
    )
    if awaiting.optional:
        return head + "🔗 Send the source link, or /nosource to save it without one."
    return head + "🔗 Now send the link to your source."


def recorded(step: RecordedVerdict) -> str:
    head = (
        f"<b>Claim {step.number} of {step.total}</b>\n"
        f"<blockquote>{escape_text(_clip(step.text))}</blockquote>\n"
    )
    if step.rating is None:
        return head + "⏭ Skipped — still pending."
    if step.rating is Rating.NOT_A_CLAIM:
        return head + "🚫 Marked: not a claim."
    reused = " (reused earlier verdict)" if step.reused else ""
    return head + f"✔️ Verdict: <b>{step.rating.label}</b> — {_link(step.source_url)}{reused}"


def bad_link(reason: str, awaiting: AwaitingSource) -> str:
    extra = " or /nosource to save without one" if awaiting.optional else ""
    return (
        f"That is not a usable link: {escape_text(reason)}\n"
        f"Send an http(s) link to the source for claim {awaiting.number}{extra}, "
        "or /cancel to stop this article."
    )


def source_required(awaiting: AwaitingSource) -> str:
    return (
        f"A {awaiting.rating.label} verdict needs a source. Send the link for claim "
        f"{awaiting.number}, or tap “Change verdict”."
    )


def summary(done: ArticleSummary) -> str:
    """The article's tally; "done" only when every claim has a final verdict."""
    title = f" “{escape_text(_clip(done.title, 200))}”" if done.title else ""
    counted = done.tally
    if counted.done:
        head = f"🏁 <b>Article #{done.article_id}{title} is done.</b>"
    else:
        head = (
            f"📋 <b>Article #{done.article_id}{title}: you reached its end</b>, "
            f"{counted.open} of {counted.total} claim(s) still open."
        )
    lines = [head, ""]
    for rating in RATING_ORDER:
        if counted.by_rating.get(rating):
            lines.append(f"{rating.label}: {counted.by_rating[rating]}")
    lines += open_lines(counted)
    lines += ["", "Export all verdicts with /export csv."]
    return "\n".join(lines)


def open_lines(counted: Tally) -> list[str]:
    """The open claims in words: one definition for the summary and /article."""
    lines = []
    if counted.unreviewed:
        lines.append(f"Not checked yet (skipped or new): {counted.unreviewed}")
    if counted.awaiting_review:
        lines.append(f"Waiting for another reviewer: {counted.awaiting_review}")
    if counted.disputed:
        lines.append(f"Disputed (an admin settles it): {counted.disputed}")
    return lines


def cancelled_card(card: RecordedVerdict) -> str:
    return (
        f"<b>Claim {card.number} of {card.total}</b>\n"
        f"<blockquote>{escape_text(_clip(card.text))}</blockquote>\n"
        "⏹ Review stopped with /cancel — still pending."
    )


def cancelled(result: Cancelled) -> str:
    return (
        f"Stopped article #{result.article_id}. {result.pending} claim(s) stay pending in the "
        "database. Send a new article whenever you are ready."
    )


def export_usage(reason: str) -> str:
    return f"{escape_text(reason)}\n{escape_text(EXPORT_USAGE)}"


def export_caption(
    count: int, filters: str = "", part: int = 1, parts: int = 1, compressed: bool = False
) -> str:
    """One line: how many verdicts, which filters, and how a big export was packed."""
    caption = f"📄 {count:,} recorded verdict(s)"
    if filters:
        caption += f" ({filters})"
    if parts > 1:
        caption += f"; zipped, part {part} of {parts}: join with cat, then unzip"
    elif compressed:
        caption += "; zipped to fit Telegram's 50 MB limit"
    return caption + "."


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut a long text into messages under Telegram's limit, at paragraph or line breaks."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks
