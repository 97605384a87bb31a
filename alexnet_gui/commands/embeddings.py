"""What `alexnet-gui similar`, `duplicates` and `map` share (issue 34; each command's module registers its parser
from here): answers from each image's fc7 vector (or fc6, pool5),
read from the embedding index when `classify --embed` or an earlier answer recorded it, computed otherwise; and
classify's `--embed` option."""

from __future__ import annotations

import argparse
import os
import sys

from alexnet_gui.commands.argument_types import positive_int
from alexnet_gui.commands.model_options import (
    add_model_arguments,
    card_choices,
    choose_weights,
    model_input_files,
    open_backend,
)
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext as _
from alexnet_gui.core.wording import counted, escape_controls


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layer", default="fc7", metavar="LAYER",
                   help="the layer whose vectors are compared: fc7 (after its ReLU, the input of the last layer; "
                   "default), fc6 or pool5")
    p.add_argument("--index", metavar="FOLDER", default=None,
                   help="keep the embedding index in FOLDER (default: beside the model cache, $ALEXNET_GUI_CACHE)")
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="N", help="images per model call")
    add_model_arguments(p)


def register_similar(subparsers: argparse._SubParsersAction) -> None:
    """Add the `similar` parser."""
    p = subparsers.add_parser(
        "similar", help="list the images of folders nearest to a query image (fc7 by default)",
        description="The K images nearest to QUERY among the images in FOLDERs (recursively), by the distance of "
        "their vectors at --layer. QUERY may lie outside them; its own file is left out, its identical copies are "
        "listed (distance 0). Vectors "
        "classify --embed recorded are reused. Exit status: 0, 1 some images could not be read, 2 usage error.",
    )
    p.add_argument("query", metavar="QUERY", help="the image to compare with")
    p.add_argument("folders", nargs="+", metavar="FOLDER", help="folders (and image files) to search")
    p.add_argument("-k", type=positive_int, default=6, metavar="K", help="how many images (default 6)")
    p.add_argument("--metric", choices=("cosine", "euclidean"), default="cosine",
                   help="cosine distance (1 - cos; default) or euclidean")
    p.add_argument("--out", "-o", metavar="CSV", default=None,
                   help="write rank,path,distance to this CSV (default: print a table)")
    _common(p)
    p.set_defaults(func=run_similar)


def register_duplicates(subparsers: argparse._SubParsersAction) -> None:
    """Add the `duplicates` parser."""
    p = subparsers.add_parser(
        "duplicates", help="group near-duplicate images (re-encoded, resized, cropped copies) into a CSV",
        description="Groups of images whose cosine distance at --layer is at most --threshold, joined "
        "transitively; CSV group,path,distance (to the group's first member, by path). Nothing is moved or deleted.",
    )
    p.add_argument("folders", nargs="+", metavar="FOLDER")
    p.add_argument("--threshold", type=float, default=None, metavar="D",
                   help="the largest cosine distance within a group, 0..2 (default 0.05)")
    p.add_argument("--out", "-o", required=True, metavar="CSV")
    _common(p)
    p.set_defaults(func=run_duplicates)


def register_map(subparsers: argparse._SubParsersAction) -> None:
    """Add the `map` parser."""
    p = subparsers.add_parser(
        "map", help="lay a folder's images out in 2-D by their fc7 vectors (CSV, optional PNG)",
        description="A 2-D map of the images: CSV path,x,y,label. PCA by default; umap and tsne need the map "
        "extra (pip install 'alexnet-gui[map]').",
    )
    p.add_argument("folders", nargs="+", metavar="FOLDER")
    p.add_argument("--out", "-o", required=True, metavar="CSV")
    p.add_argument("--png", metavar="PNG", default=None, help="also draw the map, coloured by label")
    p.add_argument("--method", choices=("pca", "umap", "tsne"), default="pca", help="the projection (default pca)")
    p.add_argument("--label", choices=("model", "folder"), default="model",
                   help="model: the top-1 label recorded while classifying (default); folder: each image's folder "
                   "name, for class folders")
    _common(p)
    p.set_defaults(func=run_map)


def add_embed_argument(parser: argparse.ArgumentParser) -> None:
    """classify's --embed: record each image's vector at a layer into the embedding index in the same model run."""
    parser.add_argument(
        "--embed", nargs="?", const="fc7", default=None, metavar="LAYER",
        help="also record each image's vector at LAYER (fc7 when no layer is named; fc6, pool5) into the embedding "
        "index, in the same model run, for similar, duplicates and map",
    )
    parser.add_argument("--index", metavar="FOLDER", default=None,
                        help="with --embed: keep the embedding index in FOLDER (default: beside the model cache)")


