"""Teach a model new classes: transfer learning from any model card onto the classes of a labelled folder.

Three modes, after torchvision's fine-tuning tutorial and Teachable Machine:
- "head" (default): the convolutional layers are frozen; each image's features are computed once and cached on
  disk (`features.py`), and only the classifier is trained on them: seconds on a laptop CPU. `head="last"` trains
  a new final layer on the frozen fc7 features (the tutorial's "feature extraction"); `head="classifier"` trains
  all three fully connected layers on the pool5 features (slower, better when the base was trained on other
  pictures).
- "finetune": the classifier and conv5 train on randomly cropped and flipped images.
- "full": every layer trains (on CUDA with mixed precision when there is one).

Validation loss is checked after every epoch; the best epoch is kept, and training stops early after `patience`
epochs without improvement. Each epoch ends with a checkpoint, so an interrupted training resumes where it was.
`Trainer.run()` yields progress events for the terminal and the app; `Trainer.outcome()` is the model so far.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.archs import build_network, feature_index
from alexnet_gui.core.model.card import ModelCard
from alexnet_gui.core.model.labels import Labels
from alexnet_gui.core.training.folders import Split
from alexnet_gui.core.wording import counted

MODES = ("head", "finetune", "full")
HEADS = ("last", "classifier")
#: each mode's epochs, learning rate (AdamW) and batch size when the user gives none
MODE_DEFAULTS: dict[str, tuple[int, float, int]] = {
    "head": (30, 1e-3, 64), "finetune": (15, 1e-4, 32), "full": (30, 2e-4, 32)}
#: class-weighted loss (inverse frequency) is used from this ratio of largest to smallest class on
IMBALANCE_RATIO = 1.5
CHECKPOINT_VERSION = 1


@dataclass(frozen=True)
class TrainSettings:
    """The hyperparameters; None means the mode's default (`MODE_DEFAULTS`)."""

    mode: str = "head"
    head: str = "last"
    epochs: int | None = None
    learning_rate: float | None = None
    batch_size: int | None = None
    weight_decay: float = 1e-4
    patience: int = 5
    seed: int = 0
    #: "auto": inverse-frequency class weights when the classes are unbalanced; "on" or "off"
    class_weights: str = "auto"
    device: str = "auto"
    workers: int = 2

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UserError(
                gettext("unknown training mode {mode!r}; choose {join}").format(mode=self.mode, join=", ".join(MODES))
            )
        if self.head not in HEADS:
            raise UserError(
                gettext("unknown head {head!r}; choose {join}").format(head=self.head, join=", ".join(HEADS))
            )
        if self.class_weights not in ("auto", "on", "off"):
            raise UserError(
                gettext("class weights must be auto, on or off, not {class_weights!r}").format(
                    class_weights=self.class_weights
                )
            )

    def filled(self) -> TrainSettings:
        """These settings with the mode's defaults in place of None."""
        epochs, lr, batch = MODE_DEFAULTS[self.mode]
        return replace(self, epochs=self.epochs or epochs, learning_rate=self.learning_rate or lr,
                       batch_size=self.batch_size or batch)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for the card's provenance and the checkpoint."""
        return asdict(self)


@dataclass(frozen=True)
class Progress:
    """Work done within a stage: "features" (extraction), "epoch" (its batches), "validation"."""

    stage: str
    done: int
    total: int
    epoch: int = 0


@dataclass(frozen=True)
class EpochReport:
    """One epoch's figures."""

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float
    best_epoch: int

    @property
    def improved(self) -> bool:
        """Whether this epoch is the best so far."""
        return self.best_epoch == self.epoch

    def describe(self, epochs: int) -> str:
        """One line for the terminal."""
        mark = gettext(" (best)") if self.improved else ""
        return gettext(
            "epoch {epoch}/{epochs}: train loss {train_loss:.4f}, accuracy {train_accuracy:.1f}%; validation loss "
            "{val_loss:.4f}, accuracy {val_accuracy:.1f}% — {seconds:.1f} s{mark}"
        ).format(
            epoch=self.epoch,
            epochs=epochs,
            train_loss=self.train_loss,
            train_accuracy=100 * self.train_accuracy,
            val_loss=self.val_loss,
            val_accuracy=100 * self.val_accuracy,
            seconds=self.seconds,
            mark=mark,
        )


