"""One module per `vmwall` subcommand group. Each exposes ``register(subparsers)``.

A handler receives the parsed arguments and returns the process exit code. Handlers raise
``vmwall.errors.UserFacingError`` for anything the user must fix: cli.py prints its message (no
traceback) and exits with its code.
"""
