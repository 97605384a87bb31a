"""The recipe a user would write instead of alexnet-gui: torchvision's documented loop, one image at a time.

Usage: python benchmarks/user_recipe.py FOLDER [--device cpu|cuda]
Prints one line per image (path, top-5 indices) so the work cannot be skipped, and the count at the end.
The network is the same seeded random AlexNet as `--untrained` (real weights cannot be downloaded here;
the compute cost is identical).
"""

import sys
from pathlib import Path

import torch
from PIL import Image
from torchvision.models import AlexNet_Weights, alexnet

from alexnet_gui.core.model.weights import untrained_state_dict


def main() -> int:
    folder = Path(sys.argv[1])
    device = sys.argv[sys.argv.index("--device") + 1] if "--device" in sys.argv else "cpu"
    model = alexnet(weights=None)
    model.load_state_dict(untrained_state_dict(0))
    model.eval().to(device)
    preprocess = AlexNet_Weights.IMAGENET1K_V1.transforms()
    count = 0
    with torch.no_grad():
        for path in sorted(folder.glob("*.jpg")):
            img = Image.open(path).convert("RGB")
            x = preprocess(img).to(device)
            probs = model(x[None]).softmax(dim=1)
            top5 = probs.topk(5).indices[0].tolist()
            print(path.name, *top5)
            count += 1
    print(f"{count} images", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
