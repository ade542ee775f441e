"""Temporal fact planning on literal rows."""

from __future__ import annotations

from datetime import datetime, timezone

from graphmem.resolve.facts import NewFact, OpenFact, plan_facts

SINGLE = frozenset({"lives_in", "works_at"})


def t(day: int, month: int = 5) -> datetime:
    return datetime(2024, month, day, tzinfo=timezone.utc)


def fact(pred: str, obj: int, day: int, **kw: object) -> NewFact:
    polarity = kw.pop("polarity", 1)
    return NewFact(subject_id=1, predicate=pred, object_id=obj, literal=None, polarity=polarity, said_at=t(day), **kw)  # type: ignore[arg-type]


def test_new_single_value_closes_the_old_one() -> None:
    boston = OpenFact(10, 1, "lives_in", 100, None, 1, t(1))
    plan = plan_facts([boston], [fact("lives_in", 200, 5)], SINGLE)
    assert plan.close == {10: t(5)}
    assert [(f.object_id, f.valid_to) for f in plan.insert] == [(200, None)]


def test_moves_within_one_batch_chain_in_time_order() -> None:
    plan = plan_facts([], [fact("lives_in", 3, 9), fact("lives_in", 1, 2), fact("lives_in", 2, 4)], SINGLE)
    assert [(f.object_id, f.moment, f.valid_to) for f in plan.insert] == [
        (1, t(2), t(4)),
        (2, t(4), t(9)),
        (3, t(9), None),
    ]


def test_stated_date_orders_and_closes() -> None:
    boston = OpenFact(10, 1, "lives_in", 100, None, 1, t(1))
    moved = fact("lives_in", 200, 20, valid_from=t(10))  # "last month" said on the 20th
    plan = plan_facts([boston], [moved], SINGLE)
    assert plan.close == {10: t(10)}


def test_multi_valued_facts_accumulate_and_repeats_are_skipped() -> None:
    tea = OpenFact(1, 1, "likes", 7, None, 1, t(1))
    plan = plan_facts([tea], [fact("likes", 8, 2), fact("likes", 7, 3)], SINGLE)
    assert plan.close == {}
    assert [f.object_id for f in plan.insert] == [8]


def test_closes_ends_the_open_fact_or_records_a_past_one() -> None:
    acme = OpenFact(4, 1, "works_at", 50, None, 1, t(1))
    plan = plan_facts([acme], [fact("works_at", 50, 6, closes=True)], SINGLE)
    assert plan.close == {4: t(6)} and plan.insert == []
    plan = plan_facts([], [fact("works_at", 51, 6, closes=True)], SINGLE)
    assert [(f.object_id, f.valid_to, f.closes) for f in plan.insert] == [(51, t(6), False)]


def test_quitting_before_the_job_started_closes_nothing() -> None:
    acme = OpenFact(4, 1, "works_at", 50, None, 1, t(1, 6))
    plan = plan_facts([acme], [fact("works_at", 50, 6, closes=True)], SINGLE)
    assert plan.close == {} and plan.insert[0].valid_to == t(6)


def test_past_fact_ends_the_same_open_fact_only() -> None:
    chicago = OpenFact(3, 1, "lives_in", 9, None, 1, t(1))
    plan = plan_facts([chicago], [fact("lives_in", 9, 6, valid_to=t(6))], SINGLE)
    assert plan.close == {3: t(6)} and plan.insert == []
    austin = OpenFact(3, 1, "lives_in", 9, None, 1, t(1))
    plan = plan_facts([austin], [fact("lives_in", 8, 6, valid_to=t(6))], SINGLE)
    assert plan.close == {}
    assert [(f.object_id, f.valid_from, f.valid_to) for f in plan.insert] == [(8, None, t(6))]


def test_late_arriving_older_value_is_stored_closed() -> None:
    austin = OpenFact(3, 1, "lives_in", 9, None, 1, t(10))
    plan = plan_facts([austin], [fact("lives_in", 8, 2)], SINGLE)
    assert plan.close == {}
    assert [(f.object_id, f.valid_to) for f in plan.insert] == [(8, t(10))]


def test_opposite_polarity_replaces_the_old_statement() -> None:
    likes = OpenFact(5, 1, "likes", 7, None, 1, t(1))
    plan = plan_facts([likes], [fact("likes", 7, 3, polarity=-1)], SINGLE)
    assert plan.close == {5: t(3)}
    assert [(f.polarity, f.valid_to) for f in plan.insert] == [(-1, None)]


def test_older_contradiction_never_closes_a_newer_fact() -> None:
    likes = OpenFact(5, 1, "likes", 7, None, 1, t(1, 5))
    january = NewFact(1, "likes", 7, None, -1, said_at=t(3, 1))
    plan = plan_facts([likes], [january], frozenset())
    assert plan.close == {}
    assert [(f.polarity, f.valid_to) for f in plan.insert] == [(-1, t(1, 5))]
