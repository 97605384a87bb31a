"""`alexnet-gui cache`: list the ONNX export cache with sizes, clean it, or cap its size (least recently used go)."""

from __future__ import annotations

import argparse
import re
import sys
import time

from alexnet_gui.core.language import gettext as _

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def byte_size(text: str) -> int:
    """An argparse type: a size such as 500M, 2G or 1.5GB (powers of 1024)."""
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected a size such as 500M or 2G, got {text!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "cache", help="list the ONNX export cache with sizes, clean it, or cap its size",
        description="The ONNX models exported from each weights file (with their logits-only and fp16 copies) are "
        "cached, about 0.5 GB per weights file. Without options, lists them, most recently used first.",
    )
    action = p.add_mutually_exclusive_group()
    action.add_argument("--clean", action="store_true", help="delete every cached model (they are made again when needed)")
    action.add_argument("--max-size", type=byte_size, metavar="SIZE",
                        help="cap the cache at SIZE (e.g. 2G); the least recently used models are removed now and "
                        "whenever an export would pass the cap (default cap: 4G)")
    p.set_defaults(func=run)


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.core.backends.onnx_backend import onnx_cache_dir
    from alexnet_gui.core.backends.onnx_cache import (
        cache_groups,
        evict,
        folder_size,
        max_bytes,
        remove_group,
        set_max_bytes,
    )
    from alexnet_gui.core.errors import UserError

    folder = onnx_cache_dir()
    try:
        if args.clean:
            groups = cache_groups(folder)
            for group in groups:
                remove_group(group)
            print(
                _("removed {n_groups} cached model(s), {mb}, from {folder}").format(
                    n_groups=len(groups), mb=_mb(sum(g.size for g in groups)), folder=folder
                )
            )
            return 0
        if args.max_size is not None:
            set_max_bytes(folder, args.max_size)
            removed = evict(folder, limit=args.max_size)
            print(
                _("cache capped at {mb}; removed {n_removed} least recently used model(s), {mb2}").format(
                    mb=_mb(args.max_size), n_removed=len(removed), mb2=_mb(sum(g.size for g in removed))
                )
            )
            return 0
    except OSError as exc:
        raise UserError(
            _("cannot change the cache in {folder}: {value}").format(folder=folder, value=exc.strerror or exc)
        ) from None
    groups = cache_groups(folder)
    print(_("ONNX cache: {folder}").format(folder=folder))
    if not groups:
        print(_("  empty"))
    for group in groups:
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(group.last_used))
        models = [f.name for f in group.files if f.name.endswith(".onnx")]
        print(
            _("  {name}  {mb:>9}  last used {used}  ({join})").format(
                name=group.name, mb=_mb(group.size), used=used, join=", ".join(models)
            )
        )
    print(
        _("total {mb} of a {mb2} cap").format(mb=_mb(folder_size(folder)), mb2=_mb(max_bytes(folder))), file=sys.stdout
    )
    return 0
