"""Letters of request as signed PDFs (Art. 40(14): requests in writing), ADR 0027 and 0029.

- :mod:`~hanoi.letters.letter`: a letter as data, its verification code, and when a
  request may be put in writing (pure);
- :mod:`~hanoi.letters.languages`: which of the six languages the requested State accepts,
  by the directory, and the override reason (pure);
- :mod:`~hanoi.letters.wording`, :mod:`~hanoi.letters.view` and
  :mod:`~hanoi.letters.render`: the letter in its language, as HTML and PDF (WeasyPrint);
- :mod:`~hanoi.letters.pades`: PAdES signing and checking (pyHanko);
- :mod:`~hanoi.letters.issued` and :mod:`~hanoi.letters.records`: issuing (signed, stored,
  logged as ``letter-issued``), listing and finding letters.

See ``docs/letters.md``.
"""
