"""photosort: teach a sorter your own photo categories from examples."""

__version__ = "0.1.0"
