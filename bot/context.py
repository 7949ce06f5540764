"""The handlers' typed context: the services, and the member the update comes from.

Membership is looked up once per update by `bot.gate` (a handler in an earlier group) and kept
on the context, which PTB builds once per update and hands to every group's handler.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from domain.access import Member
from services.registry import Services

_SERVICES = "services"


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    member: Member | None = None

    @property
    def services(self) -> Services:
        found = self.bot_data[_SERVICES]
        assert isinstance(found, Services)
        return found

    @property
    def the_member(self) -> Member:
        """The sender, who the gate has already let through."""
        assert self.member is not None, "the gate lets only members reach this handler"
        return self.member


CONTEXT_TYPES = ContextTypes(context=BotContext)
FactdeskApp = Application[
    ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


def attach(application: FactdeskApp, services: Services) -> None:
    application.bot_data[_SERVICES] = services
