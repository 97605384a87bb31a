"""The confusion matrix: counts and cells, the classes shown when there are many, its CSV cells, copying the
misclassified images without overwriting anything."""

from __future__ import annotations

import csv

from alexnet_gui.core.analysis.confusion import ConfusionMatrix, copy_misclassified
from alexnet_gui.core.model.labels import Labels

LABELS = Labels(("cat", "dog", "fox"), None, "test")
RECORDS = [("a.jpg", 0, 0), ("b.jpg", 0, 1), ("c.jpg", 1, 1), ("d.jpg", 1, 1), ("e.jpg", 2, 1), ("f.jpg", 0, 1)]


def test_counts_cells_and_per_class_accuracy():
    m = ConfusionMatrix.from_records(RECORDS, LABELS)
    assert m.dense([0, 1, 2]).tolist() == [[1, 2, 0], [0, 2, 0], [0, 1, 0]]
    assert (m.count(0, 1), m.count(1, 0), m.row_total(0), m.row_total(2)) == (2, 0, 3, 1)
    assert m.cells[(0, 1)] == ("b.jpg", "f.jpg")
    assert (m.images, m.correct) == (6, 3)
    assert m.per_class() == [(0, 3, 1), (1, 2, 2), (2, 1, 0)]
    assert m.most_confused() == [(0, 1, 2), (2, 1, 1)]
    assert m.misclassified() == [("b.jpg", 0, 1), ("f.jpg", 0, 1), ("e.jpg", 2, 1)]


def test_the_csv_has_exact_cells_over_the_classes_present(tmp_path):
    labels = Labels(("cat", "dog", "fox", "owl"), None, "test")  # no owl anywhere: not a row nor a column
    m = ConfusionMatrix.from_records(RECORDS, labels)
    m.write_csv(tmp_path / "c.csv")
    m.write_per_class_csv(tmp_path / "p.csv")
    with open(tmp_path / "c.csv") as f:
        assert list(csv.reader(f)) == [["true \\ predicted", "cat", "dog", "fox"], ["cat", "1", "2", "0"],
                                       ["dog", "0", "2", "0"], ["fox", "0", "1", "0"]]
    with open(tmp_path / "p.csv") as f:
        assert list(csv.reader(f)) == [["class", "images", "correct", "accuracy"], ["cat", "3", "1", "33.33"],
                                       ["dog", "2", "2", "100.00"], ["fox", "1", "0", "0.00"]]


