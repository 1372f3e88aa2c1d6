"""Ingest: corpus files (text, e-paper PDF, web page, Word) → articles (headline, byline, source) → sentences."""

# The modules the stages above import; the others are this stage's own.
__all__ = ["corpus", "formats", "pdf", "scan", "text", "word"]
