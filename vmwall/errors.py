"""Errors whose message is meant for the person at the keyboard."""


class UserFacingError(Exception):
    """A failure explained in plain words; the CLI prints the message, never a traceback."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
