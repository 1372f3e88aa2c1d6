"""Answering a question: understanding it, each candidate's evidence and features, ranking, policy, citations."""

# The modules the stages above import; the others are this stage's own.
__all__ = [
    "answer",
    "articles",
    "citations",
    "evidence",
    "features",
    "models",
    "policy",
    "question",
    "reader",
    "understand",
]
