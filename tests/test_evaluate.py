"""Accuracy on a labelled folder, with a backend whose answers are known: exact top-1, top-5, per class, confusions."""

import os
import signal

import pytest

from alexnet_gui.core.analysis.evaluate import evaluate_results, find_labelled_images, format_evaluation
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.pipeline.engine import Engine
from tests.known_answers import ColourCodedBackend, write_colour_image

TENCH, TABBY, EGYPTIAN_CAT = 0, 281, 285

# red code → the classes the backend ranks 1st..5th
ANSWERS = {
    10: [TENCH, 1, 2, 3, 4],            # tench: top-1 right
    20: [5, TENCH, 2, 3, 4],            # tench: top-5 only, confused with 5
    30: [7, 8, 9, 10, 11],              # tench: wrong, confused with 7
    40: [TABBY, 1, 2, 3, 4],            # tabby: top-1 right
    50: [EGYPTIAN_CAT, 282, TABBY, 3, 4],  # tabby: top-5 only, confused with Egyptian cat
    60: [TABBY, 282, 283, 284, EGYPTIAN_CAT],  # Egyptian cat: top-5 only (5th), confused with tabby
    70: [TABBY, 1, 2, 3, 4],            # in a folder that names no class: not counted
}


@pytest.fixture
def labelled(tmp_path):
    root = tmp_path / "val"
    layout = {"n01440764": [10, 20, 30], "tabby": [40, 50], "Egyptian_cat": [60], "holiday": [70]}
    for folder, codes in layout.items():
        (root / folder).mkdir(parents=True)
        for i, code in enumerate(codes):
            write_colour_image(root / folder / f"img{i}.png", code)
    (root / "tabby" / "broken.jpg").write_bytes(b"not a jpeg")
    return root


def test_labelled_folder_maps_synset_and_class_name_folders(labelled):
    found = find_labelled_images(labelled)
    assert found.ignored_folders == ("holiday",)
    by_name = {p.split("val/")[1]: i for p, i in found.truth.items()}
    assert by_name == {
        "Egyptian_cat/img0.png": EGYPTIAN_CAT,
        "n01440764/img0.png": TENCH, "n01440764/img1.png": TENCH, "n01440764/img2.png": TENCH,
        "tabby/broken.jpg": TABBY, "tabby/img0.png": TABBY, "tabby/img1.png": TABBY,
    }


def test_accuracy_per_class_and_confusions_are_exact(labelled):
    found = find_labelled_images(labelled)
    results = Engine(ColourCodedBackend(ANSWERS), top_k=5, batch_size=3).run(found.paths)
    ev = evaluate_results(results, found.truth)
    assert (ev.images, ev.top1, ev.top5, len(ev.failed)) == (6, 2, 5, 1)
    assert ev.top1_accuracy == pytest.approx(2 / 6) and ev.top5_accuracy == pytest.approx(5 / 6)
    scores = {i: (s.images, s.top1, s.top5) for i, s in ev.per_class.items()}
    assert scores == {TENCH: (3, 1, 2), TABBY: (2, 1, 2), EGYPTIAN_CAT: (1, 0, 1)}
    assert ev.most_confused() == [(TENCH, 5, 1), (TENCH, 7, 1), (TABBY, EGYPTIAN_CAT, 1), (EGYPTIAN_CAT, TABBY, 1)]
    text = format_evaluation(ev)
    assert "top-1 accuracy: 33.333% (2/6)" in text
    assert "top-5 accuracy: 83.333% (5/6)" in text
    assert "   33.3%    66.7%       3  n01440764 tench" in text
    assert "tabby → Egyptian cat: 1" in text
    assert "6 classified, 1 could not be read" in text


def test_folder_without_class_subfolders_is_a_user_error(tmp_path):
    (tmp_path / "holiday").mkdir()
    with pytest.raises(UserError, match="no sub-folder .* is named by an ImageNet class"):
        find_labelled_images(tmp_path)
    with pytest.raises(UserError, match="is not a folder"):
        find_labelled_images(tmp_path / "missing")


def test_evaluate_command_prints_the_report(labelled, monkeypatch, capsys):
    from alexnet_gui.cli import main
    from alexnet_gui.commands import evaluate as evaluate_command

    monkeypatch.setattr(evaluate_command, "choose_weights", lambda args: None)
    monkeypatch.setattr(evaluate_command, "open_backend", lambda args, weights=None: ColourCodedBackend(ANSWERS))
    assert main(["evaluate", str(labelled), "--batch-size", "2", "--confused", "2"]) == 1  # one unreadable image
    captured = capsys.readouterr()
    assert "top-1 accuracy: 33.333% (2/6)\ntop-5 accuracy: 83.333% (5/6)" in captured.out
    assert "most confused (true → predicted as, count):\n  tench → electric ray: 1\n  tench → cock: 1\n" in captured.out
    assert "ignored 1 sub-folder not named by an ImageNet class: holiday" in captured.err


