"""Reading and writing 2D images, NIfTI volumes and DICOM series; the :class:`Image` container."""

from .dicom import read_dicom_file, read_dicom_series
from .image import Image, Modality, guess_modality, to_fusion_scale
from .readers import DEFAULT_MAX_PIXELS, SUPPORTED_INPUTS, load, max_pixels_default, sniff_format
from .writers import check_output_suffix, save, to_uint8

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "SUPPORTED_INPUTS",
    "Image",
    "Modality",
    "check_output_suffix",
    "guess_modality",
    "load",
    "max_pixels_default",
    "read_dicom_file",
    "read_dicom_series",
    "save",
    "sniff_format",
    "to_fusion_scale",
    "to_uint8",
]
