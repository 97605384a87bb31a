"""The shipped category list is torchvision's, in the same order."""

from alexnet_gui.core import labels


def test_categories_equal_torchvision_weights_metadata():
    from torchvision.models import AlexNet_Weights

    assert labels.CATEGORIES == tuple(AlexNet_Weights.IMAGENET1K_V1.meta["categories"])
    assert len(labels.CATEGORIES) == 1000


def test_category_by_index():
    assert labels.category(0) == "tench"
    assert labels.category(281) == "tabby"
    assert labels.category(999) == "toilet tissue"
