from __future__ import annotations

import subprocess
import sys

import graphmem.extract


def test_package_import_does_not_load_spacy() -> None:
    code = "import sys, graphmem.extract; assert 'spacy' not in sys.modules, 'spacy imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_public_surface_is_exported() -> None:
    for name in graphmem.extract.__all__:
        assert hasattr(graphmem.extract, name), name
    assert {"SpacyExtractor", "FakeExtractor", "Utterance", "entity_key", "SINGLE_VALUED"} <= set(graphmem.extract.__all__)
