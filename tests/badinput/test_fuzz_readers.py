"""Fuzzing the readers: ``brainfuse.load`` on mutated bytes of small valid files.

Whatever the bytes, ``load`` returns an :class:`Image` with finite samples or raises
:class:`InputError`; nothing else (no other exception, no RuntimeWarning, no hang).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brainfuse.errors import InputError
from brainfuse.io import Image, load

from .files import _grey, _raster, _volume, dicom_bytes, nifti_bytes, npy_bytes

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _seed(kind: str) -> bytes:
    if kind == "png":
        return _raster(_grey(1, (12, 10)), "PNG")
    if kind == "tiff":
        return _raster(_grey(1, (12, 10)).astype(np.uint16) * 200, "TIFF")
    if kind == "npy":
        return npy_bytes(_grey(1, (12, 10)).astype(np.float32))
    if kind == "dicom":
        return dicom_bytes()
    if kind == "nii":
        return nifti_bytes(_volume(1, (6, 5, 4)))
    return nifti_bytes(_volume(1, (6, 5, 4)), gz=True)


SUFFIX = {"png": ".png", "tiff": ".tif", "npy": ".npy", "dicom": ".dcm", "nii": ".nii"}
SUFFIX["nii.gz"] = ".nii.gz"
SEEDS = {kind: _seed(kind) for kind in SUFFIX}

#: Where in the file a mutation lands: mostly in the header, where the meaning is.
position = st.one_of(st.integers(0, 400), st.integers(0, 1 << 20))
mutation = st.one_of(
    st.tuples(st.just("flip"), position, st.integers(1, 255)),
    st.tuples(st.just("truncate"), position, st.just(0)),
    st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=24)),
    st.tuples(st.just("set"), position, st.sampled_from([b"\xff\xff\xff\x7f", b"\0\0\0\0"])),
)


def mutate(data: bytes, steps) -> bytes:
    out = bytearray(data)
    for op, pos, arg in steps:
        i = pos % (len(out) + 1)
        if op == "flip" and i < len(out):
            out[i] ^= arg
        elif op == "truncate":
            del out[i:]
        elif op == "insert":
            out[i:i] = arg
        elif op == "set":
            out[i : i + len(arg)] = arg
    return bytes(out)


def check_load(path: Path) -> None:
    try:
        img = load(path, max_pixels=1 << 16)
    except InputError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        return
    assert isinstance(img, Image)
    assert img.array.ndim in (2, 3) and img.array.size > 0
    assert np.isfinite(img.array).all()


KINDS = list(SUFFIX)


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=4))
def test_load_mutated_bytes(kind, steps, tmp_path):
    path = tmp_path / f"fuzz{SUFFIX[kind]}"
    path.write_bytes(mutate(SEEDS[kind], steps))
    check_load(path)


@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=3))
def test_load_gzipped_nifti_with_mutated_header(steps, tmp_path):
    """The NIfTI inside the gzip mutated, then compressed again (a valid stream)."""
    raw = gzip.decompress(SEEDS["nii.gz"])
    head = mutate(raw[:352], steps)[:352]
    path = tmp_path / "fuzz.nii.gz"
    path.write_bytes(gzip.compress(head + raw[352:], mtime=0))
    check_load(path)


def test_negative_dimension_header_is_refused(tmp_path):
    """A header with dim[1] = -4 on a file nibabel memory-maps (16x18x14 float32)."""
    raw = bytearray(nifti_bytes(_volume(1, (16, 18, 14))))
    raw[42:44] = np.array([-4], dtype="<i2").tobytes()  # dim[1]
    path = tmp_path / "neg.nii"
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError):
        load(path)
