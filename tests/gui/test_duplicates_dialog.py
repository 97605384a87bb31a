"""Tools > Find near-duplicates… (issue 34): the core's groups side by side, one kept per group (the first unless
another is clicked), the others removed from the table or moved to a folder: never deleted, never overwritten."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.gui.embedding_photos import app_index, classify_folder, core_backend


@pytest.fixture
def dialog(qtbot, window, tmp_path):
    from alexnet_gui.gui.views import install_views

    install_views(window)
    window.show()
    paths = classify_folder(window, qtbot, tmp_path / "photos")
    shown = window.embedding_actions.duplicates.show()
    qtbot.addWidget(shown)
    with qtbot.waitSignal(shown.find_groups(0.012).done, timeout=60000):
        pass
    return window, shown, paths


def _names(paths) -> list[str]:
    return sorted(os.path.basename(p) for p in paths)


def test_the_groups_are_the_cores_and_the_first_of_each_is_kept(dialog):
    from alexnet_gui.core.embeddings.tasks import duplicates

    window, shown, paths = dialog
    rows, _done = duplicates(paths, app_index(window), core_backend(window), threshold=0.012)
    assert [[(p, d) for g, p, d in rows if g == n] for n in (1, 2, 3)] == shown.groups
    assert [_names(p for p, _d in group) for group in shown.groups] == [
        [f"{name}.png", f"{name}_crop.png", f"{name}_q60.jpg", f"{name}_small.png"]
        for name in ("astronaut", "chelsea", "coffee")]
    assert _names(shown.kept()) == ["astronaut.png", "chelsea.png", "coffee.png"]
    assert shown.status.text().startswith("3 groups of near-duplicates among 12 images (threshold 0.012)")


def test_remove_keeps_the_chosen_image_of_each_group_in_the_table_and_every_file(dialog):
    window, shown, paths = dialog
    chosen = shown.groups[1][2][0]  # the cat group's third image, clicked
    shown._choices[1].button(2).click()
    assert os.path.basename(chosen).startswith("chelsea")
    assert shown.kept()[1] == chosen
    assert shown.remove_others() == 9
    assert _names(r.path for r in window.model.rows()) == _names(["astronaut.png", chosen, "coffee.png"])
    assert all(os.path.exists(p) for p in paths)  # removed from the table only
    assert shown.status.text() == "Removed 9 rows from the table; the files are where they were."


def test_move_takes_the_others_aside_without_deleting_or_overwriting(qtbot, dialog, tmp_path):
    window, shown, paths = dialog
    aside = tmp_path / "aside"
    aside.mkdir()
    (aside / "astronaut_q60.jpg").write_bytes(b"someone else's file")  # a name already taken there
    before = {p: Path(p).read_bytes() for p in paths}
    others = shown.others()
    with qtbot.waitSignal(shown.move_others(str(aside)).done, timeout=60000):
        pass
    assert len(others) == 9
    assert (aside / "astronaut_q60.jpg").read_bytes() == b"someone else's file"  # not overwritten
    moved = sorted(os.listdir(aside))
    assert "astronaut_q60 (1).jpg" in moved and len(moved) == 10
    # Every file's bytes still exist once: the kept ones where they were, the others in the folder.
    for path, data in before.items():
        if path in others:
            assert not os.path.exists(path)
            name = os.path.basename(path)
            target = aside / ("astronaut_q60 (1).jpg" if name == "astronaut_q60.jpg" else name)
            assert target.read_bytes() == data
        else:
            assert Path(path).read_bytes() == data
    assert _names(r.path for r in window.model.rows()) == ["astronaut.png", "chelsea.png", "coffee.png"]
    assert shown.status.text() == f"Moved 9 images to {aside}."


def test_thousands_of_near_duplicates_show_a_bounded_number_of_images(qtbot, window):
    """A loose threshold groups thousands of images: the dialog shows SHOWN_PER_GROUP of a group and counts the
    rest (10,000 buttons froze the window for 0.9 s), lays out many groups a slice per turn of the event loop, and
    keeping an image works before (or without) its button."""
    from PySide6.QtWidgets import QLabel, QToolButton

    from alexnet_gui.gui.embedding_jobs import DuplicateGroups
    from alexnet_gui.gui.views import install_views
    from alexnet_gui.gui.widgets.duplicates_dialog import FILL_SLICE, SHOWN_PER_GROUP

    install_views(window)
    shown = window.embedding_actions.duplicates.show()
    qtbot.addWidget(shown)
    big = [(f"/photos/{i:04d}.jpg", i / 10_000) for i in range(1_000)]
    pairs = [[(f"/photos/p{g}a.jpg", 0.0), (f"/photos/p{g}b.jpg", 0.01)] for g in range(200)]
    shown.show_groups(DuplicateGroups(0.05, [big, *pairs], {}, 1_400))
    assert SHOWN_PER_GROUP < FILL_SLICE
    # the big group's shown images, then pairs up to the slice; the rest on later turns
    assert len(shown.body.findChildren(QToolButton)) == SHOWN_PER_GROUP + 2 * ((FILL_SLICE - SHOWN_PER_GROUP) // 2)
    assert shown.status.text().startswith("201 groups of near-duplicates among 1400 images (threshold 0.05)")
    assert f"and {1_000 - SHOWN_PER_GROUP} more images of this group, not shown" in [
        label.text() for label in shown.body.findChildren(QLabel)]
    shown.keep(0, 999)  # not shown: kept all the same
    shown.keep(150, 1)  # not laid out yet
    assert shown.kept()[0] == "/photos/0999.jpg" and shown.kept()[150] == "/photos/p149b.jpg"
    qtbot.waitUntil(lambda: len(shown.body.findChildren(QToolButton)) == SHOWN_PER_GROUP + 400, timeout=60000)
    assert shown._choices[0].checkedId() == -1 and shown._choices[150].checkedId() == 1
    others = shown.others()
    assert len(others) == 999 + 200 and "/photos/0999.jpg" not in others and "/photos/0000.jpg" in others
    shown._choices[0].button(3).click()
    assert shown.kept()[0] == "/photos/0003.jpg" and shown._choices[0].checkedId() == 3
