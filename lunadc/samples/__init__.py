"""Synthetic but valid PDS4 bundles modelled on Chang'e-4, Chang'e-7, Luna-25, Luna-26 and
Tianwen-1, for tests, demos and benchmarks.

``generate_samples(out)`` writes whole bundles; ``iter_products`` / ``iter_product_labels``
build products in memory for benchmarks. ``MISSIONS`` maps each mission key to its home node.
"""

from lunadc.samples.generate import BundleInfo, SampleSet, generate_samples
from lunadc.samples.missions import MISSION_SPECS, MISSIONS
from lunadc.samples.product import DataFile, ProductFiles
from lunadc.samples.products import build_product, iter_product_labels, iter_products, write_product

__all__ = [
    "MISSIONS",
    "MISSION_SPECS",
    "BundleInfo",
    "DataFile",
    "ProductFiles",
    "SampleSet",
    "build_product",
    "generate_samples",
    "iter_product_labels",
    "iter_products",
    "write_product",
]
