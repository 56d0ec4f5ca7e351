"""Specialekatalog core: the knowledge graph of Denmark's specialised social area, without Flask."""

from importlib.metadata import PackageNotFoundError, version

from catalogue.config import Settings
from catalogue.loading import load_knowledge
from catalogue.service import Catalogue

try:
    __version__ = version("specialekatalog")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["Catalogue", "Settings", "load_knowledge", "__version__"]
