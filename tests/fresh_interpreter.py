"""Run code in a fresh Python interpreter and see which heavy modules it imported: start-up and layering tests."""

import ast
import subprocess
import sys
from collections.abc import Sequence


def imports_after(code: str, modules: Sequence[str], timeout: float = 60) -> tuple[list[str], subprocess.CompletedProcess]:
    """Run `code` with `python -c`; return which of `modules` were in sys.modules at its end, and the process."""
    probe = f"\nimport sys\nprint(sorted(m for m in {tuple(modules)!r} if m in sys.modules))\n"
    proc = subprocess.run([sys.executable, "-c", code + probe], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return ast.literal_eval(proc.stdout.strip().splitlines()[-1]), proc
