"""Embeddings (issue 34): each image's vector at a late layer (fc7 after its ReLU by default), recorded while
classifying into an on-disk index keyed by the file's content, and what is answered from it: the nearest images of a
query (`search`), near-duplicate groups (`duplicates`) and a 2-D map of a folder (`layout`). No Qt, and no torch at
import: the vectors come from whichever backend the engine runs."""
