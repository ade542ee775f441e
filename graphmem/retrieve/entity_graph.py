"""One user's entity graph held in process: what the graph channel reads for every query.

Linking, expanding and scoring over these maps costs a few hundred microseconds, where the same
walk in SQL took three round trips and, for a query naming a speaker (a hub of hundreds of
mentions), several milliseconds. The cache keeps it while the user's graph revision holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

__all__ = ["EntityGraph"]


@dataclass(frozen=True, slots=True)
class EntityGraph:
    names: Mapping[int, str]  # entity id -> name
    types: Mapping[int, str]
    counts: Mapping[int, int]  # entity id -> mention count
    aliases: Mapping[str, tuple[int, ...]]  # alias key -> entity ids
    relations: Sequence[tuple[int, int, str]]  # (subject, object, predicate) between entities, in id order
    touching: Mapping[int, tuple[int, ...]]  # entity id -> indexes into ``relations``
    mentioned_in: Mapping[int, tuple[int, ...]]  # entity id -> memory ids
    mentions_of: Mapping[int, tuple[int, ...]]  # memory id -> entity ids

    @classmethod
    def build(
        cls,
        rows: tuple[
            Iterable[tuple[int, str, str, int]],  # entities: (id, name, type, mention count)
            Iterable[tuple[str, int]],  # aliases: (key, entity id)
            Iterable[tuple[int, int, str]],  # relations with an entity object, in id order
            Iterable[tuple[int, int]],  # distinct mentions: (entity id, memory id)
        ],
    ) -> "EntityGraph":
        entities, aliases, relations, mentions = rows
        names: dict[int, str] = {}
        types: dict[int, str] = {}
        counts: dict[int, int] = {}
        for entity_id, name, kind, count in entities:
            names[entity_id], types[entity_id], counts[entity_id] = name, kind, count
        keyed: dict[str, list[int]] = {}
        for key, entity_id in aliases:
            keyed.setdefault(key, []).append(entity_id)
        edges = list(relations)
        touching: dict[int, list[int]] = {}
        for i, (subject, obj, _) in enumerate(edges):
            touching.setdefault(subject, []).append(i)
            if obj != subject:
                touching.setdefault(obj, []).append(i)
        mentioned_in: dict[int, list[int]] = {}
        mentions_of: dict[int, list[int]] = {}
        for entity_id, memory_id in mentions:
            mentioned_in.setdefault(entity_id, []).append(memory_id)
            mentions_of.setdefault(memory_id, []).append(entity_id)
        return cls(
            names, types, counts,
            {k: tuple(sorted(set(v))) for k, v in keyed.items()},
            edges,
            {k: tuple(v) for k, v in touching.items()},
            {k: tuple(v) for k, v in mentioned_in.items()},
            {k: tuple(v) for k, v in mentions_of.items()},
        )

    def __len__(self) -> int:
        """Its size for the cache's bound: entities, relations and mentions."""
        return len(self.names) + len(self.relations) + sum(len(v) for v in self.mentioned_in.values())

    def link(self, keys: Iterable[str], exclude_types: Iterable[str] = ()) -> list[int]:
        """Entities whose alias keys are among ``keys``, leaving out ``exclude_types``."""
        excluded = set(exclude_types)
        found = {e for key in keys for e in self.aliases.get(key, ()) if self.types.get(e) not in excluded}
        return sorted(found)

    def of_memories(self, memory_ids: Iterable[int]) -> list[int]:
        """Entities the memories mention."""
        return sorted({e for m in memory_ids for e in self.mentions_of.get(m, ())})

    def edges(self, entity_ids: Iterable[int], limit: int = 2000) -> list[tuple[int, int, str]]:
        """Relations touching ``entity_ids``, the first ``limit`` in id order (bounded work)."""
        found = sorted({i for e in entity_ids for i in self.touching.get(e, ())})
        return [self.relations[i] for i in found[:limit]]

    def near(self, pulls: Mapping[int, float]) -> list[tuple[int, float, int]]:
        """Memories mentioning the entities, scored by the sum of the pulls of the entities each
        mentions, as (memory id, score, strongest entity), best first."""
        score: dict[int, float] = {}
        strongest: dict[int, int] = {}
        for entity_id in sorted(pulls):
            pull = pulls[entity_id]
            for memory_id in self.mentioned_in.get(entity_id, ()):
                score[memory_id] = score.get(memory_id, 0.0) + pull
                best = strongest.get(memory_id)
                if best is None or pull > pulls[best]:  # ties: the lower id, seen first
                    strongest[memory_id] = entity_id
        return [(m, score[m], strongest[m]) for m in sorted(score, key=lambda m: (-score[m], m))]
