"""`alexnet-gui info`: versions, devices, the ONNX Runtime providers that really load, torch/CUDA, weights found."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "info",
        help="print versions, devices, which ONNX Runtime providers load (and why not), torch/CUDA and weights found",
        description="Diagnostics: why the GPU is or is not used, and which weights the app would run.",
    )
    p.add_argument("--json", action="store_true", help="print the facts as JSON (a list of {section, key, value})")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.core.diagnostics import (
        Fact,
        collect_facts,
        distribution_version,
        format_facts,
    )

    facts = collect_facts()
    # The core never names Qt; the GUI's toolkit version belongs with the app's facts.
    qt = distribution_version("PySide6-Essentials", "PySide6") or "not installed"
    facts.insert(sum(f.section == "App" for f in facts), Fact("App", "Qt (PySide6)", qt))
    if args.json:
        import dataclasses
        import json

        print(json.dumps([dataclasses.asdict(f) for f in facts], indent=1, ensure_ascii=False))
    else:
        print(format_facts(facts))
    return 0