def test_with_many_classes_only_the_most_confused_are_shown(tmp_path):
    labels = Labels(tuple(f"c{i}" for i in range(1000)), None, "test")
    records = [(f"{i}.jpg", i, i) for i in range(0, 1000, 10)]  # 100 classes present, all right
    records += [("x1.jpg", 5, 7)] * 3 + [("x2.jpg", 20, 30)] * 2 + [("x3.jpg", 40, 41)]
    m = ConfusionMatrix.from_records(records, labels)
    assert len(m.present()) == 100 + 3  # 5, 7 and 41 besides the multiples of ten
    assert m.shown(limit=4) == [5, 7, 20, 30]
    assert len(m.shown()) == 6  # fewer confused classes than the limit: just those
    m.render_png(tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 1000


def test_copying_the_misclassified_keeps_every_file(tmp_path):
    from PIL import Image

    sources = {}
    for shade, name in enumerate(("b.jpg", "f.jpg", "e.jpg")):
        sources[name] = tmp_path / "in" / name
        sources[name].parent.mkdir(exist_ok=True)
        Image.new("RGB", (8, 8), (80 * shade, 0, 0)).save(sources[name])
    records = [(str(sources[p]) if p in sources else p, t, q) for p, t, q in RECORDS]
    m = ConfusionMatrix.from_records(records, LABELS)
    out = tmp_path / "review"
    (out / "cat" / "as dog").mkdir(parents=True)
    (out / "cat" / "as dog" / "b.jpg").write_bytes(b"already here")
    outcome = copy_misclassified(m, out)
    assert [error for _, _, error in outcome] == [None, None, None]
    assert (out / "cat" / "as dog" / "b.jpg").read_bytes() == b"already here"
    assert sorted(p.name for p in (out / "cat" / "as dog").iterdir()) == ["b (1).jpg", "b.jpg", "f.jpg"]
    assert (out / "fox" / "as dog" / "e.jpg").read_bytes() == sources["e.jpg"].read_bytes()
    assert sources["b.jpg"].is_file()  # copied, not moved


def test_class_names_and_titles_with_dollar_signs_are_drawn_as_written(tmp_path):
    # As mathtext, `$5_to_$` is a formula and `$x_$` one that fails to parse.
    labels = Labels(("cost_$5_to_$10", "x_$", "fox"), None, "test")
    ConfusionMatrix.from_records(RECORDS, labels).render_png(tmp_path / "c.png", title="model $x_$: data")
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")


def test_ten_thousand_classes_take_memory_for_their_images_not_their_square(tmp_path):
    import tracemalloc

    from matplotlib.figure import Figure  # imported (and its fonts loaded) before measuring: not the report's cost

    Figure().savefig(tmp_path / "warm.png")
    k = 10_000
    labels = Labels(tuple(f"c{i}" for i in range(k)), None, "test")
    records = [(f"{c}_{n}.jpg", c, c) for c in range(k) for n in range(2)]  # every class twice, right
    records += [(f"{c}_x.jpg", c, (c + 1) % k) for c in range(k)]  # and once taken for the next class
    records += [(f"seven_{n}.jpg", 5, 7) for n in range(4)]  # the most confused pair
    tracemalloc.start()
    try:
        m = ConfusionMatrix.from_records(records, labels)
        built = tracemalloc.get_traced_memory()[1]
        # A dense 10^4 x 10^4 table of counts alone is 800 MB; the cells of 30,004 images take about 5 MB.
        assert built < 20_000_000, f"counting took {built / 1e6:.0f} MB"
        tracemalloc.reset_peak()
        m.write_csv(tmp_path / "confusion.csv")
        m.write_per_class_csv(tmp_path / "per_class.csv")
        written = tracemalloc.get_traced_memory()[1]
        assert written < 20_000_000, f"writing the CSVs took {written / 1e6:.0f} MB"
        tracemalloc.reset_peak()
        m.render_png(tmp_path / "confusion.png", title="10,000 classes")
        drawn = tracemalloc.get_traced_memory()[1]
        # matplotlib drawing the 20 x 20 figure takes about 45 MB whatever the class count.
        assert drawn < 100_000_000, f"drawing confusion.png took {drawn / 1e6:.0f} MB"
    finally:
        tracemalloc.stop()
    with open(tmp_path / "confusion.csv") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["true", "predicted", "count"]
    assert len(rows) == 1 + 2 * k + 1  # one row per cell that holds images (5 → 7 is the extra one)
    assert rows[1:4] == [["c0", "c0", "2"], ["c0", "c1", "1"], ["c1", "c1", "2"]]
    assert ["c5", "c7", "4"] in rows and ["c5", "c6", "1"] in rows and ["c9999", "c0", "1"] in rows
    assert sum(int(r[2]) for r in rows[1:]) == len(records) == m.images
    with open(tmp_path / "per_class.csv") as f:
        per_class = list(csv.reader(f))
    assert len(per_class) == 1 + k
    assert per_class[1] == ["c0", "3", "2", "66.67"] and per_class[6] == ["c5", "7", "2", "28.57"]
    assert m.most_confused(2) == [(5, 7, 4), (0, 1, 1)] and m.shown() == list(range(20))  # the PNG draws 20x20
    assert (tmp_path / "confusion.png").read_bytes().startswith(b"\x89PNG")


def test_the_csv_is_a_table_up_to_a_thousand_classes_present_then_one_row_per_cell(tmp_path):
    for present in (1000, 1001):
        labels = Labels(tuple(f"c{i}" for i in range(present)), None, "test")
        m = ConfusionMatrix.from_records([(f"{c}.jpg", c, c) for c in range(present)], labels)
        m.write_csv(tmp_path / f"{present}.csv")
        with open(tmp_path / f"{present}.csv") as f:
            rows = list(csv.reader(f))
        if present == 1000:
            assert len(rows) == 1001 and len(rows[0]) == 1001 and rows[1][:3] == ["c0", "1", "0"]
        else:
            assert rows[:2] == [["true", "predicted", "count"], ["c0", "c0", "1"]] and len(rows) == 1002
