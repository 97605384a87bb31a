"""`alexnet-gui similar QUERY FOLDER... [-k 6] [--out sim.csv]`: the images nearest to a query by their fc7 vectors.

The command's code is in commands/embeddings.py, which the three embedding commands share."""

from __future__ import annotations

from alexnet_gui.commands.embeddings import register_similar as register

__all__ = ["register"]
