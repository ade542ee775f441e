"""Turn-level retrieval metrics and evidence-id repair: pure."""

from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

__all__ = ["repair_evidence", "recall_at", "ndcg_at"]

_ID = re.compile(r"D\s*:?\s*(\d+)\s*:\s*(\d+)")


def repair_evidence(raw: Iterable[str], known: set[str]) -> list[str]:
    """Split "D8:6; D9:17", mend "D:11:26" into "D11:26", and drop ids that name no turn."""
    out: list[str] = []
    for item in raw:
        for session, turn in _ID.findall(item):
            dia_id = f"D{int(session)}:{int(turn)}"
            if dia_id in known and dia_id not in out:
                out.append(dia_id)
    return out


def recall_at(ranked: Sequence[str], evidence: Sequence[str], k: int) -> float:
    """Fraction of the evidence turns among the first ``k`` distinct returned turns."""
    top = list(dict.fromkeys(ranked))[:k]
    return sum(e in top for e in evidence) / len(evidence)


def ndcg_at(ranked: Sequence[str], evidence: Sequence[str], k: int) -> float:
    top = list(dict.fromkeys(ranked))[:k]
    gain = sum(1 / math.log2(i + 2) for i, turn in enumerate(top) if turn in evidence)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(evidence))))
    return gain / ideal if ideal else 0.0
