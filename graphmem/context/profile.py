"""The user's profile: their own facts, grouped into the topics a support agent looks for."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from graphmem.dto import ProfileFact

__all__ = ["TOPICS", "topic_of", "group_profile"]

# Topic -> predicates, in the order the profile lists them. Anything else goes under "other".
TOPICS: dict[str, tuple[str, ...]] = {
    "identity": ("name", "age", "birthday"),
    "contact": ("email", "phone"),
    "location": ("lives_in", "from"),
    "job": ("works_at", "works_as", "studies_at"),
    "family": ("has_family_member",),
    "pets": ("has_pet",),
    "friends": ("friend_of",),
    "preferences": ("likes", "dislikes", "prefers", "wants", "plans_to"),
    "purchases": ("owns", "bought", "ordered", "returned", "uses"),
    "allergies": ("allergic_to",),
    "places": ("visited", "attended"),
}
_TOPIC_OF = {p: topic for topic, predicates in TOPICS.items() for p in predicates}
_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


def topic_of(predicate: str) -> str:
    return _TOPIC_OF.get(predicate, "other")


def group_profile(facts: Iterable[ProfileFact]) -> dict[str, list[ProfileFact]]:
    """Topics in ``TOPICS`` order, then "other"; within one, current facts first, newest first."""
    grouped: dict[str, list[ProfileFact]] = {}
    for fact in facts:
        grouped.setdefault(topic_of(fact.predicate), []).append(fact)
    order = [*TOPICS, "other"]
    return {
        topic: sorted(grouped[topic], key=lambda f: (not f.current, -(f.valid_from or _EPOCH).timestamp(), -f.relation_id))
        for topic in order
        if topic in grouped
    }
