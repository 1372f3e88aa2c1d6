"""Learning the models (`make train`): the labelled questions as the product reads them, and the fitting."""

# The modules the stages above import; the others are this stage's own.
__all__ = ["trainer"]
