"""The shipped category list is torchvision's, in the same order."""

from alexnet_gui.core.model import labels


def test_categories_equal_torchvision_weights_metadata():
    from torchvision.models import AlexNet_Weights

    assert labels.CATEGORIES == tuple(AlexNet_Weights.IMAGENET1K_V1.meta["categories"])
    assert len(labels.CATEGORIES) == 1000


def test_category_by_index():
    assert labels.category(0) == "tench"
    assert labels.category(281) == "tabby"
    assert labels.category(999) == "toilet tissue"


def test_synsets_are_1000_sorted_unique_ids_matching_known_classes():
    ids = [labels.synset(i) for i in range(1000)]
    assert len(set(ids)) == 1000 and ids == sorted(ids)
    assert all(len(s) == 9 and s[0] == "n" and s[1:].isdigit() for s in ids)
    assert (ids[0], labels.category(0)) == ("n01440764", "tench")
    assert (ids[281], labels.category(281)) == ("n02123045", "tabby")
    assert (ids[999], labels.category(999)) == ("n15075141", "toilet tissue")


def test_folder_names_by_synset_or_class_name():
    import pytest

    from alexnet_gui.core.errors import UserError

    assert labels.index_from_folder_name("n02123045") == 281
    assert labels.index_from_folder_name("tabby") == 281
    assert labels.index_from_folder_name("Toilet_Tissue") == 999
    assert labels.index_from_folder_name("holiday photos") is None
    assert labels.index_from_folder_name("crane") == 517 and labels.index_from_folder_name("crane bird") == 134
    with pytest.raises(UserError, match="n02113186, n02963159"):
        labels.index_from_folder_name("cardigan")  # 264 "Cardigan" (corgi) and 474 "cardigan" (sweater)