def test_loose_images_beside_the_class_folders_are_counted_not_silently_skipped(labelled, monkeypatch, capsys):
    from alexnet_gui.cli import main
    from alexnet_gui.commands import evaluate as evaluate_command

    write_colour_image(labelled / "loose.png", 10)
    monkeypatch.setattr(evaluate_command, "choose_weights", lambda args: None)
    monkeypatch.setattr(evaluate_command, "open_backend", lambda args, weights=None: ColourCodedBackend(ANSWERS))
    main(["evaluate", str(labelled), "--batch-size", "2"])
    assert (f"not evaluated: 1 image directly in {labelled}, outside any class sub-folder (their class is unknown)"
            in capsys.readouterr().err)


@pytest.mark.parametrize("inside", ["tabby/report", "."])
def test_a_report_folder_inside_the_evaluated_folder_is_refused_before_any_work(labelled, no_model, capsys, inside):
    from alexnet_gui.cli import main

    report = labelled / inside
    assert main(["evaluate", str(labelled), "--report", str(report), "--untrained"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: --report {report} is inside the evaluated folder {labelled}: its confusion.png would be read as an "
        "image; choose a folder outside it"
    )
    assert not (labelled / "tabby" / "report").exists() and not (labelled / "confusion.png").exists()


class SignallingBackend(ColourCodedBackend):
    """Sends this process a signal at its second batch: a kill at a known point of the run, with no timing."""

    def __init__(self, signum):
        super().__init__(ANSWERS)
        self.signum, self.calls = signum, 0

    def predict(self, batch):
        self.calls += 1
        if self.calls == 2:
            os.kill(os.getpid(), self.signum)
        return super().predict(batch)


@pytest.mark.parametrize("signame, status", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_stops_evaluate_with_its_own_exit_status(labelled, monkeypatch, capsys, signame, status):
    from alexnet_gui.cli import main
    from alexnet_gui.commands import evaluate as evaluate_command

    monkeypatch.setattr(evaluate_command, "choose_weights", lambda args: None)
    backend = SignallingBackend(getattr(signal, signame))
    monkeypatch.setattr(evaluate_command, "open_backend", lambda args, weights=None: backend)
    assert main(["evaluate", str(labelled), "--batch-size", "2"]) == status
    err = capsys.readouterr().err
    assert "interrupted after " in err and "; accuracy so far:" in err and "Traceback" not in err


def test_a_model_of_five_classes_or_fewer_gets_no_top_5_figure():
    """Issue 32: the app showed top-5 accuracy for a 3-class model (always 100 %, saying nothing)."""
    from alexnet_gui.core.analysis.evaluate import Evaluation
    from alexnet_gui.core.model.labels import Labels
    from alexnet_gui.core.outputs.results import Prediction, Result

    three = Labels(("daisy", "roses", "tulips"))
    top = (Prediction(1, "roses", 0.5), Prediction(0, "daisy", 0.3), Prediction(2, "tulips", 0.2))
    evaluation = Evaluation()
    evaluation.add(Result("a.jpg", None, top), 1)
    evaluation.add(Result("b.jpg", None, top), 2)
    text = format_evaluation(evaluation, labels=three)
    assert "top-5" not in text and "top-1 accuracy: 50.000% (1/2)" in text
    assert "    top-1  images  class\n     0.0%       1     2 tulips\n   100.0%       1     1 roses" in text
    six = Labels(tuple(f"class {i}" for i in range(6)))
    assert "top-5 accuracy: " in format_evaluation(Evaluation(), labels=six)


def test_accuracy_on_the_folder_a_model_was_trained_on_says_so(tmp_path, torch_backend):
    import dataclasses

    from alexnet_gui.core.analysis.evaluate import trained_on_warning

    data = tmp_path / "flowers"
    (data / "daisy").mkdir(parents=True)
    card = dataclasses.replace(torch_backend.card, training={"data": str(data)})
    sentence = ("these images include the ones the model was trained on ({data}): the accuracy below overstates how "
                "it does on images it has not seen")
    assert trained_on_warning(card, data) == sentence.format(data=data)
    assert trained_on_warning(card, data / "daisy") == sentence.format(data=data)  # a class folder of it
    assert trained_on_warning(card, tmp_path) == sentence.format(data=data)  # a folder around it
    assert trained_on_warning(card, tmp_path / "elsewhere") is None
    assert trained_on_warning(torch_backend.card, data) is None  # no training record: nothing to say
