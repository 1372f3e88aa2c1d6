"""The web app: its page, HTML, HTTP and connection guards, start-up placeholder and readers' votes."""

# The modules the stages above import; the others are this stage's own.
__all__ = ["feedback"]
