"""General Chinese: figures and their rounding, the kind of answer asked for, checks on what a person sends."""

# The modules the stages above import; the others are this stage's own.
__all__ = ["inputs", "kinds", "numbers"]