def check_embed_options(args: argparse.Namespace) -> None:
    """Refuse --embed where it cannot record (one sentence each), before any model loads."""
    from alexnet_gui.core.embeddings.tasks import check_layer

    layer = getattr(args, "embed", None)
    if layer is None:
        if getattr(args, "index", None) is not None:
            raise UserError(_("--index applies to --embed only"))
        return
    check_layer(layer)
    if getattr(args, "engine", "local") == "ray" and getattr(args, "precision", "fp32") == "int8":
        from alexnet_gui.core.scale.ray_engine import EMBED_FP32_ONLY

        raise UserError(_(EMBED_FP32_ONLY))
    if getattr(args, "tta", "none") != "none":
        raise UserError(_("--embed records the single centre crop; leave out --tta 10crop"))
    if getattr(args, "decode", "cpu") != "cpu":
        raise UserError(_("--embed records with --decode cpu only"))


def embedding_recorder_for(args: argparse.Namespace, backend_future):
    """The recorder classify's engine gets with --embed (None without): its index opens at the first batch, once
    the model's card is known."""
    layer = getattr(args, "embed", None)
    if layer is None:
        return None
    from alexnet_gui.core.embeddings.index import open_index
    from alexnet_gui.core.embeddings.tasks import EmbeddingRecorder, check_layer

    def index_for_model():
        card = backend_future.result().card
        check_layer(layer, card)
        return open_index(card.card_id, layer, recipe=card.preprocess.to_dict(), folder=getattr(args, "index", None))

    return EmbeddingRecorder(index_for_model, layer=layer)


class _Source:
    """The images, the index and a model opened only when the index lacks some vectors."""

    def __init__(self, args: argparse.Namespace, images: list[str]) -> None:
        from alexnet_gui.core.embeddings.index import open_index
        from alexnet_gui.core.embeddings.tasks import check_layer
        from alexnet_gui.core.model.loading import quick_card

        self.args, self.images = args, images
        self._backend = None
        self.weights = choose_weights(args)
        card = quick_card(self.weights, card_choices(args))
        if card is None:  # not known without reading the weights
            card = self.backend().card
        check_layer(args.layer, card)
        self.index = open_index(card.card_id, args.layer, recipe=card.preprocess.to_dict(), folder=args.index)
        if self.index.rebuilt:
            print(_("the embedding index was damaged ({reason}); it is made again").format(reason=self.index.rebuilt),
                  file=sys.stderr)
        self._bar = None

    def backend(self):
        if self._backend is None:
            self._backend = open_backend(self.args, self.weights, images=len(self.images))
        return self._backend

    def options(self) -> dict:
        return {"batch_size": self.args.batch_size}

    def progress(self, done: int, total: int | None) -> None:
        if self._bar is None:
            from alexnet_gui.commands.progress_bar import progress_bar

            self._bar = progress_bar(total, _("embedding"))
        self._bar.update(done - self._bar.n)

    def finish(self, done) -> int:
        """Close the bar and the model, say what was reused and what failed; return 0, or 1 when some images
        failed."""
        if self._bar is not None:
            self._bar.close()
        if self._backend is not None:
            self._backend.close()
        self.index.close()
        print(_("{counted}: {reused} from the embedding index, {computed} computed ({layer})").format(
            counted=counted(len(done.paths), "image"), reused=len(done.paths) - done.computed, computed=done.computed,
            layer=self.args.layer), file=sys.stderr)
        for path, reason in done.failed:
            print(escape_controls(f"{path}: {reason}"), file=sys.stderr)
        return 1 if done.failed else 0


def _images(folders: list[str]) -> list[str]:
    """Every image in the FOLDERs; a folder (or file) that does not exist, or a folder with no images, is refused."""
    from alexnet_gui.core.pipeline.engine import iter_image_paths

    images: list[str] = []
    for folder in folders:
        if not os.path.exists(folder):
            raise UserError(_("{folder} does not exist").format(folder=folder))
        found = list(iter_image_paths([folder]))
        if not found:
            raise UserError(_("no image files found in {folder}").format(folder=folder))
        images += found
    return list(dict.fromkeys(images))


