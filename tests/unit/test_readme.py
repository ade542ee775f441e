"""CI runs the README's test command exactly; keep the two in step."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command() -> None:
    ci_lines = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd ", "rm "))]
    assert len(ci_lines) == 1
    assert ci_lines[0] in (ROOT / "README.md").read_text()


def test_torch_is_pinned_to_the_cpu_build() -> None:
    assert '"torch==2.13.0"' in (ROOT / "pyproject.toml").read_text()