@dataclass
class TrainedModel:
    """What a training made: the network (its best epoch), its card, and the record of how it got there."""

    model: nn.Module
    card: ModelCard
    history: list[EpochReport]
    best_epoch: int
    #: "finished", "stopped early" or "interrupted"
    stopped: str
    failed: dict[str, str] = field(default_factory=dict)


def choose_device(wanted: str) -> torch.device:
    """CUDA when it works and was not refused, else the CPU; "cuda" without a working CUDA is one UserError."""
    if wanted == "cpu":
        return torch.device("cpu")
    from alexnet_gui.core.backends.torch_backend import cuda_status

    usable, why = cuda_status()
    if usable:
        return torch.device("cuda")
    if wanted == "cuda":
        raise UserError(gettext('--device cuda: {why}').format(why=why))
    return torch.device("cpu")


def class_weights_for(counts: list[int], setting: str) -> list[float] | None:
    """Inverse-frequency weights (mean 1) when `setting` asks for them, or is "auto" and the classes are
    unbalanced; None for plain cross-entropy."""
    if setting == "off" or (setting == "auto" and max(counts) < IMBALANCE_RATIO * min(counts)):
        return None
    total, k = sum(counts), len(counts)
    return [total / (k * n) for n in counts]


class Trainer:
    """One training of `base_card`'s network (with its `base_state`) onto `classes`, on `split`."""

    def __init__(self, base_card: ModelCard, base_state: dict, classes: tuple[str, ...], split: Split,
                 settings: TrainSettings, *, cache_dir: Path, data_root: str, checkpoint: Path | None = None,
                 resume: bool = False, cancel: threading.Event | None = None) -> None:
        if base_card.architecture is None:
            raise UserError(
                gettext(
                    "training needs a network the app builds (a PyTorch or Keras file, or --untrained); "
                    "an ONNX graph cannot be trained"
                )
            )
        self.base_card = base_card
        self.classes = classes
        self.split = split
        self.settings = settings.filled()
        self.cache_dir = cache_dir
        self.data_root = data_root
        self.checkpoint = checkpoint
        self.resume = resume
        self.cancel = cancel or threading.Event()
        self.device = choose_device(settings.device)
        self.arch = replace(base_card.architecture, classes=len(classes))
        #: the network being trained (Any: its `features` and `classifier` are indexed Sequentials)
        self.model: Any = self._initial_model(base_state)
        self.history: list[EpochReport] = []
        self.best_epoch = 0
        self.best_state: dict | None = None
        self.failed: dict[str, str] = {}
        self.class_weights: list[float] | None = None
        self.feature_images_per_second = 0.0
        self.stopped = "interrupted"
        #: (mean, std) of the cached features the head trained on (mode "head"), folded in by `outcome`
        self.standardisation: tuple[torch.Tensor, torch.Tensor] | None = None

    # --- the network --------------------------------------------------------------------------------------
    def _initial_model(self, base_state: dict) -> nn.Module:
        model = build_network(self.arch)
        kept = {k: v for k, v in base_state.items() if not k.startswith("classifier.6.")}
        missing, unexpected = model.load_state_dict(kept, strict=False)
        if unexpected or set(missing) != {"classifier.6.weight", "classifier.6.bias"}:
            raise UserError(
                gettext("the base model's weights do not fit its card ({join})").format(
                    join=", ".join((missing + unexpected)[:3])
                )
            )
        torch.manual_seed(self.settings.seed)
        model.classifier[6].reset_parameters()  # the new classes' layer, seeded
        return model

    def _trainable(self) -> nn.Module:
        """The part of the network that learns."""
        mode, head = self.settings.mode, self.settings.head
        if mode == "head":
            return self.model.classifier[6] if head == "last" else self.model.classifier
        if mode == "finetune":
            conv5 = feature_index(self.arch)["conv5"]
            return nn.ModuleList([self.model.features[conv5:], self.model.classifier])
        return self.model

    def _trunk(self) -> nn.Module:
        """The frozen part that makes the cached features (mode "head")."""
        m: Any = self.model
        parts: list[nn.Module] = [m.features, m.avgpool, nn.Flatten(1)]
        if self.settings.head == "last":
            parts.append(m.classifier[:6])
        return nn.Sequential(*parts).eval()

    # --- the run --------------------------------------------------------------------------------------------
    def run(self) -> Iterator[Progress | EpochReport]:
        """Train, yielding progress within each stage and a report after each epoch; stops early, on `cancel`,
        or after the last epoch. The best epoch's weights end up in `self.model` (see `outcome`)."""
        s = self.settings
        torch.manual_seed(s.seed)
        self.model.to(self.device)
        for p in self.model.parameters():
            p.requires_grad_(False)
        trainable = self._trainable()
        for p in trainable.parameters():
            p.requires_grad_(True)
        train_items, val_items = list(self.split.train), list(self.split.val)
        if s.mode == "head":
            source = yield from self._feature_source(train_items, val_items)
            if source is None:
                return
        else:
            source = _ImageSource(self, train_items, val_items)
        try:
            counts = source.train_counts(len(self.classes))
            empty = [self.classes[i] for i, n in enumerate(counts) if n == 0]
            if empty:
                raise UserError(gettext('no readable training image in class {value!r}').format(value=empty[0]))
            self.class_weights = class_weights_for(counts, s.class_weights)
            weight = torch.tensor(self.class_weights, device=self.device) if self.class_weights else None
            assert s.epochs is not None and s.batch_size is not None and s.learning_rate is not None
            optimiser = torch.optim.AdamW([p for p in trainable.parameters()], lr=s.learning_rate,
                                          weight_decay=s.weight_decay)
            amp = self.device.type == "cuda" and s.mode != "head"
            scaler = torch.amp.GradScaler("cuda") if amp else None
            start_epoch, best_loss, stale = 1, math.inf, 0
            if self.resume and self.checkpoint is not None and self.checkpoint.is_file():
                start_epoch, best_loss, stale = self._load_checkpoint(trainable, optimiser)
            for epoch in range(start_epoch, s.epochs + 1):
                if stale >= s.patience:
                    break
                began = time.perf_counter()
                torch.manual_seed(s.seed * 100_003 + epoch)  # dropout: the same masks on every run of this seed
                trainable.train()
                total_loss = correct = seen = 0.0
                order = np.random.default_rng((s.seed, epoch)).permutation(source.train_size)
                batches = range(0, len(order), s.batch_size)
                for number, start in enumerate(batches, 1):
                    if self.cancel.is_set():
                        return
                    x, y = source.train_batch(order[start:start + s.batch_size], epoch)
                    if len(y) == 0:
                        continue
                    with torch.autocast("cuda", dtype=torch.float16, enabled=amp):
                        logits = source.forward(x, trainable)
                        loss = nn.functional.cross_entropy(logits.float(), y, weight=weight)
                    optimiser.zero_grad(set_to_none=True)
                    if scaler is not None:
                        scaler.scale(loss).backward()
                        scaler.step(optimiser)
                        scaler.update()
                    else:
                        loss.backward()
                        optimiser.step()
                    total_loss += loss.item() * len(y)
                    correct += (logits.argmax(1) == y).sum().item()
                    seen += len(y)
                    yield Progress("epoch", number, len(batches), epoch)
                trainable.eval()
                val_loss, val_accuracy = yield from source.validate(trainable, epoch)
                if val_loss is None:
                    return
                if not math.isfinite(val_loss):
                    raise UserError(
                        gettext(
                            "training diverged in epoch {epoch} (the validation loss is not a number); try a lower --lr"
                        ).format(epoch=epoch)
                    )
                if val_loss < best_loss - 1e-7:
                    best_loss, stale = val_loss, 0
                    self.best_epoch = epoch
                    self.best_state = {k: v.detach().cpu().clone() for k, v in trainable.state_dict().items()}
                else:
                    stale += 1
                report = EpochReport(epoch, total_loss / max(seen, 1), correct / max(seen, 1), val_loss,
                                     val_accuracy, time.perf_counter() - began, self.best_epoch)
                self.history.append(report)
                self._save_checkpoint(trainable, optimiser, epoch, best_loss, stale)
                yield report
            self.stopped = "stopped early" if stale >= s.patience and len(self.history) < s.epochs else "finished"
        finally:
            source.close()
            if self.best_state is not None:
                trainable.load_state_dict(self.best_state)
            self.model.eval().cpu()

    def _feature_source(self, train_items, val_items):
        from alexnet_gui.core.training.features import extract_features, feature_key

        paths = [p for p, _ in train_items] + [p for p, _ in val_items]
        layer = "fc7" if self.settings.head == "last" else "pool5"
        key = feature_key(self.base_card, layer, paths)
        trunk = self._trunk().to(self.device)
        extraction = extract_features(trunk, paths, self.base_card.preprocess, folder=self.cache_dir, key=key,
                                      device=self.device, batch_size=64, workers=self.settings.workers,
                                      cancel=self.cancel)
        try:
            while True:
                try:
                    done, total = next(extraction)
                except StopIteration as stop:
                    found = stop.value
                    break
                yield Progress("features", done, total)
        finally:
            extraction.close()  # interrupted: the half-written file is removed now, not at garbage collection
        if found is None:
            return None
        self.failed = dict(found.failed)
        self.feature_images_per_second = found.images_per_second
        return _FeatureSource(self, found, train_items, val_items)

    # --- checkpoints ----------------------------------------------------------------------------------------
    def _identity(self) -> dict:
        return {"settings": {k: v for k, v in self.settings.to_dict().items() if k not in ("epochs", "device",
                                                                                           "workers")},
                "classes": list(self.classes), "train": [list(t) for t in self.split.train],
                "val": [list(t) for t in self.split.val], "base": self.base_card.sha256 or self.base_card.card_id}

    def _save_checkpoint(self, trainable, optimiser, epoch, best_loss, stale) -> None:
        if self.checkpoint is None:
            return
        self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.checkpoint.with_name(f".{self.checkpoint.name}.{os.getpid()}.tmp")
        try:
            torch.save({"version": CHECKPOINT_VERSION, "identity": self._identity(), "epoch": epoch,
                        "history": [asdict(h) for h in self.history], "trainable": trainable.state_dict(),
                        "optimiser": optimiser.state_dict(), "best_state": self.best_state,
                        "best_epoch": self.best_epoch, "best_loss": best_loss, "stale": stale}, tmp)
            os.replace(tmp, self.checkpoint)
        finally:
            tmp.unlink(missing_ok=True)

    def _load_checkpoint(self, trainable, optimiser) -> tuple[int, float, int]:
        assert self.checkpoint is not None
        try:
            saved = torch.load(self.checkpoint, map_location=self.device, weights_only=True)
        except Exception as exc:  # noqa: BLE001 - any damage: say so, do not guess
            raise UserError(
                gettext("cannot resume: the checkpoint {checkpoint} is damaged ({name__})").format(
                    checkpoint=self.checkpoint, name__=type(exc).__name__
                )
            ) from None
        if saved.get("version") != CHECKPOINT_VERSION or saved.get("identity") != self._identity():
            raise UserError(
                gettext(
                    "cannot resume: {checkpoint} was made with other data, classes or settings (start again with --force)"
                ).format(checkpoint=self.checkpoint)
            )
        trainable.load_state_dict(saved["trainable"])
        optimiser.load_state_dict(saved["optimiser"])
        self.history = [EpochReport(**h) for h in saved["history"]]
        self.best_epoch = saved["best_epoch"]
        self.best_state = saved["best_state"]
        return saved["epoch"] + 1, float(saved["best_loss"]), int(saved["stale"])

    # --- the result -----------------------------------------------------------------------------------------
    def outcome(self, *, name: str) -> TrainedModel | None:
        """The model of the best epoch so far with its card; None before the first epoch has finished."""
        if not self.history or self.best_state is None:
            return None
        self._trainable().load_state_dict(self.best_state)
        self.model.eval().cpu()
        if self.standardisation is not None:  # the reloaded best state is in standardised units
            self._fold_standardisation(*self.standardisation)
        return TrainedModel(self.model, self._card(name), list(self.history), self.best_epoch, self.stopped,
                            dict(self.failed))

    def _fold_standardisation(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        """W (x - m) / s + b = (W / s) x + (b - (W / s) m): the first trained layer takes raw features."""
        layer = self.model.classifier[6] if self.settings.head == "last" else self.model.classifier[1]
        with torch.no_grad():
            weight = layer.weight / std
            layer.bias.copy_(layer.bias - weight @ mean)
            layer.weight.copy_(weight)

    def provenance(self) -> dict[str, Any]:
        """How the model was trained, for its card: data, counts, split, settings, metrics per epoch, versions."""
        import platform

        import torchvision

        from alexnet_gui import __version__

        train_counts, val_counts = self.split.counts(len(self.classes))
        best = next((h for h in self.history if h.epoch == self.best_epoch), None)
        return {
            "data": self.data_root,
            "split": self.split.how,
            "counts": {"train": dict(zip(self.classes, train_counts)), "validation": dict(zip(self.classes,
                                                                                                val_counts))},
            "unreadable": len(self.failed),
            "settings": {**self.settings.to_dict(), "device": self.device.type},
            "class_weights": self.class_weights,
            "base_model": {"card": self.base_card.card_id, "source": self.base_card.source},
            "epochs_run": len(self.history),
            "best_epoch": self.best_epoch,
            "best_val_accuracy": best.val_accuracy if best else None,
            "stopped": self.stopped,
            "metrics": [asdict(h) for h in self.history],
            "versions": {"alexnet_gui": __version__, "torch": torch.__version__,
                         "torchvision": torchvision.__version__, "python": platform.python_version()},
        }

    def _card(self, name: str) -> ModelCard:
        labels = Labels(self.classes, None, f"class folders of {self.data_root}")
        return ModelCard(name, self.arch, labels, self.base_card.preprocess, "logits", None,
                         f"trained by alexnet-gui train on {self.data_root}", "", "pth",
                         ("card: written by alexnet-gui train",
                          f"preprocessing: the base model's ({self.base_card.preprocess.name})"),
                         training=self.provenance())


class _FeatureSource:
    """Training batches from the cached features (mode "head")."""

    def __init__(self, trainer: Trainer, features, train_items, val_items) -> None:
        self.trainer = trainer
        self.reader = features.reader()
        n_train = len(train_items)
        labels = np.array([c for _, c in train_items] + [c for _, c in val_items], dtype=np.int64)
        self.train_rows = np.flatnonzero(features.valid[:n_train])
        self.val_rows = n_train + np.flatnonzero(features.valid[n_train:])
        self.labels = labels
        self.train_size = len(self.train_rows)
        self.mean, self.std = self._statistics(features.width)
        trainer.standardisation = (self.mean.cpu(), self.std.cpu())

    def _statistics(self, width: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Each feature's mean and standard deviation (floored) over the training rows. The classifier trains on
        standardised features, so one learning rate suits any base model's feature scale (a random network's
        fc7 values are a hundredth of a trained one's); `Trainer.outcome` folds the scaling into the first
        trained layer, so the saved network takes the raw features as before."""
        total = np.zeros(width)
        squares = np.zeros(width)
        for start in range(0, len(self.train_rows), 4096):
            x = self.reader.take(self.train_rows[start:start + 4096]).astype(np.float64)
            total += x.sum(0)
            squares += (x * x).sum(0)
        n = max(len(self.train_rows), 1)
        mean = total / n
        std = np.sqrt(np.maximum(squares / n - mean * mean, 0.0))
        # A floor of a tenth of the typical spread: a feature that barely varies would otherwise be scaled up a
        # thousandfold, and once folded into the layer its weights would dwarf the others (an int8 copy of the
        # model, one scale per output, then rounds every other weight to zero: measured, chance accuracy).
        varying = std[std > 1e-12]
        floor = 0.1 * float(np.median(varying)) if varying.size else 1.0
        std = np.maximum(std, floor)
        device = self.trainer.device
        return (torch.from_numpy(mean.astype(np.float32)).to(device),
                torch.from_numpy(std.astype(np.float32)).to(device))

    def _rows(self, rows: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(self.reader.take(rows)).to(self.trainer.device)
        return (x - self.mean) / self.std

    def train_counts(self, classes: int) -> list[int]:
        return np.bincount(self.labels[self.train_rows], minlength=classes).tolist()

    def train_batch(self, positions: np.ndarray, epoch: int):
        rows = np.sort(self.train_rows[positions])  # sorted: the memory map reads forward
        device = self.trainer.device
        return self._rows(rows), torch.from_numpy(self.labels[rows]).to(device)

    def forward(self, x, trainable):
        return trainable(x)

    def validate(self, trainable, epoch):
        losses, correct = 0.0, 0
        device = self.trainer.device
        with torch.inference_mode():
            for start in range(0, len(self.val_rows), 1024):
                rows = self.val_rows[start:start + 1024]
                y = torch.from_numpy(self.labels[rows]).to(device)
                logits = trainable(self._rows(rows))
                losses += nn.functional.cross_entropy(logits, y, reduction="sum").item()
                correct += (logits.argmax(1) == y).sum().item()
        n = max(len(self.val_rows), 1)
        yield Progress("validation", len(self.val_rows), len(self.val_rows), epoch)
        return losses / n, correct / n

    def close(self) -> None:
        self.reader.close()


class _ImageSource:
    """Training batches decoded from the images each epoch, randomly cropped and flipped (modes "finetune" and
    "full")."""

    def __init__(self, trainer: Trainer, train_items, val_items) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.trainer = trainer
        self.train_items = train_items
        self.val_items = val_items
        self.train_size = len(train_items)
        # One pool for the whole training, not one started and joined for every batch.
        self._pool = ThreadPoolExecutor(trainer.settings.workers, thread_name_prefix="train-augment")

    def train_counts(self, classes: int) -> list[int]:
        return np.bincount([c for _, c in self.train_items], minlength=classes).tolist()

    def _batch(self, items, decoded):
        ok = [(x, c) for x, (path, c) in zip(decoded, items) if not isinstance(x, str)]
        for x, (path, _label) in zip(decoded, items):
            if isinstance(x, str):
                self.trainer.failed[path] = x
        device = self.trainer.device
        if not ok:
            return torch.zeros(0), torch.zeros(0, dtype=torch.long)
        return (torch.from_numpy(np.stack([x for x, _ in ok])).to(device),
                torch.tensor([c for _, c in ok], dtype=torch.long, device=device))

    def train_batch(self, positions: np.ndarray, epoch: int):
        items = [self.train_items[i] for i in positions]
        seed = self.trainer.settings.seed
        recipe = self.trainer.base_card.preprocess
        decoded = list(self._pool.map(lambda pair: augmented_input(pair[1][0], recipe, (seed, epoch, int(pair[0]))),
                                      zip(positions, items)))
        return self._batch(items, decoded)

    def forward(self, x, trainable):
        return self.trainer.model(x)

    def validate(self, trainable, epoch):
        from alexnet_gui.core.pipeline.batches import decode_batches

        model = self.trainer.model.eval()
        losses, correct, seen, done = 0.0, 0, 0, 0
        paths = [p for p, _ in self.val_items]
        s = self.trainer.settings
        assert s.batch_size is not None
        for decoded in decode_batches(paths, self.trainer.base_card.preprocess, s.batch_size, s.workers):
            if self.trainer.cancel.is_set():
                return None, None
            items = self.val_items[done:done + len(decoded)]
            done += len(decoded)
            x, y = self._batch(items, decoded)
            if len(y):
                with torch.inference_mode():
                    logits = model(x).float()
                losses += nn.functional.cross_entropy(logits, y, reduction="sum").item()
                correct += (logits.argmax(1) == y).sum().item()
                seen += len(y)
            yield Progress("validation", done, len(paths), epoch)
        return losses / max(seen, 1), correct / max(seen, 1)

    def close(self) -> None:
        self._pool.shutdown()


def augmented_input(path: str, recipe, seed: tuple[int, int, int]) -> np.ndarray | str:
    """One training input: a random crop of 8-100 % of the image's area and 3:4-4:3 aspect (torchvision's
    RandomResizedCrop), resized to the model's input, flipped half the time, normalised by the card's recipe.

    The crop and the flip are drawn from a generator seeded per image and epoch rather than by torchvision's
    transform objects, whose global random state would make a run depend on how the decode threads interleave."""
    import torchvision.transforms.functional as tf

    from alexnet_gui.core.model.preprocess import normalise
    from alexnet_gui.core.pipeline.images import open_rgb

    try:
        img = open_rgb(path)
    except UserError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop a training
        return f"could not read image ({type(exc).__name__}: {exc})"
    rng = np.random.default_rng(seed)
    width, height = img.size
    area = width * height
    top, left, h, w = 0, 0, height, width
    for _attempt in range(10):
        target = area * rng.uniform(0.08, 1.0)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        cw, ch = round(math.sqrt(target * ratio)), round(math.sqrt(target / ratio))
        if 0 < cw <= width and 0 < ch <= height:
            top, left, h, w = int(rng.integers(0, height - ch + 1)), int(rng.integers(0, width - cw + 1)), ch, cw
            break
    size = recipe.input_size
    crop = tf.resized_crop(img, top, left, h, w, [size, size],
                           interpolation=tf.InterpolationMode(recipe.interpolation), antialias=True)
    if rng.random() < 0.5:
        crop = tf.hflip(crop)
    return normalise(np.asarray(crop), recipe)


def describe_split(split: Split) -> str:
    """"1,437 images to train on, 360 to validate with" for the terminal and the app."""
    return gettext("{counted} to train on, {n_val} to validate with ({how})").format(
        counted=counted(len(split.train), "image"), n_val=len(split.val), how=split.how)
