"""``graphmem bench extract``: extraction alone, next to bare ``nlp.pipe`` on the same texts.

Both run in this process, alternately, several rounds; the best round of each counts, so a
burst of load on the shared cores hurts neither side more than the other.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Sequence

from graphmem.bench.locomo import Turn, flatten_turns, load_samples
from graphmem.bench.report import environment, print_header, print_result, print_table
from graphmem.settings import Settings

__all__ = ["run_extract", "bare_pipeline"]

ROUNDS = 3


def bare_pipeline(model: str) -> Any:
    """The spaCy model exactly as shipped, without graphmem's components."""
    import spacy

    return spacy.load(model)


def _utterances(turns: Sequence[Turn]) -> list[Any]:
    from graphmem.services.graph_stage import utterances
    from graphmem.services.pipeline import PendingMessage

    pending = [PendingMessage(i, "other", t.text, t.speaker, t.timestamp, t.dia_id, {}) for i, t in enumerate(turns)]
    return utterances(pending)


def run_extract(args: argparse.Namespace) -> int:
    from graphmem.extract.pipeline import SpacyExtractor

    turns = flatten_turns(load_samples(args.data))[: args.messages]
    settings = Settings.from_env()
    env = environment()
    print_header("extract", env, [("data", args.data), ("messages", len(turns)), ("model", settings.spacy_model), ("rounds", ROUNDS)])
    texts = [t.text for t in turns]
    said = _utterances(turns)
    extractor = SpacyExtractor(settings.spacy_model)
    bare = bare_pipeline(settings.spacy_model)
    extractor.extract(said[:64])  # load and warm both
    list(bare.pipe(texts[:64], batch_size=extractor.batch_size))

    bare_s, ours_s, relations = [], [], 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _doc in bare.pipe(texts, batch_size=extractor.batch_size):
            pass
        bare_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = extractor.extract(said)
        ours_s.append(time.perf_counter() - start)
        relations = sum(len(x.relations) for x in found)

    n = len(turns)
    best_bare, best_ours = min(bare_s), min(ours_s)
    overhead = best_ours / best_bare - 1
    print_table(
        ["path", "messages", "best s", "messages/s"],
        [["bare nlp.pipe", n, best_bare, n / best_bare], ["graphmem extraction", n, best_ours, n / best_ours]],
    )
    print(f"overhead of graphmem's components: {overhead:+.1%} (target <= +30%); {relations} relations extracted")
    print_result(
        env
        | {
            "bench": "extract",
            "ok": overhead <= 0.30,
            "messages": n,
            "bare_seconds": bare_s,
            "extract_seconds": ours_s,
            "bare_msgs_per_s": n / best_bare,
            "extract_msgs_per_s": n / best_ours,
            "overhead": overhead,
            "relations": relations,
        }
    )
    return 0
