"""The training benchmark (issue 18): three recipes on the same digits split, from the same weights, whole processes.

    python benchmarks/train_bench.py [--tutorial-epochs 15] [--reference-epochs 2]

scikit-learn's bundled handwritten digits (1,797 real labelled images, 10 classes) are written as an ImageFolder,
split once (stratified 20 %, seed 0), and trained on by:
  (1) torchvision's fine-tuning tutorial in feature-extraction mode: only classifier[6] trains, SGD lr 0.001
      momentum 0.9, batch 8, 15 epochs, RandomResizedCrop + flip, every image through the whole network each epoch,
      the best epoch by validation accuracy kept;
  (2) `alexnet-gui train --mode head` (cached features, a new last layer, early stopping), cold feature cache;
  (3) the half-width tutorial's train.py recipe (its AlexNet from scratch, Adam 2e-4, batch 32, the whole network),
      shortened to --reference-epochs, for reference.
No trained AlexNet exists offline, so (1) and (2) start from the same seeded torchvision network (`--untrained`):
its features are random projections, and the figures compare the recipes, not ImageNet transfer.
Target: (2) reaches at least (1)'s validation accuracy in at most a tenth of its wall time (imports included).
Also: (2)'s peak RSS on the folder and on a folder 4x its size (feature cache memory-mapped: it stays flat).
Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import machine, run_process  # noqa: E402

REPO = HERE.parent
PYTHON = sys.executable

TUTORIAL = r'''
import json, sys, time, copy
import numpy as np, torch, torchvision
from torch import nn
from torchvision import datasets, transforms
from alexnet_gui.core.model.weights import untrained_state_dict
split = json.load(open(sys.argv[1])); epochs = int(sys.argv[2])
torch.manual_seed(0)
mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
tf = {"train": transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(),
                                    transforms.ToTensor(), transforms.Normalize(mean, std)]),
      "val": transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                                  transforms.Normalize(mean, std)])}
def subset(phase):
    ds = datasets.ImageFolder(split["root"], tf[phase], loader=lambda p: __import__("PIL.Image").Image.open(p).convert("RGB"))
    wanted = set(split[phase]); idx = [i for i, (p, _) in enumerate(ds.samples) if p in wanted]
    return torch.utils.data.Subset(ds, idx)
loaders = {ph: torch.utils.data.DataLoader(subset(ph), batch_size=8, shuffle=ph == "train", num_workers=2)
           for ph in ("train", "val")}
model = torchvision.models.alexnet(weights=None); model.load_state_dict(untrained_state_dict(0))
for p in model.parameters(): p.requires_grad = False
model.classifier[6] = nn.Linear(4096, len(split["classes"]))
opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.001, momentum=0.9)
crit = nn.CrossEntropyLoss(); best = 0.0
for epoch in range(epochs):
    for phase in ("train", "val"):
        model.train() if phase == "train" else model.eval()
        correct = n = 0
        for x, y in loaders[phase]:
            opt.zero_grad()
            with torch.set_grad_enabled(phase == "train"):
                out = model(x); loss = crit(out, y)
                if phase == "train": loss.backward(); opt.step()
            correct += (out.argmax(1) == y).sum().item(); n += len(y)
        if phase == "val":
            best = max(best, correct / n); print(f"epoch {epoch + 1} val {correct / n:.4f}", file=sys.stderr)
print(f"RESULT {best:.6f}", file=sys.stderr)
'''

REFERENCE = r'''
import json, sys, torch
from torch import nn
from torchvision import datasets, transforms
split = json.load(open(sys.argv[1])); epochs = int(sys.argv[2])
torch.manual_seed(0)
class AlexNet(nn.Module):  # WZMIAOMIAO's deep-learning-for-image-processing pytorch_classification/Test2_alexnet
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 48, 11, 4, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(48, 128, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(128, 192, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(192, 192, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(192, 128, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(128 * 6 * 6, 2048), nn.ReLU(inplace=True),
                                        nn.Dropout(0.5), nn.Linear(2048, 2048), nn.ReLU(inplace=True),
                                        nn.Linear(2048, num_classes))
    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))
norm = transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
tf = {"train": transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(),
                                    transforms.ToTensor(), norm]),
      "val": transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), norm])}
def subset(phase):
    ds = datasets.ImageFolder(split["root"], tf[phase], loader=lambda p: __import__("PIL.Image").Image.open(p).convert("RGB"))
    wanted = set(split[phase]); idx = [i for i, (p, _) in enumerate(ds.samples) if p in wanted]
    return torch.utils.data.Subset(ds, idx)
train = torch.utils.data.DataLoader(subset("train"), batch_size=32, shuffle=True, num_workers=2)
val = torch.utils.data.DataLoader(subset("val"), batch_size=4, shuffle=False, num_workers=2)
net = AlexNet(len(split["classes"])); opt = torch.optim.Adam(net.parameters(), lr=0.0002); crit = nn.CrossEntropyLoss()
best = 0.0
for epoch in range(epochs):
    net.train()
    for x, y in train:
        opt.zero_grad(); crit(net(x), y).backward(); opt.step()
    net.eval(); correct = n = 0
    with torch.no_grad():
        for x, y in val:
            correct += (net(x).argmax(1) == y).sum().item(); n += len(y)
    best = max(best, correct / n); print(f"epoch {epoch + 1} val {correct / n:.4f}", file=sys.stderr)
print(f"RESULT {best:.6f}", file=sys.stderr)
'''


def write_digits(root: Path, copies: int = 1) -> None:
    """The digits as 8x8 grayscale PNGs in one folder per class (`copies` > 1 repeats each image, renamed)."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    for i, (img, target) in enumerate(zip(digits.images, digits.target)):
        folder = root / str(target)
        folder.mkdir(parents=True, exist_ok=True)
        pixels = Image.fromarray((img * 255 / 16).astype(np.uint8), "L")
        for c in range(copies):
            pixels.save(folder / f"{i:04d}{'' if c == 0 else f'-{c}'}.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tutorial-epochs", type=int, default=15)
    parser.add_argument("--reference-epochs", type=int, default=2)
    parser.add_argument("--skip-reference", action="store_true")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="train-bench-"))
    try:
        data = work / "digits"
        write_digits(data)
        env = {**os.environ, "ALEXNET_GUI_CACHE": str(work / "cache"), "PYTHONPATH": str(REPO)}
        # (2) first: its split (validation.txt) is the one all three use.
        ours = run_process([PYTHON, "-m", "alexnet_gui", "train", str(data), "--out", str(work / "model"),
                            "--untrained"], env, work / "ours.log")
        card = json.loads((work / "model" / "model.pth.card.json").read_text())
        report = card["training"]["validation_report"]
        ours_acc = report["top1_accuracy"]
        rate = re.findall(r"features: ([\d.]+) images/s", ours["stderr"])
        val = set((work / "model" / "validation.txt").read_text().split("\n")) - {""}
        every = sorted(str(p.resolve()) for p in data.rglob("*.png"))
        split = {"root": str(data.resolve()), "classes": sorted(os.listdir(data)),
                 "val": sorted(val), "train": [p for p in every if p not in val]}
        (work / "split.json").write_text(json.dumps(split))
        (work / "tutorial.py").write_text(TUTORIAL)
        tutorial = run_process([PYTHON, str(work / "tutorial.py"), str(work / "split.json"),
                                str(opts.tutorial_epochs)], env, work / "tutorial.log")
        tutorial_acc = _parse(tutorial)
        rows = [("(1) torchvision tutorial, feature extraction", tutorial_acc, tutorial, None),
                ("(2) alexnet-gui train --mode head", ours_acc, ours, float(rate[-1]) if rate else None)]
        if not opts.skip_reference:
            (work / "reference.py").write_text(REFERENCE)
            ref = run_process([PYTHON, str(work / "reference.py"), str(work / "split.json"),
                               str(opts.reference_epochs)], env, work / "reference.log")
            rows.append((f"(3) half-width tutorial train.py, {opts.reference_epochs} epochs", _parse(ref), ref, None))
        # Peak RSS on a folder 4x the size (cold cache again).
        big = work / "digits4"
        write_digits(big, copies=4)
        env_big = {**env, "ALEXNET_GUI_CACHE": str(work / "cache4")}
        ours_big = run_process([PYTHON, "-m", "alexnet_gui", "train", str(big), "--out", str(work / "model4"),
                                "--untrained"], env_big, work / "ours4.log")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {machine()}")
    print("| recipe | validation accuracy | wall time (s) | feature extraction (images/s) | peak RSS (MB) |")
    print("|---|---|---|---|---|")
    for name, acc, run, fps in rows:
        print(f"| {name} | {100 * acc:.2f}% | {run['seconds']:.1f} | {f'{fps:.1f}' if fps else '—'} | "
              f"{run['rss_mb']:.0f} |")
    print(f"| (2) on the digits x4 (7,188 images) | — | {ours_big['seconds']:.1f} | — | {ours_big['rss_mb']:.0f} |")
    speed = tutorial["seconds"] / ours["seconds"]
    ok = ours_acc >= tutorial_acc and speed >= 10.0
    print(f"(2) vs (1): accuracy {100 * ours_acc:.2f}% vs {100 * tutorial_acc:.2f}%, {speed:.1f}x faster "
          f"(target: at least its accuracy, at least 10x): {'PASS' if ok else 'MISS'}")
    print(f"peak RSS x4 folder over x1: {ours_big['rss_mb'] / ours['rss_mb']:.2f}")
    return 0 if ok else 1


def _parse(run: dict) -> float:
    found = re.findall(r"RESULT ([\d.]+)", run["stderr"])
    if not found:
        raise SystemExit(f"a recipe printed no RESULT line:\n{run['stderr'][-2000:]}")
    return float(found[-1])


if __name__ == "__main__":
    sys.exit(main())
