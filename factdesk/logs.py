"""Logging set-up. The bot token is scrubbed from every record and traceback, whatever emits it.

Secrets are registered once at start (`setup_logging`, `register_secrets`); the formatter replaces
them in the whole rendered record, the traceback included, because exception texts carry them too
(PTB's InvalidToken names the token, httpx errors name the `bot<token>` request URL). The part after
the token's colon is scrubbed on its own as well, and so is the URL-encoded form.
"""

from __future__ import annotations

import logging

_REDACTED = "<token>"
_secrets: list[str] = []


def register_secrets(secrets: list[str]) -> None:
    """Add values that must never appear in a log line or a printed traceback."""
    for secret in secrets:
        for form in _forms(secret):
            if form not in _secrets:
                _secrets.append(form)
    _secrets.sort(key=len, reverse=True)  # the whole token before its secret half


def _forms(secret: str) -> list[str]:
    if not secret:
        return []
    forms = [secret, secret.replace(":", "%3A"), secret.replace(":", "%3a")]
    _, colon, tail = secret.partition(":")
    if colon and len(tail) >= 16:
        forms.append(tail)
    return forms


def scrub(text: str) -> str:
    """The text with every registered secret replaced."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, _REDACTED)
    return text


class RedactSecrets(logging.Filter):
    """Replace secrets in the rendered message, for handlers with a formatter of their own."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        register_secrets(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RedactingFormatter(logging.Formatter):
    """Scrubs the whole formatted record: message, exception traceback and stack."""

    def format(self, record: logging.LogRecord) -> str:
        rendered = scrub(super().format(record))
        # The cached traceback text would be reused unscrubbed by another handler.
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return rendered


def setup_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
