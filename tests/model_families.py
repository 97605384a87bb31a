"""Each AlexNet family users hold, made here (no real weights exist offline), with an independent reference.

The references do not use the app's code: each family's network is written out as its source writes it (the
tutorial's class, dansuh17's `net` Sequential, a Caffe-style grouped network, the Keras model itself), and each
recipe is applied with torchvision's transforms or by hand, as that source's predict script does.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import nn


def seeded(module: nn.Module, seed: int) -> nn.Module:
    """Give every parameter seeded values scaled so activations neither vanish nor explode."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            fan_in = p[0].numel() if p.dim() > 1 else 1
            p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / fan_in) ** 0.5 if p.dim() > 1
                    else torch.randn(p.shape, generator=gen) * 0.05)
    return module.eval()


class TutorialAlexNet(nn.Module):
    """WZMIAOMIAO's Test2_alexnet model.py, as written there (half width, no avgpool)."""

    def __init__(self, num_classes: int = 5, fc: int = 2048) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 48, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(48, 128, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(128, 192, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(192, 192, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(192, 128, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5), nn.Linear(128 * 6 * 6, fc), nn.ReLU(inplace=True),
            nn.Dropout(p=0.5), nn.Linear(fc, fc), nn.ReLU(inplace=True), nn.Linear(fc, num_classes),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), start_dim=1))


class Dansuh17AlexNet(nn.Module):
    """dansuh17/alexnet-pytorch's model.py: the paper's 96 filters, LRN after ReLU 1 and 2, 227 pixels."""

    def __init__(self, num_classes: int = 10, fc: int = 4096) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=11, stride=4), nn.ReLU(),
            nn.LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(),
            nn.LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5), nn.Linear(256 * 6 * 6, fc), nn.ReLU(),
            nn.Dropout(p=0.5), nn.Linear(fc, fc), nn.ReLU(), nn.Linear(fc, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.net(x).view(-1, 256 * 6 * 6))


class CaffeAlexNet(nn.Module):
    """Caffe's BVLC AlexNet layout: named layers, LRN, groups=2 in conv2/4/5; `softmax` ends it like the zoo's."""

    def __init__(self, num_classes: int = 1000, fc: int = 4096, softmax: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 96, 11, stride=4)
        self.norm = nn.LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2)
        # Caffe rounds pooled sizes up: that is how its 224-pixel AlexNet (the zoo's) still ends at 6x6.
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=ceil_mode)
        self.conv2 = nn.Conv2d(96, 256, 5, padding=2, groups=2)
        self.conv3 = nn.Conv2d(256, 384, 3, padding=1)
        self.conv4 = nn.Conv2d(384, 384, 3, padding=1, groups=2)
        self.conv5 = nn.Conv2d(384, 256, 3, padding=1, groups=2)
        self.fc6 = nn.Linear(9216, fc)
        self.fc7 = nn.Linear(fc, fc)
        self.fc8 = nn.Linear(fc, num_classes)
        self.softmax = softmax

    def forward(self, x):
        x = self.pool(self.norm(torch.relu(self.conv1(x))))
        x = self.pool(self.norm(torch.relu(self.conv2(x))))
        x = torch.relu(self.conv3(x))
        x = torch.relu(self.conv4(x))
        x = self.pool(torch.relu(self.conv5(x)))
        x = torch.relu(self.fc7(torch.relu(self.fc6(torch.flatten(x, 1)))))
        x = self.fc8(x)
        return torch.softmax(x, dim=1) if self.softmax else x


def torchvision_input(img: Image.Image) -> torch.Tensor:
    """torchvision's IMAGENET1K_V1 transforms, built from torchvision itself."""
    from torchvision.models import AlexNet_Weights

    return AlexNet_Weights.IMAGENET1K_V1.transforms()(img)


def tutorial_input(img: Image.Image) -> torch.Tensor:
    """The tutorial's predict.py transform: Resize((224, 224)), ToTensor, Normalize(0.5, 0.5)."""
    from torchvision import transforms

    return transforms.Compose([
        transforms.Resize((224, 224)), transforms.ToTensor(),
        transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    ])(img)


def alexnet2012_input(img: Image.Image) -> torch.Tensor:
    """Resize 256, centre crop 227, ImageNet statistics (dansuh17's crop on torchvision's resize)."""
    from torchvision import transforms

    return transforms.Compose([
        transforms.Resize(256), transforms.CenterCrop(227), transforms.ToTensor(),
        transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    ])(img)


def caffe_input(img: Image.Image, size: int = 224, means=(123.68, 116.779, 103.939)) -> np.ndarray:
    """The ONNX Model Zoo's recipe, by hand: 224x224 resize, float 0..255, R/G/B means subtracted, BGR planes."""
    resized = np.asarray(img.resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32)
    resized = resized - np.array(means, np.float32)
    return np.ascontiguousarray(resized[:, :, ::-1].transpose(2, 0, 1))


def keras_tutorial_input(img: Image.Image) -> np.ndarray:
    """The Keras tutorial's predict.py: img.resize((224, 224)) (Pillow's default, bicubic), then / 255, NHWC."""
    return np.asarray(img.resize((224, 224)), dtype=np.float32) / 255.0


def softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def photos(folder, count: int = 3) -> list:
    """Real photos from scikit-image, saved as JPEG and PNG files of different shapes."""
    from skimage import data

    images = [data.astronaut(), data.chelsea(), data.coffee(), data.rocket()][:count]
    paths = []
    for i, pixels in enumerate(images):
        path = folder / (f"photo{i}.jpg" if i % 2 == 0 else f"photo{i}.png")
        Image.fromarray(pixels).save(path, quality=92)
        paths.append(path)
    return paths
