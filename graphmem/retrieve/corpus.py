"""What a search knows about the user's corpus before any channel runs: the revisions and the
query's lexemes (read on every search), and what they guard, cached in process: the corpus
profile, the speakers' names and each memory's facts for fusion."""

from __future__ import annotations

from typing import Any, Collection

from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.retrieve.cache import StampedCache, cached
from graphmem.store import lexical, retrieval
from graphmem.store.retrieval import Candidate

__all__ = ["PROFILE", "SPEAKERS", "FACTS", "read_corpus", "read_speakers", "read_facts"]

# Entries in the lexicon cache beside the BM25 indexes, and the facts cache's one kind.
PROFILE, SPEAKERS, FACTS = "profile", "speakers", "facts"


async def read_corpus(conn: AsyncConnection, user_id: str, query: str, cache: StampedCache[Any]) -> lexical.Corpus:
    """The user's revisions and the query's lexemes, read on every search; the corpus profile
    (count, median length, passages) from the cache while the memory revision holds."""
    stamp, graph_revision, terms = await lexical.revisions(conn, user_id, query)
    count, median, passages = await cached(cache, user_id, PROFILE, stamp, lambda: lexical.profile(conn, user_id), tuple)
    return lexical.Corpus(count, median, stamp, terms, passages, graph_revision)


async def read_speakers(
    conn: AsyncConnection, user_id: str, corpus: lexical.Corpus, cache: StampedCache[Any]
) -> frozenset[str]:
    """The names the user's messages were said by, cached while the memory revision holds (a
    new speaker's message makes a memory)."""
    return await cached(cache, user_id, SPEAKERS, corpus.stamp, lambda: retrieval.speakers(conn, user_id), frozenset)


async def read_facts(
    conn: AsyncConnection, user_id: str, corpus: lexical.Corpus, cache: StampedCache[Any], ids: Collection[int] = ()
) -> dict[int, Candidate]:
    """What fusion weighs about each of ``ids``, from all the user's memories' facts, cached
    while the memory revision holds (read again here when it does not). An id missing there, a
    memory written after the revision was read, is read on its own."""
    known = await cached(
        cache, user_id, FACTS, corpus.stamp, lambda: retrieval.fact_rows(conn, user_id), retrieval.facts_by_id
    )
    out = {i: known[i] for i in ids if i in known}
    missing = [i for i in ids if i not in known]
    if missing:
        out |= retrieval.facts_by_id(await retrieval.fact_rows(conn, user_id, missing))
    return out
