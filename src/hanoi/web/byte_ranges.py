"""HTTP ``Range`` over an object read in ranges (RFC 9110, sections 14.1-14.4): one byte
range answered ``206`` with ``Content-Range``, none satisfiable ``416``, no ``Range``
``200``; the body streamed in pieces, so memory stays bounded whatever the size.

What a receiver of evidence packages relies on (:mod:`hanoi.federation.range_fetch`):
``bytes=first-last`` answered with exactly those bytes and ``206``. Beyond it: an open
end (``first-``) and a suffix (``-n``) are understood; overlapping or adjacent ranges are
merged, and ranges still apart after merging are answered with the whole object (``200``,
which RFC 9110 allows: a server may ignore ``Range``) rather than a multipart body; a
``Range`` in another unit is ignored; a malformed byte range is ``400``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from fastapi.responses import PlainTextResponse, Response, StreamingResponse

PIECE = 64 * 1024
"""Bytes per piece of the body (as Starlette's ``FileResponse`` sends a file)."""


class MalformedRange(ValueError):
    pass


def parse(header: str, size: int) -> list[tuple[int, int]] | None:
    """The satisfiable ranges of a ``Range`` header as (first, last) pairs, merged and in
    order; None to ignore the header (another unit); ``[]`` if none is satisfiable.
    Raises :class:`MalformedRange`."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    wanted: list[tuple[int, int]] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        first, dash, last = part.partition("-")
        first, last = first.strip(), last.strip()
        if not dash or not (first or last) or not (first + last).isdigit():
            raise MalformedRange(f"malformed byte range {part[:40]!r}")
        if not first:  # a suffix: the last n bytes
            if int(last) > 0 and size > 0:
                wanted.append((max(0, size - int(last)), size - 1))
            continue
        start = int(first)
        if last and int(last) < start:
            raise MalformedRange(f"the byte range {part[:40]!r} ends before it starts")
        if start < size:
            wanted.append((start, min(int(last), size - 1) if last else size - 1))
    wanted.sort()
    merged: list[tuple[int, int]] = []
    for start, end in wanted:
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def ranged_response(
    header: str | None,
    *,
    size: int,
    etag: str,
    media_type: str,
    open_range: Callable[[int, int], BinaryIO],
) -> Response:
    """The answer to a GET of an object of ``size`` bytes; ``open_range(start, length)``
    reads it, opened when the body starts and closed when it ends, however it ends (a
    client gone before the first piece opens nothing). The caller checks beforehand that
    the object is there: an error once the body has started cuts the answer short, which
    a range client sees and asks again."""
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{etag}"'}
    try:
        ranges = parse(header, size) if header else None
    except MalformedRange as exc:
        return PlainTextResponse(str(exc), status_code=400)
    if ranges == []:
        return PlainTextResponse(
            "no satisfiable byte range",
            status_code=416,
            headers={**headers, "Content-Range": f"bytes */{size}"},
        )
    if ranges is None or len(ranges) > 1:
        start, end, status = 0, size - 1, 200
    else:
        [(start, end)] = ranges
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = end - start + 1
    headers["Content-Length"] = str(length)
    return StreamingResponse(
        _pieces(open_range, start, length),
        status_code=status,
        headers=headers,
        media_type=media_type,
    )


def _pieces(open_range: Callable[[int, int], BinaryIO], start: int, length: int) -> Iterator[bytes]:
    with open_range(start, length) as stream:
        while piece := stream.read(PIECE):
            yield piece
