"""``graphmem bench erasure`` end to end, small: it fills, erases and checks what is left."""

from __future__ import annotations

import json
import subprocess
import sys


def test_bench_erasure_small() -> None:
    done = subprocess.run([sys.executable, "-m", "graphmem.cli.main", "bench", "erasure", "--messages", "300"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert result["left"] == 0 and result["bystander_intact"]
    assert result["deleted"]["messages"] == 300 and result["deleted"]["memories"] == 300
    assert result["erase_s"] < 5
