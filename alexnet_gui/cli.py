"""Command-line entry point: parses arguments and hands each sub-command to its module.

`alexnet-gui` alone, or followed only by paths, opens the desktop app.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from alexnet_gui.core.language import gettext as _

# numpy's OpenBLAS starts a thread per core that busy-waits after start-up (measured: ~2 % of a classify run's CPU,
# taken from the decoders). The app does no matrix algebra in numpy; a user's explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Sub-command modules under alexnet_gui.commands, in the order `--help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "classify",
    "export_onnx",
    "model_info",
    "compare",
    "evaluate",
    "train",
    "project",
    "export_labels",
    "label_issues",
    "similar",
    "duplicates",
    "map",
    "sort",
    "filters",
    "features",
    "cam",
    "examples",
    "visualize",
    "live",
    "summary",
    "info",
    "cache",
)


def _version_text() -> str:
    try:
        from alexnet_gui.core.diagnostics import version_text
    except ImportError:
        from alexnet_gui import __version__

        return f"alexnet-gui {__version__}"
    return version_text()


class _VersionAction(argparse.Action):
    # Computed only when asked for, so `--help` and ordinary runs pay nothing for it.
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(_version_text())
        parser.exit()


def build_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    """Return the parser with every sub-command registered, and its sub-parsers."""
    parser = argparse.ArgumentParser(
        prog="alexnet-gui",
        description="Classify images with AlexNet. Without a sub-command, opens the desktop app "
        "(with any PATHs given already queued).",
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and available backends")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"alexnet_gui.commands.{name}").register(subparsers)
    return parser, subparsers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status (0 ok, 1 some files failed, 2 usage/setup error)."""
    return _run_command_line(list(sys.argv[1:] if argv is None else argv))[0]


def _run_command_line(args_list: list[str]) -> tuple[int, bool]:
    """`main`'s work: return the exit status, and whether a sub-command ran (False: the desktop app ran)."""
    from alexnet_gui.core.errors import Terminated, UserError, exit_status_for
    from alexnet_gui.core.language import use_saved_language

    use_saved_language()  # View > Language's choice, else the system locale: messages follow it, options do not
    parser, subparsers = build_parser()
    first = args_list[0] if args_list else None
    if first is None or (first not in subparsers.choices and first not in ("-h", "--help", "--version")):
        return _open_desktop_app(args_list, list(subparsers.choices))
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # a bad option (argparse printed why, exit 2), --help or --version (exit 0)
        return (exc.code if isinstance(exc.code, int) else 2), True
    if not hasattr(args, "func"):
        parser.print_help()
        return 2, True
    previous = _stop_on_sigterm()
    stop_watching = _exit_on_second_signal()
    try:
        return int(args.func(args)), True
    except UserError as exc:
        from alexnet_gui.core.wording import escape_controls

        # The sentence names the user's files and a model's own text: printed with their control characters escaped.
        print(_('error: {exc}').format(exc=escape_controls(str(exc), keep_newlines=True)), file=sys.stderr)
        return 2, True
    except KeyboardInterrupt as exc:
        print(_("terminated") if isinstance(exc, Terminated) else _("interrupted"), file=sys.stderr)
        return exit_status_for(exc), True
    except ModuleNotFoundError as exc:
        from alexnet_gui.core.diagnostics import missing_dependency_message

        message = missing_dependency_message(exc)
        if message is None:
            raise
        print(_('error: {message}').format(message=message), file=sys.stderr)
        return 2, True
    finally:
        stop_watching()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _open_desktop_app(args_list: list[str], commands: list[str]) -> tuple[int, bool]:
    """`alexnet-gui [PATH ...] [Qt options]`: check the words and the display before Qt starts, then open the app.

    A mistyped command must not open a window (or, with no display, abort the process): every word is a Qt option
    or a path that exists; anything else is exit 2 with one sentence.
    """
    import difflib

    from alexnet_gui.gui.app_options import split_app_options
    from alexnet_gui.gui.platform_check import (
        missing_display_reason,
        split_qt_arguments,
    )

    qt_args, paths = split_qt_arguments(args_list)
    try:
        options, paths = split_app_options(paths)
    except ValueError as exc:
        print(_("error: {reason}").format(reason=exc), file=sys.stderr)
        return 2, True
    for word in paths:
        if os.path.exists(word):
            continue
        if word.startswith("-"):
            print(_('error: unknown option {word!r} (see alexnet-gui --help)').format(word=word), file=sys.stderr)
            return 2, True
        close = difflib.get_close_matches(word, commands, n=1)
        hint = _("did you mean {command}?").format(command=close[0]) if close else \
            _("commands: {commands}").format(commands=", ".join(commands))
        print(_('error: unknown command {word!r} ({hint}), and no file or folder of that name').format(word=word, hint=hint), file=sys.stderr)
        return 2, True
    reason = missing_display_reason()
    if reason is not None:
        print(_("error: {reason}").format(reason=reason), file=sys.stderr)
        return 2, True
    from alexnet_gui.gui.app import main as gui_main

    return gui_main(paths, qt_args=qt_args, options=options), False


def _stop_on_sigterm():
    """Make SIGTERM (kill, a service manager, a closing terminal session) stop a command as Ctrl+C does, so it
    writes what it has done and removes its temporary files; return the previous handler (None off the main
    thread, where Python cannot set one)."""

    from alexnet_gui.core.errors import Terminated

    def terminate(signum, frame):
        raise Terminated()

    try:
        return signal.signal(signal.SIGTERM, terminate)
    except ValueError:
        return None


def _exit_on_second_signal():
    """Make a second Ctrl+C or SIGTERM end the process at once, even while the main thread is blocked inside a C
    library (FFmpeg opening a FIFO, a read that its library retries), where Python's own handlers never get to run:
    Python writes every caught signal's number to a wakeup file descriptor, which a thread of ours reads. The first
    signal still stops the command as usual; a second one means the user cannot wait for that. Return what undoes
    this (a no-op off the main thread)."""
    import socket
    import threading

    reader, writer = socket.socketpair()
    writer.setblocking(False)
    try:
        previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except ValueError:  # not the main thread
        reader.close()
        writer.close()
        return lambda: None
    stopping = (signal.SIGINT, signal.SIGTERM)

    def watch() -> None:
        seen = 0
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data:
                return
            for number in data:
                if number not in stopping:
                    continue
                seen += 1
                if seen >= 2:
                    what = _("terminated") if number == signal.SIGTERM else _("interrupted")
                    os.write(2, (_("{what} again: stopping at once").format(what=what) + "\n").encode())
                    os._exit(143 if number == signal.SIGTERM else 130)

    threading.Thread(target=watch, name="second-signal", daemon=True).start()

    def stop() -> None:
        signal.set_wakeup_fd(previous_fd)
        writer.close()
        reader.shutdown(socket.SHUT_RDWR)
        reader.close()

    return stop


def run() -> NoReturn:
    """The `alexnet-gui` program (also `python -m alexnet_gui`): run the command line and exit with its status.

    A sub-command has written and closed all its files when it returns, so the process then ends without the
    interpreter's teardown: freeing numpy, ONNX Runtime and every module costs about 50 ms, 2-3 % of a batch of a
    few hundred images. atexit handlers still run, and stdout and stderr are flushed first. The desktop app exits
    the normal way, because Qt writes its settings while its objects are destroyed.
    """
    status, ran_command = _run_command_line(sys.argv[1:])
    if not ran_command:
        sys.exit(status)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
