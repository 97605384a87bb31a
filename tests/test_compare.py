"""Comparing backends: logit difference, top-1 agreement, latency, the command's report."""

import numpy as np
import pytest

from alexnet_gui.cli import main
from alexnet_gui.commands import compare as compare_command
from alexnet_gui.core.analysis.compare import compare_backends, compare_input, summarise_comparisons
from alexnet_gui.core.pipeline.scores import softmax
from tests.known_answers import ColourCodedBackend, LinearBackend, write_colour_image


class ShiftedBackend(LinearBackend):
    """The same linear network with one class's logit raised by `shift`."""

    def __init__(self, index, shift, name="shifted"):
        super().__init__()
        self.index, self.shift, self.name = index, shift, name

    def predict(self, batch):
        out = super().predict(batch)
        out[:, self.index] += self.shift
        return out


def test_compare_input_reports_the_largest_logit_difference_and_agreement():
    x = np.random.default_rng(1).normal(size=(3, 224, 224)).astype(np.float32)
    base = LinearBackend()
    logits = base.logits_of(x[None])[0]
    runner_up = int(np.argsort(-logits)[1])
    small = compare_input([base, ShiftedBackend(runner_up, 0.25)], x, top_k=3)
    assert small.max_logit_diff == pytest.approx(0.25, abs=1e-5)
    assert logits.max() - logits[runner_up] > 0.25  # so a 0.25 shift keeps the top-1
    assert small.top1_agree is True
    big = compare_input([base, ShiftedBackend(runner_up, 1000.0)], x, top_k=3)
    assert big.max_logit_diff == pytest.approx(1000.0, abs=1e-3)
    assert big.top1_agree is False
    assert [p.index for p in big.answers[1].top][:1] == [runner_up]
    expected = softmax(logits[None].astype(np.float32))[0]
    assert [p.prob for p in big.answers[0].top] == pytest.approx(sorted(expected, reverse=True)[:3], abs=1e-6)
    assert all(a.seconds > 0 for a in big.answers)


def named(backend, name):
    backend.name = name
    return backend


def test_compare_command_prints_each_image_and_the_summary(tmp_path, monkeypatch, capsys):
    for code in (10, 20, 30):
        write_colour_image(tmp_path / f"img{code}.png", code)
    (tmp_path / "zz_broken.jpg").write_bytes(b"no")
    answers = {10: [1, 2, 3, 4, 5], 20: [6, 7, 8, 9, 10], 30: [11, 12, 13, 14, 15]}
    disagreeing = {**answers, 20: [7, 6, 8, 9, 10]}
    backends = {"torch": ColourCodedBackend(answers, "torch"), "onnx": ColourCodedBackend(disagreeing, "onnx")}
    monkeypatch.setattr(compare_command, "choose_weights", lambda args: None)
    monkeypatch.setattr(compare_command, "open_backend", lambda args, weights: backends[args.backend])
    assert main(["compare", str(tmp_path), "--top-k", "2"]) == 1
    out = capsys.readouterr().out
    blocks = out.strip().split("\n" + str(tmp_path))
    assert len(blocks) == 4
    # Logits 10, 9, 8, 7, 6 and 995 zeros: softmax 0.6186, 0.2276, ...; class 1 goldfish, 2 great white shark.
    assert "  torch  " in blocks[0] and blocks[0].endswith(
        "goldfish 0.6186, great white shark 0.2276\n  top-1 agree: yes   largest |logit difference|: 0"
    )
    assert "onnx" in blocks[1] and "cock 0.6186, stingray 0.2276" in blocks[1]  # classes 7 and 6 swapped
    assert "top-1 agree: NO   largest |logit difference|: 1" in blocks[1]
    assert blocks[3].startswith("/zz_broken.jpg\n  error: not an image file\n")
    assert "3 images compared (1 could not be read): top-1 agreement 2/3 (66.7%), largest |logit difference| 1" in out
    assert "median latency per image: torch" in out and "onnx" in out


def test_compare_refuses_an_onnx_weights_file(tmp_path, capsys):
    write_colour_image(tmp_path / "a.png", 10)
    assert main(["compare", str(tmp_path), "--weights", str(tmp_path / "m.onnx")]) == 2
    assert "compare needs a .pth" in capsys.readouterr().err


@pytest.mark.slow
def test_torch_and_onnx_agree_on_the_untrained_network(tmp_path, torch_backend, onnx_backend):
    from PIL import Image

    rng = np.random.default_rng(0)
    paths = []
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)).save(tmp_path / f"{i}.png")
        paths.append(str(tmp_path / f"{i}.png"))
    comparisons = list(compare_backends([torch_backend, onnx_backend], paths))
    summary = summarise_comparisons(comparisons)
    assert summary.images == 3 and summary.agree == 3
    assert summary.max_logit_diff < 1e-3
    assert set(summary.median_seconds) == {"torch", "onnx"}


def test_the_summary_counts_one_image_in_the_singular():
    from alexnet_gui.core.analysis.compare import CompareSummary, format_summary

    one = CompareSummary(images=1, failed=0, agree=1, max_logit_diff=1.02e-08,
                         median_seconds={"torch": 0.02599, "onnx": 0.01393})
    assert format_summary(one) == (
        "1 image compared (0 could not be read): top-1 agreement 1/1 (100.0%), largest |logit difference| 1.02e-08; "
        "median latency per image: torch 25.99 ms, onnx 13.93 ms"
    )
