"""Counts in messages: one image, two images."""

from alexnet_gui.core.wording import counted


def test_counted_puts_the_noun_in_the_number_the_count_takes():
    assert counted(0, "image") == "0 images"
    assert counted(1, "image") == "1 image"
    assert counted(2, "row") == "2 rows"
    assert counted(1, "batch", "batches") == "1 batch"
    assert counted(3, "batch", "batches") == "3 batches"
