"""Shared fixtures and the two tiers.

The full tier (``make test``) uses one real model and one real index built from the bundled
corpus, and the real app in Chromium. The fast tier (``make check``, ``pytest -m "not full"``)
is every test that needs none of that: a test is in the full tier when it uses the real model
(fixtures ``model``, ``built_index``, ``qa``), starts the app (``e2e``) or is marked ``full``
(it starts ``python -m quoteqa`` in a subprocess). Fast tests that need an index use
``stub_index``, built with the stub model of ``stub_model.py``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import stub_model

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # the evaluation harness (`harness`), outside the product
CORPUS = ROOT / "corpus"
SEED = ROOT / "corpus" / "wujin-2024-07-plenary.txt"
# The keys of an answer's JSON object, in order (README, "The JSON answer").
ANSWER_KEYS = [
    "question", "interpreted", "found", "confidence", "answer", "repairs", "citations", "passages", "timeline",
    "asked", "missing", "related",
]  # fmt: skip


stub_model.register()
FULL_FIXTURES = {"model", "built_index", "qa"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e") or FULL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.full)


@pytest.fixture(scope="session")
def stub_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled articles indexed with the stub model (a second or two)."""
    from quoteqa.index.build import build

    corpus = tmp_path_factory.mktemp("stub-corpus")
    shutil.copy(SEED, corpus / SEED.name)
    index = tmp_path_factory.mktemp("stub-idx") / "index"
    build(corpus, index, model_name=stub_model.STUB)
    return index


@pytest.fixture(scope="session")
def model():
    from quoteqa.index.embedding import load_model

    return load_model()


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, model) -> Path:
    from quoteqa.index.build import build

    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copy(SEED, corpus / SEED.name)
    index = tmp_path_factory.mktemp("idx") / "index"
    build(corpus, index, model=model)
    return index


@pytest.fixture(scope="session")
def qa(built_index: Path, model):
    from quoteqa import QA

    return QA.load(built_index, model=model)


def private_tmp(work: Path) -> Path:
    """A temporary folder of the app's own (TMPDIR), to find anything it writes there."""
    (work / "tmp").mkdir(exist_ok=True)
    return work / "tmp"


def start_app(
    work: Path, args: list[str], env: dict[str, str], open_files: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """The real app on a free localhost port (harness.app), its output in work/app.log, any
    outbound connection attempt recorded in work/network-attempts.txt, its per-install log key
    kept in work."""
    from harness.app import start_app as start

    env = {"GRADIO_SERVER_NAME": "127.0.0.1", "XDG_STATE_HOME": str(work / "state"), **env}
    guard = [str(ROOT / "tests" / "netguard.py"), str(work / "network-attempts.txt")]
    return start(work, args, env=env, wrapper=guard, open_files=open_files)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs the Debian package chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()
