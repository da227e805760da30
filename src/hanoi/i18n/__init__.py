"""The six UN languages, shared by the UI, the court report and the CLI.

- :mod:`~hanoi.i18n.messages`: a message id (:class:`~hanoi.i18n.messages.Message`) and
  ``N_``, which marks one for extraction;
- :mod:`~hanoi.i18n.catalogues`: the languages, their autonyms, and the catalogues
  (``locale/<lang>/LC_MESSAGES/messages.po``, read at run time);
- :mod:`~hanoi.i18n.formatting`: :class:`~hanoi.i18n.formatting.LocaleFormat` (dates,
  moments, durations, numbers, sizes, State names, catalogue labels, citations) and a
  content item's value as a reader sees it;
- :mod:`~hanoi.i18n.labels`: the labels of statuses, steps, sides, urgencies, deadlines,
  custody actions, authorities, channels and sources of evidence;
- :mod:`~hanoi.i18n.templates`: a Jinja2 environment that translates with a page's
  catalogue, for the UI's templates and the report's.

Nothing here knows about HTTP: choosing a page's language from a request is the UI's
(:mod:`hanoi.web.ui.languages`). Labels of the Convention catalogue (instruments, kinds,
items, grounds, conditions, citations) are the catalogue's own, in six label files.
"""
