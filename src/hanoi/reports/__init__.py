"""Reports for people outside the node: the court report of a cooperation request.

- :mod:`~hanoi.reports.court`: the report as data (pure), its timeline and verdict;
- :mod:`~hanoi.reports.verification`: each evidence package verified again, at report time;
- :mod:`~hanoi.reports.gather`: the report of one request, read from a node through the
  same access checks as the request page;
- :mod:`~hanoi.reports.view` and :mod:`~hanoi.reports.render`: the report in one of the
  six UN languages, as HTML and as PDF (WeasyPrint).

The UI serves it at ``/ui/requests/{id}/report.pdf``; the CLI writes it with
``hanoi evidence report``. See ``docs/evidence.md``, "Export for court".
"""

from hanoi.reports.court import CourtReport, Outcome, Verdict

__all__ = ["CourtReport", "Outcome", "Verdict"]
