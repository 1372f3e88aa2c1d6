"""Ingest: corpus files → articles (headline, byline, paragraphs, source) → sentences, with page-break repair."""

# The modules the stages above import; the others are this stage's own.
__all__ = ["corpus", "text"]
