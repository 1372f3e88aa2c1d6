"""The index: sentence vectors, dense and BM25 search, the stores (files, Milvus), and the build that writes them."""

# The modules the stages above import; the others are this stage's own.
__all__ = ["build", "embedding", "retrievers", "search", "store"]
