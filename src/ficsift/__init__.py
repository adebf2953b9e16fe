"""ficsift: sift fan fiction for the good ones."""

__version__ = "0.1.0"
