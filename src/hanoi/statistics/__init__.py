"""Statistics on cooperation for the Conference of the States Parties (Art. 57): the
figures (:mod:`~hanoi.statistics.figures`), where a node gets them
(:mod:`~hanoi.statistics.ports`). Counts and durations only, never case content."""
