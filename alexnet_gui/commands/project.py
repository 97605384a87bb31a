"""`alexnet-gui project FILE [PATH ...]`: create or open a labelling project, add images, classify the new and
changed ones, and say how many are labelled."""

from __future__ import annotations

import argparse
import os
import sys

from alexnet_gui.commands.model_options import add_model_arguments
from alexnet_gui.core.language import gettext as _
from alexnet_gui.core.wording import counted


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `project` parser."""
    p = subparsers.add_parser(
        "project",
        help="create or update a labelling project (SQLite) and classify its new images",
        description="Open FILE (created when it does not exist), add the images under each PATH, mark vanished "
        "images missing (their labels are kept), classify the images that are new or changed since, and print "
        "labelled/total. The desktop app's review mode labels them; export-labels, label-issues and train read "
        "the project. Exit status: 0 done, 2 error (a file that is not a project, a newer one, read-only, or open "
        "in another running app), 1 some images could not be read (their reasons are in the project; the next run "
        "tries them again), 130 interrupted (the batches done are kept).",
    )
    p.add_argument("file", metavar="FILE", help="the project file (.sqlite)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="images or folders to add")
    p.add_argument("--folder-labels", action="store_true",
                   help="label each image inside a class sub-folder of a PATH with that folder's name (source "
                   "'folder'), unless it has a label already")
    p.add_argument("--no-classify", action="store_true", help="add and re-scan only; classify later")
    add_model_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open, add, re-scan, classify, report."""
    from alexnet_gui.commands.model_options import open_backend
    from alexnet_gui.commands.progress_bar import progress_bar
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.labelling.classify import classify_into_project, project_engine
    from alexnet_gui.core.labelling.project import open_project

    for path in args.paths:
        if not os.path.exists(path):
            raise UserError(_("{path} does not exist").format(path=path))
    with open_project(args.file) as project:
        scan = project.rescan()
        added = project.add_paths(args.paths, folder_labels=args.folder_labels) if args.paths else None
        if added is not None:
            print(_("added {added} images, {changed} changed").format(added=added.added, changed=added.changed),
                  file=sys.stderr)
        if scan.missing:
            print(_("{missing} images are missing (their labels are kept)").format(missing=scan.missing),
                  file=sys.stderr)
        failed = 0
        todo = project.to_classify()
        if todo and not args.no_classify:
            backend = open_backend(args, images=len(todo))
            try:
                engine = project_engine(backend)
                bar = progress_bar(len(todo), _("classifying"), unit="img")
                try:
                    failed = classify_into_project(
                        project, engine, todo, on_progress=lambda done, total: bar.update(done - bar.n)).failed
                finally:
                    bar.close()
            finally:
                backend.close()
        labelled, total = project.counts()
        print(_("labelled {labelled}/{total}").format(labelled=labelled, total=total))
    if failed:
        print(_("{counted} could not be read (their reasons are in the project)").format(
            counted=counted(failed, "image")), file=sys.stderr)
        return 1
    return 0
