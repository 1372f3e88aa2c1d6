"""Verifying a reporter's figures: the claims a draft makes, the check against the articles, the exports."""

# The modules the stages above import; the others are this stage's own.
__all__ = ["check", "commented", "exports"]
