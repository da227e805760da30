"""Backups that restore (issue 21, ADR 0048): ``archive`` writes one age-encrypted tar of a
running node, ``restore`` puts it into a new folder after checking every part, and
``log_guard`` keeps a restored log from signing while its witnesses cosigned more of it.

Above the composition root, like an entry point: it opens the node's database and folder
itself, and leaves the domain packages alone."""
