"""`alexnet-gui map FOLDER... --out map.csv [--png map.png]`: a 2-D map of a folder's images by their fc7 vectors.

The command's code is in commands/embeddings.py, which the three embedding commands share."""

from __future__ import annotations

from alexnet_gui.commands.embeddings import register_map as register

__all__ = ["register"]
