"""The `idgov` command line: one module per sub-command, each exposing `register()`."""
