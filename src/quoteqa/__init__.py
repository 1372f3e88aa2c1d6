"""quoteqa: answers questions about news articles by quoting their sentences, with citations."""

from __future__ import annotations

import importlib.metadata
from typing import TYPE_CHECKING, Any

try:
    __version__ = importlib.metadata.version("quoteqa")
except importlib.metadata.PackageNotFoundError:  # run from a checkout without installing
    __version__ = "unknown"

if TYPE_CHECKING:
    from .qa import QA, Answer

__all__ = ["QA", "Answer", "__version__"]


def __getattr__(name: str) -> Any:
    # Keep `import quoteqa` light: torch and faiss load only when the QA API is used.
    if name in ("QA", "Answer"):
        from . import qa

        return getattr(qa, name)
    raise AttributeError(name)
