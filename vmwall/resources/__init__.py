"""Package data of vmwall: theme, translations. Read through importlib.resources, never by path."""
