"""Errors raised when domain values break a rule."""


class ValidationError(ValueError):
    """A domain value breaks a rule; the message says which and why, in plain words."""
