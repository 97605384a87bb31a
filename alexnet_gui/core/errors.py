"""The exception family for problems a user can fix. Each message is one readable sentence."""

import errno


class UserError(Exception):
    """A problem the user can act on (bad file, missing weights, bad option). The CLI exits 2 on it."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread (see cli.py): every command stops as it does on Ctrl+C."""


#: exit statuses of a command stopped by a signal, as a shell reports them (128 + the signal's number)
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def exit_status_for(interruption: BaseException | None) -> int:
    """130 after Ctrl+C, 143 after SIGTERM."""
    return EXIT_TERMINATED if isinstance(interruption, Terminated) else EXIT_INTERRUPTED


def describe_os_error(exc: OSError) -> str:
    """One lower-case phrase for why a write failed (read-only file system, disk full, ...)."""
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return (exc.strerror or type(exc).__name__).lower()
