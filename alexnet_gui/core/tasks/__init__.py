"""Headless task functions: one workflow each (evaluate, compare, unit examples, feature maps, attributions,
classification of a path list and into a CSV), called in one line by the commands and the app alike.

Each takes keyword arguments `cancel` (a callable returning True once the user asked to stop, or an Event) and
`on_progress(done, total)`, and returns a dataclass, as the training job (core/training/job.py) does; printing and
drawing stay with the caller. torch is imported only by the tasks that need gradients, and only when they run.
"""