def _check_outputs(args: argparse.Namespace, images: list[str], outs: list[tuple[str, str]]) -> None:
    from alexnet_gui.core.outputs.output_paths import check_output_file

    inputs = [*images, *model_input_files(args)]
    for option, out in outs:
        check_output_file(out, inputs=inputs, option=option)


def run_similar(args: argparse.Namespace) -> int:
    """`alexnet-gui similar QUERY FOLDER...`."""
    from alexnet_gui.core.embeddings.search import check_metric
    from alexnet_gui.core.embeddings.tasks import check_layer, similar, write_csv
    from alexnet_gui.core.pipeline.decode import load_image_input

    check_layer(args.layer)
    check_metric(args.metric)
    if not os.path.isfile(args.query):
        raise UserError(_("the query {query} is not a file").format(query=args.query))
    load_image_input(args.query)  # not an image: one sentence, before any model
    images = _images(args.folders)
    if args.out is not None:
        _check_outputs(args, [args.query, *images], [("--out", args.out)])
    source = _Source(args, images)
    rows, done = similar(args.query, images, source.index, source.backend, k=args.k, metric=args.metric,
                         engine_options=source.options(), on_progress=source.progress)
    status = source.finish(done)
    if args.out is not None:
        write_csv(args.out, ["rank", "path", "distance"], rows)
        print(_("wrote {out}: {counted}").format(out=args.out, counted=counted(len(rows), "row")), file=sys.stderr)
    else:
        from alexnet_gui.core.outputs.results import csv_text

        # As the CSV writes it (a name that is not UTF-8 with its bytes escaped), safe on a terminal.
        print(f"{'rank':>4}  {'distance':>8}  path")
        for rank, path, distance in rows:
            print(f"{rank:>4}  {distance:8.6f}  {escape_controls(csv_text(path))}")
    return status


def run_duplicates(args: argparse.Namespace) -> int:
    """`alexnet-gui duplicates FOLDER... --out dups.csv`."""
    from alexnet_gui.core.embeddings.duplicates import DEFAULT_THRESHOLD, check_threshold
    from alexnet_gui.core.embeddings.tasks import check_layer, duplicates, write_csv

    check_layer(args.layer)
    threshold = check_threshold(DEFAULT_THRESHOLD if args.threshold is None else args.threshold)
    images = _images(args.folders)
    _check_outputs(args, images, [("--out", args.out)])
    source = _Source(args, images)
    rows, done = duplicates(images, source.index, source.backend, threshold=threshold,
                            engine_options=source.options(), on_progress=source.progress)
    status = source.finish(done)
    write_csv(args.out, ["group", "path", "distance"], rows)
    groups = len({g for g, _p, _d in rows})
    print(_("wrote {out}: {groups} near-duplicate groups, {counted} (cosine distance at most {threshold:g})").format(
        out=args.out, groups=groups, counted=counted(len(rows), "image"), threshold=threshold), file=sys.stderr)
    return status


def run_map(args: argparse.Namespace) -> int:
    """`alexnet-gui map FOLDER... --out map.csv [--png map.png]`."""
    from alexnet_gui.core.embeddings.layout import check_method, render_map_png
    from alexnet_gui.core.embeddings.tasks import check_layer, folder_map, write_csv

    check_layer(args.layer)
    check_method(args.method)
    images = _images(args.folders)
    outs = [("--out", args.out)] + ([("--png", args.png)] if args.png else [])
    if args.png and os.path.abspath(args.png) == os.path.abspath(args.out):
        raise UserError(_("--png and --out name the same file; give two names"))
    _check_outputs(args, images, outs)
    source = _Source(args, images)
    rows, done = folder_map(images, source.index, source.backend, method=args.method, label=args.label,
                            engine_options=source.options(), on_progress=source.progress)
    status = source.finish(done)
    write_csv(args.out, ["path", "x", "y", "label"], rows)
    if args.png:
        import numpy as np

        xy = np.array([[x, y] for _p, x, y, _l in rows]).reshape(-1, 2)
        render_map_png(args.png, xy, [label for *_rest, label in rows],
                       title=f"{args.method.upper()} of {args.layer}, {len(rows)} images")
    print(_("wrote {out}: {counted}, {method}, labels from the {label}").format(
        out=args.out + (f" and {args.png}" if args.png else ""), counted=counted(len(rows), "image"),
        method=args.method, label=_("model's top-1") if args.label == "model" else _("folder names")),
        file=sys.stderr)
    return status
