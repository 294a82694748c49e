"""Dataset readers (torch-free): `load_dataset(name, seed=..., **options)` returns a `Dataset`."""

from share_neuro.data.dataset import Dataset, Split
from share_neuro.data.registry import DatasetInfo, list_datasets, load_dataset

__all__ = ["Dataset", "DatasetInfo", "Split", "list_datasets", "load_dataset"]
