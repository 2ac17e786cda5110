"""Turning a service into the zip Lambda runs: where its code is (``sources``, notebook ``cells``),
what it declares (``declarations``), its ``requirements`` and its stage ``settings``."""

from .package import Package, build_package, zip_files
from .settings import Secret

__all__ = ["Package", "Secret", "build_package", "zip_files"]
