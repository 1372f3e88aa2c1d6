"""quoteqa: answers questions about news articles by quoting their sentences, with citations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .qa import QA, Answer

__all__ = ["QA", "Answer", "__version__"]


def __getattr__(name: str) -> Any:
    # Keep `import quoteqa` light: torch and faiss load only when the QA API is used.
    if name in ("QA", "Answer"):
        from . import qa

        return getattr(qa, name)
    raise AttributeError(name)
