"""The audit trail sheet and the hash method sheet: every event of the period, with everything
the chain hashes, as text, so that the chain can be recomputed from the workbook alone.

The timestamp is written as the exact text that is hashed (Excel would round microseconds in a
date cell), next to the local time for people; a null field is a blank cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from article8.core.audit import CHAIN_COLUMNS, GENESIS_HASH, HASHED_TIME, event_hash_at
from article8.core.errors import N_
from article8.core.models import AuditEvent
from article8.core.vocabulary import AUDIT_ACTIONS, AUDIT_OBJECTS
from article8.core.xlsx import text_cell
from article8.reports.workbook.page import (
    HEADER_ROW,
    WRAP,
    set_up_page,
    wrapped_height,
    write_title_block,
)
from article8.reports.workbook.table import Column, Context, TableSheet, scope_line

CHAIN = "audit_trail.chain"


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per event of the range, by sequence; memory stays flat however long the trail.

    The same pass over the whole chain checks every link, so the cover's verification costs no
    second reading of the trail (the cover is filled once every sheet is written).
    """
    walk = _Walk(context)
    with _chain(context) as found:
        for row in found:
            hashed_time = row.occurred_at.astimezone(UTC).strftime(HASHED_TIME)
            if not walk.feed(row, hashed_time):
                continue
            yield (
                row.seq,
                row.occurred_at,
                hashed_time,
                None if row.actor_id is None else str(row.actor_id),
                row.actor_label,
                row.action,
                row.object_type,
                row.object_id,
                row.details,
                row.client_addr,
                row.prev_hash,
                row.hash,
            )
    context.memo[CHAIN] = walk.state()


def _chain(context: Context) -> Any:
    """Every event of the chain, by sequence, as columns (not ORM objects), streamed."""
    return context.session.execute(
        select(*CHAIN_COLUMNS).order_by(AuditEvent.seq).execution_options(yield_per=5000)
    )


SHEET = TableSheet(
    N_("Audit trail"),
    (
        Column(N_("Sequence"), 10, "int"),
        Column(N_("Time"), 20, "timestamp"),
        Column(N_("Time (UTC, as hashed)"), 29, "raw"),
        Column(N_("Actor id"), 9),
        Column(N_("Actor"), 24),
        Column(N_("Action"), 22),
        Column(N_("Object"), 14),
        Column(N_("Object id"), 10),
        Column(N_("Details (canonical JSON, as hashed)"), 40),
        Column(N_("Client address"), 16),
        Column(N_("Previous hash"), 66, "raw"),
        Column(N_("Hash"), 66, "raw"),
    ),
    rows,
    holds=N_(
        "Every recorded event with everything its hash covers (actions and objects as the codes "
        "that are hashed; the next sheet gives each in words)"
    ),
    scope=N_("Events recorded during the range"),
)

CODE_KINDS = {"action": N_("Action"), "object": N_("Object")}


def codes(context: Context) -> Iterator[tuple[Any, ...]]:
    """Every action and object code the audit trail may hold, with its meaning."""
    _ = context.translate
    for kind, vocabulary in (("action", AUDIT_ACTIONS), ("object", AUDIT_OBJECTS)):
        for term in vocabulary:
            yield (_(CODE_KINDS[kind]), term.code, _(term.label))


# The codes stay in the audit trail as they are hashed (so that the chain can be recomputed);
# this sheet gives them in the edition's language once, rather than a column per event.
CODES = TableSheet(
    N_("Audit trail codes"),
    (
        Column(N_("Column"), 10),
        Column(N_("Code"), 34),
        Column(N_("Meaning"), 50),
    ),
    codes,
    holds=N_("What each action and object code of the audit trail means"),
    scope=N_("Every code the audit trail records"),
)


@dataclass(frozen=True)
class ChainState:
    """The chain as found at generation: the period's sequence range and the whole chain's check."""

    first_seq: int | None
    first_prev_hash: str | None
    last_seq: int | None
    last_hash: str | None
    head_seq: int
    head_hash: str
    checked: int
    first_bad_seq: int | None

    @property
    def ok(self) -> bool:
        """True when every event of the chain recomputed to its stored hash."""
        return self.first_bad_seq is None


