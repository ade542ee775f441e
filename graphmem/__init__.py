"""graphmem: long-term memory for chat agents, without an LLM on the write path."""

__all__ = ["__version__"]

__version__ = "0.1.0"
