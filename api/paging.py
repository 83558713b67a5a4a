"""Paging parameters shared by every list endpoint: `limit` and `offset`, bounded.

The bounds keep every value far inside a 64-bit integer, which is what SQLite and
PostgreSQL (bigint) take for LIMIT and OFFSET: an unbounded `offset=9223372036854775808`
used to reach the database and fail there (a 500). A billion rows is beyond any list of a
business; past it the answer is a 422 naming the bound.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_OFFSET = 1_000_000_000
MAX_LIMIT = 1000
# The appointments list is read as a calendar: a month of a busy business fits one page.
MAX_CALENDAR_LIMIT = 2000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET,
                              description=f"rows to skip, 0 to {MAX_OFFSET:,}")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT,
                             description=f"rows to return, 1 to {MAX_LIMIT:,}")]
CalendarLimit = Annotated[int, Query(ge=1, le=MAX_CALENDAR_LIMIT,
                                     description=f"rows to return, 1 to "
                                                 f"{MAX_CALENDAR_LIMIT:,}")]
