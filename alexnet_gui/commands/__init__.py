"""One module per sub-command: `register(subparsers)` adds its parser, `run(args) -> int` does the work."""
