"""Fusion methods: one registry, one signature (``fuse(a, b, method, **params)``)."""

from .api import fuse, fuse_arrays, fuse_pair
from .registry import FusionMethod, Parameter, get_method, list_methods, register

__all__ = [
    "FusionMethod",
    "Parameter",
    "fuse",
    "fuse_arrays",
    "fuse_pair",
    "get_method",
    "list_methods",
    "register",
]
