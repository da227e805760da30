"""Who may read the node's figures, and what a query may ask: the door to the statistics.

Supervisors, auditors and administrators read the figures (``read-statistics`` in the
authorization matrix); anyone else is refused, and the refusal recorded for auditors, as
elsewhere. The node itself reads them without a user (:meth:`StatisticsService.own_figures`)
for its CLI and its signed export. A query names a kind of the Convention catalogue and a
State the United Nations names, or neither: anything else is invalid input, never an empty
table that looks like a real answer.
"""

from __future__ import annotations

import logging

from hanoi.accounts.model import Action, User
from hanoi.clock import Clock
from hanoi.convention import Catalogue, default_catalogue
from hanoi.convention.state_names import un_short_name
from hanoi.cooperation.ports import AccessRefusal
from hanoi.errors import FieldProblem, InvalidInput, PermissionDenied
from hanoi.statistics.figures import Figures
from hanoi.statistics.ports import FiguresSource, Query, RefusalLog

log = logging.getLogger(__name__)


class StatisticsService:
    def __init__(
        self,
        *,
        node_state: str,
        source: FiguresSource,
        refusals: RefusalLog,
        clock: Clock,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.node_state = node_state
        self._source = source
        self._refusals = refusals
        self._clock = clock
        self.catalogue = catalogue or default_catalogue()

    def figures(self, user: User, query: Query) -> Figures:
        """The node's figures for ``query``, if ``user`` may read statistics."""
        if not user.may(Action.READ_STATISTICS):
            detail = f"a user with role {user.role.value!r} may not read the statistics"
            log.warning("refused %s (%s) statistics: %s", user.name, user.role.value, detail)
            self._refusals.record_refusal(
                AccessRefusal(
                    at=self._clock.now(),
                    user=user.name,
                    role=user.role.value,
                    action="read the statistics",
                    request_id=None,
                    detail=detail,
                )
            )
            raise PermissionDenied(detail)
        return self.own_figures(query)

    def own_figures(self, query: Query) -> Figures:
        """The node's figures for ``query``, for the node itself (its CLI, its signed
        export): no user, so no check of one."""
        self.check(query)
        return self._source.figures(self.node_state, query)

    def check(self, query: Query) -> None:
        """``InvalidInput`` naming each filter that names no kind or no State."""
        problems: list[FieldProblem] = []
        if query.kind is not None and query.kind not in self.catalogue.kind_keys:
            kinds = ", ".join(self.catalogue.kind_keys)
            problems.append(FieldProblem("kind", f"is one of: {kinds}"))
        if query.state is not None and (
            query.state == self.node_state or un_short_name(query.state, "en") is None
        ):
            problems.append(
                FieldProblem("state", "is another State, by its ISO 3166-1 alpha-3 code (e.g. VNM)")
            )
        if problems:
            raise InvalidInput("the statistics cannot be asked for so", fields=tuple(problems))
