"""Registration and resampling of images and volumes.

:func:`register` aligns a moving image to a fixed one (methods ``mi``, ``bggmm``, ``gmm-er``,
``ecc``) and returns it resampled with the :class:`Transform` (fixed to moving coordinates);
:func:`pad` and :func:`tre` measure how far an estimated transform is from the true one.
"""

from .api import REGISTRATION_METHODS, register
from .evaluate import PAD_FAILURE_PX, pad, tre, world_points
from .resample import apply_transform, resample
from .transform import Transform

__all__ = [
    "PAD_FAILURE_PX",
    "REGISTRATION_METHODS",
    "Transform",
    "apply_transform",
    "pad",
    "register",
    "resample",
    "tre",
    "world_points",
]
