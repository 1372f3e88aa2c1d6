"""The evaluation harness: everything that measures quoteqa, kept out of the product package.

``python -m harness report`` (``make bench``) scores every question and claim set beside the
baselines and writes BENCHMARKS.md; ``python -m harness scale`` (``make scale``) builds and
queries synthetic archives. ``score`` is the one scorer every figure goes through. Run with
``bench/`` on the path (the Makefile sets ``PYTHONPATH=bench``).
"""
