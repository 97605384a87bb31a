"""The exception family for problems a user can fix. Each message is one readable sentence."""


class UserError(Exception):
    """A problem the user can act on (bad file, missing weights, bad option). The CLI exits 2 on it."""
