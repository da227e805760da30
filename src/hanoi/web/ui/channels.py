"""The channels a request travels by, as the pages name them: in the directory (the
channels a State accepts, :data:`hanoi.directory.model.CHANNELS`) and on a request (its
route, :class:`hanoi.cooperation.routes.Route`), one label each (ADR 0028)."""

from __future__ import annotations

from hanoi.cooperation.routes import Route
from hanoi.web.ui.i18n import N_, Message

ROUTE_LABELS: dict[Route, Message] = {
    Route.HANOI: N_("The Hanoi network"),
    Route.DIPLOMATIC: N_("Diplomatic channels"),
    Route.EMAIL: N_("E-mail between central authorities"),
    Route.INTERPOL: N_("INTERPOL (I-24/7)"),
    Route.COURIER: N_("Courier"),
    Route.OTHER: N_("Another channel"),
}
CHANNEL_LABELS: dict[str, Message] = {route.value: label for route, label in ROUTE_LABELS.items()}
"""The same labels by the directory's channel names."""
