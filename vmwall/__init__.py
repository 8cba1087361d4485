"""vmwall: operator console for municipal CCTV supervision centres."""

__version__ = "0.1.0"
