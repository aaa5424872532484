"""The unit layer runs in-process: starting any subprocess here fails the test that tries."""

import subprocess

import pytest


@pytest.fixture(autouse=True)
def no_subprocess(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"tests/unit starts no subprocess (tried {args[1] if len(args) > 1 else kwargs})")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
