"""Photos for the embeddings' GUI tests: scikit-image photos, each with a re-encoded, a resized and a cropped copy
(near-duplicates of it), at sizes small enough that the seeded untrained network classifies them in seconds."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

PHOTOS = ("astronaut", "chelsea", "coffee")


def write_near_duplicates(root: Path, names=PHOTOS) -> list[str]:
    """Each photo as NAME.png (halved), NAME_q60.jpg, NAME_small.png (2/3) and NAME_crop.png (5 % off each side)."""
    from skimage import data

    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        image = Image.fromarray(getattr(data, name)())
        image = image.resize((image.width // 2, image.height // 2), Image.BICUBIC)
        w, h = image.size
        image.save(root / f"{name}.png")
        image.save(root / f"{name}_q60.jpg", quality=60)
        image.resize((w * 2 // 3, h * 2 // 3), Image.BICUBIC).save(root / f"{name}_small.png")
        image.crop((w // 20, h // 20, w - w // 20, h - h // 20)).save(root / f"{name}_crop.png")
    return sorted(str(p) for p in root.iterdir())


def classify_folder(window, qtbot, folder: Path) -> list[str]:
    """Add `folder` to the window's table and wait until every row is classified."""
    paths = write_near_duplicates(folder)
    window.add_paths([str(folder)])
    qtbot.waitUntil(lambda: window.model.rowCount() == len(paths) and not window.is_busy()
                    and all(r.result is not None for r in window.model.rows()), timeout=120000)
    return paths


def app_index(window):
    """The embedding index the app records into for the loaded model (read on the test's thread)."""
    from alexnet_gui.core.embeddings.index import open_index
    from alexnet_gui.gui.embedding_jobs import LAYER

    card = window.context.card()
    return open_index(card.card_id, LAYER, recipe=card.preprocess.to_dict())


def core_backend(window):
    """A model the core's tasks may open (never called when every vector is in the index)."""
    def refuse():
        raise AssertionError("the index lacked a vector the app should have recorded while classifying")

    return refuse
