"""Planning temporal facts: which open facts a batch of new relations closes, and which it adds.

Pure: it sees rows as plain values, so the rules are tested with literals. A fact's moment is
its ``valid_from``, or when it was said. Nothing is ever closed before it started:
- A triple already known and open is not added twice.
- ``closes`` ends an open fact ("I quit my job at X"); with nothing to end, it is stored as past.
- A fact stated as past ("I used to live in Chicago") ends the same open fact, else is history.
- A new value of a single-valued predicate closes the other open values at its moment.
- The same triple with the opposite polarity replaces the old one.
- A statement older than the open fact it contradicts is stored already closed instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Iterable

__all__ = ["OpenFact", "NewFact", "FactPlan", "plan_facts"]


@dataclass(frozen=True, slots=True)
class OpenFact:
    id: int
    subject_id: int
    predicate: str
    object_id: int | None
    literal: str | None
    polarity: int
    valid_from: datetime | None


@dataclass(frozen=True, slots=True)
class NewFact:
    subject_id: int
    predicate: str
    object_id: int | None
    literal: str | None
    polarity: int
    said_at: datetime
    valid_from: datetime | None = None  # None: unknown start (past facts)
    valid_to: datetime | None = None
    closes: bool = False
    confidence: float = 1.0
    message_id: int | None = None
    span: tuple[int, int] | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def moment(self) -> datetime:
        return self.valid_from or self.said_at

    def same_triple(self, other: "OpenFact | NewFact") -> bool:
        return (self.subject_id, self.predicate, self.object_id, self.literal) == (
            other.subject_id,
            other.predicate,
            other.object_id,
            other.literal,
        )


@dataclass(slots=True)
class FactPlan:
    close: dict[int, datetime] = field(default_factory=dict)  # stored fact id -> valid_to
    insert: list[NewFact] = field(default_factory=list)


def _started_after(fact: OpenFact | NewFact, moment: datetime) -> bool:
    return fact.valid_from is not None and fact.valid_from > moment


def plan_facts(open_facts: Iterable[OpenFact], new: Iterable[NewFact], single_valued: frozenset[str]) -> FactPlan:
    plan = FactPlan()
    stored = list(open_facts)
    pending: list[int] = []  # indexes into plan.insert that are still open

    def still_open() -> list[tuple[OpenFact | NewFact, int | None]]:
        rows: list[tuple[OpenFact | NewFact, int | None]] = [(o, None) for o in stored if o.id not in plan.close]
        rows += [(plan.insert[i], i) for i in pending if plan.insert[i].valid_to is None]
        return rows

    def end(fact: OpenFact | NewFact, index: int | None, at: datetime) -> None:
        if index is None:
            plan.close[fact.id] = at  # type: ignore[union-attr]
        else:
            plan.insert[index] = replace(plan.insert[index], valid_to=at)

    def add(fact: NewFact) -> None:
        plan.insert.append(fact)
        if fact.valid_to is None:
            pending.append(len(plan.insert) - 1)

    for fact in sorted(new, key=lambda f: f.moment):
        at = fact.moment
        current = still_open()
        same = [(o, i) for o, i in current if fact.same_triple(o)]
        if fact.closes or fact.valid_to is not None:
            until = fact.valid_to or at
            ended = [(o, i) for o, i in same if o.polarity == fact.polarity and not _started_after(o, until)]
            for o, i in ended:
                end(o, i, until)
            if not ended:
                add(replace(fact, closes=False, valid_to=until))
            continue
        if any(o.polarity == fact.polarity for o, _ in same):
            continue
        newer = [o.valid_from for o, _ in current if _started_after(o, at) and _conflicts(fact, o, single_valued)]
        if newer:  # said before what we already know: history, not the current state
            add(replace(fact, valid_to=min(v for v in newer if v is not None)))
            continue
        for o, i in current:
            if _conflicts(fact, o, single_valued):
                end(o, i, at)
        add(fact)
    return plan


def _conflicts(fact: NewFact, other: OpenFact | NewFact, single_valued: frozenset[str]) -> bool:
    """``other`` stops being true once ``fact`` is: the opposite polarity of the same triple,
    or another value of a single-valued predicate."""
    if fact.same_triple(other):
        return other.polarity != fact.polarity
    return (
        fact.predicate in single_valued
        and fact.polarity == 1
        and other.polarity == 1
        and other.subject_id == fact.subject_id
        and other.predicate == fact.predicate
    )
