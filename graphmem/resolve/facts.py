"""Planning temporal facts: which open facts a batch of new relations closes, and which it adds.

Pure: it sees rows as plain values, so the rules are tested with literals.
- A triple already known and open is not added twice.
- ``closes`` ends an open fact ("I quit my job at X"); with nothing to end, it is stored as past.
- A new value of a single-valued predicate closes the other open values at its ``valid_from``;
  an older statement arriving late is stored closed at the newer value's start instead.
- The same triple with the opposite polarity closes the old one.
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
    valid_from: datetime
    valid_to: datetime | None = None
    closes: bool = False
    confidence: float = 1.0
    message_id: int | None = None
    span: tuple[int, int] | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

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

    for fact in sorted(new, key=lambda f: f.valid_from):
        current = still_open()
        same = [(o, i) for o, i in current if fact.same_triple(o)]
        if fact.closes:
            ended = [(o, i) for o, i in same if o.polarity == 1]
            for o, i in ended:
                end(o, i, fact.valid_from)
            if not ended:
                plan.insert.append(replace(fact, closes=False, valid_to=fact.valid_from))
            continue
        if fact.valid_to is not None:  # stated as past: history only, closes nothing
            plan.insert.append(fact)
            continue
        if any(o.polarity == fact.polarity for o, _ in same):
            continue
        for o, i in same:
            end(o, i, fact.valid_from)
        valid_to = None
        if fact.predicate in single_valued and fact.polarity == 1:
            for o, i in current:
                if o.subject_id == fact.subject_id and o.predicate == fact.predicate and o.polarity == 1 and not fact.same_triple(o):
                    if o.valid_from is not None and o.valid_from > fact.valid_from:
                        valid_to = o.valid_from if valid_to is None else min(valid_to, o.valid_from)
                    else:
                        end(o, i, fact.valid_from)
        plan.insert.append(replace(fact, valid_to=valid_to))
        if valid_to is None:
            pending.append(len(plan.insert) - 1)
    return plan
