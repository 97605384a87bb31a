"""`alexnet-gui duplicates FOLDER... [--threshold D] --out dups.csv`: groups of near-duplicate images.

The command's code is in commands/embeddings.py, which the three embedding commands share."""

from __future__ import annotations

from alexnet_gui.commands.embeddings import register_duplicates as register

__all__ = ["register"]
