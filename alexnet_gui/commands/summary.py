"""`alexnet-gui summary`: AlexNet's layers, output shapes for 224x224 and parameter counts."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("summary", help="print AlexNet's layer table (shapes, parameters)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.core.analysis.architecture import format_table, layer_table

    print(format_table(layer_table()))
    return 0