class _Walk:
    """One pass over the chain: recompute each event's hash and link, and note the range's first
    and last events."""

    def __init__(self, context: Context) -> None:
        tz = context.timezone
        self.starts, self.ends = context.period.starts_at(tz), context.period.ends_at(tz)
        self.first: tuple[int, str] | None = None
        self.last: tuple[int, str] | None = None
        self.expected_seq, self.prev_hash, self.checked = 1, GENESIS_HASH, 0
        self.bad: int | None = None

    def feed(self, row: Any, hashed_time: str | None = None) -> bool:
        """Check one event (in sequence order); True when it falls in the range."""
        if self.bad is None:
            # event_hash reads the same attribute names from a row as from an event.
            if (
                row.seq != self.expected_seq
                or row.prev_hash != self.prev_hash
                or event_hash_at(row, hashed_time or _hashed_time(row)) != row.hash
            ):
                self.bad = self.expected_seq if row.seq != self.expected_seq else row.seq
            else:
                self.checked += 1
        self.expected_seq, self.prev_hash = row.seq + 1, row.hash
        if self.starts <= row.occurred_at < self.ends:
            if self.first is None:
                self.first = (row.seq, row.prev_hash)
            self.last = (row.seq, row.hash)
            return True
        return False

    def state(self) -> ChainState:
        """What the pass found."""
        first, last = self.first, self.last
        return ChainState(
            first_seq=first[0] if first else None,
            first_prev_hash=first[1] if first else None,
            last_seq=last[0] if last else None,
            last_hash=last[1] if last else None,
            head_seq=self.expected_seq - 1,
            head_hash=self.prev_hash,
            checked=self.checked,
            first_bad_seq=self.bad,
        )


def _hashed_time(row: Any) -> str:
    return str(row.occurred_at.astimezone(UTC).strftime(HASHED_TIME))


def chain_state(context: Context) -> ChainState:
    """The whole chain recomputed, with the range's first and last events: from the audit trail
    sheet's pass when it has run, or from a pass of its own."""
    found = context.memo.get(CHAIN)
    if isinstance(found, ChainState):
        return found
    walk = _Walk(context)
    with _chain(context) as result:
        for row in result:
            walk.feed(row)
    state = walk.state()
    context.memo[CHAIN] = state
    return state


METHOD = (
    N_("How to recompute the hash of an audit event"),
    N_(
        "1. Build a JSON object with these keys: seq (the Sequence column, a number), occurred_at "
        "(the column Time (UTC, as hashed), a string), actor_id (the Actor id column as a number, "
        "or null when blank), actor (the Actor column), action, object_type (the Object column), "
        "object_id, details (the Details column, as a string, exactly as written), client_addr "
        "(the Client address column). A blank cell is null."
    ),
    N_(
        '2. Serialise it with the keys sorted, no spaces (separators "," and ":") and '
        "non-ASCII characters written as they are (Python: json.dumps(obj, sort_keys=True, "
        'separators=(",", ":"), ensure_ascii=False)).'
    ),
    N_(
        "3. Hash = SHA-256 (lower-case hexadecimal) of the UTF-8 bytes of that text followed by "
        "the ASCII bytes of the Previous hash column."
    ),
    N_(
        "4. Each event's Previous hash is the hash of the event before it; the first event of "
        "the chain has 64 zeros. The cover gives the first sequence of this workbook with its "
        "previous hash and the last with its hash."
    ),
    N_(
        "A text cell that starts with one of = + - @, a tab, a carriage return or a line feed "
        "(possibly after apostrophes) is written with one extra leading apostrophe so that "
        "spreadsheets never run it as a formula: remove that one apostrophe before hashing."
    ),
)


class HashMethod:
    """A sheet of text: how any tool recomputes the audit trail's hashes."""

    title = N_("Hash method")
    holds = N_("How to recompute the audit trail's hashes from this workbook")
    scope = N_("The whole audit trail")

    def write(self, workbook: Workbook, context: Context) -> dict[str, int]:
        """Add the sheet; it holds no table, so no rows are counted."""
        _ = context.translate
        title = _(self.title)
        ws = workbook.create_sheet(title)
        ws.column_dimensions["A"].width = 100
        set_up_page(ws, context.style, title, landscape=False)
        write_title_block(ws, context.style, title, scope_line(context, self.scope), 1, 100)
        heading = text_cell(ws, _(METHOD[0]))
        heading.font = context.style.bold
        ws.append([heading])
        for index, paragraph in enumerate(METHOD[1:], HEADER_ROW + 1):
            text = _(paragraph)
            cell = text_cell(ws, text)
            cell.alignment = WRAP
            ws.row_dimensions[index].height = wrapped_height(text, 96)
            ws.append([cell])
        return {}


HASH_METHOD = HashMethod()
