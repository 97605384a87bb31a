"""Teaching a model new classes from labelled folders: the layout and split, cached features, the trainer, the
model folder it writes, and one training job for the command line and the app."""
