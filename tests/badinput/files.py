"""The battery's input files, built on demand in a fresh folder for every case.

Every name in :data:`BUILDERS` is a path relative to the case's working folder; a case lists
the names it uses and :func:`materialize` builds them (and what they depend on, such as the
target of a link). All content is deterministic: the same bytes on every run.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np
from PIL import Image as PILImage

#: A name longer than any file system allows for one path component (255 bytes).
LONG = "L" * 300
#: File names that are not valid UTF-8 (as the shell passes them: surrogate escapes).
NON_UTF8 = os.fsdecode(b"in/\xff\xfe-scan.png")
NON_UTF8_MISSING = os.fsdecode(b"in/\xe9t\xe9-missing.png")
NON_UTF8_OUT = os.fsdecode(b"out/r\xe9sultat.png")

H, W = 48, 52  # the 2D images: big enough for every metric window but VIF's 41 px
AFFINE = np.array([[2.0, 0, 0, -16], [0, 2, 0, -18], [0, 0, 2, -14], [0, 0, 0, 1]])


def _grey(seed: int, shape: tuple[int, int] = (H, W)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    wave = 128 + 80 * np.sin(xx / (4.0 + seed)) * np.cos(yy / (6.0 + seed))
    return np.clip(wave + rng.normal(0, 12, shape), 0, 255).astype(np.uint8)


def _colour(seed: int, shape: tuple[int, int] = (H, W)) -> np.ndarray:
    g = _grey(seed, shape).astype(np.float64)
    return np.stack([g, 255 - g, np.full(shape, 60.0)], axis=-1).astype(np.uint8)


def _raster(array: np.ndarray, fmt: str) -> bytes:
    buf = io.BytesIO()
    PILImage.fromarray(array).save(buf, format=fmt)
    return buf.getvalue()


def _volume(seed: int, shape=(16, 18, 14), scale: float = 100.0) -> np.ndarray:
    return (np.random.default_rng(seed).random(shape) * scale).astype(np.float32)


def nifti_bytes(data: np.ndarray, affine: np.ndarray = AFFINE, gz: bool = False) -> bytes:
    raw = nib.Nifti1Image(np.asarray(data, dtype=np.float32), affine).to_bytes()
    return gzip.compress(raw, mtime=0) if gz else raw


def npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def dicom_bytes(
    pixels: np.ndarray | None = None,
    *,
    position: float = 0.0,
    series: str = "1.2.826.0.1.3680043.8.498.1",
    instance: int = 1,
) -> bytes:
    """One MONOCHROME2 CT slice, 16-bit, with fixed UIDs (the same bytes on every run)."""
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    px = _grey(7, (12, 10)).astype(np.uint16) * 8 if pixels is None else pixels
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = pydicom.uid.CTImageStorage
    meta.MediaStorageSOPInstanceUID = f"{series}.{instance}"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("slice.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.SeriesInstanceUID = "CT", series
    ds.StudyInstanceUID = ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.2"
    ds.Rows, ds.Columns = px.shape
    ds.PixelSpacing = [0.8, 0.9]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [0.0, 0.0, position]
    ds.SliceThickness = 2.0
    ds.InstanceNumber = instance
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.RescaleSlope, ds.RescaleIntercept = 1.0, -1024.0
    ds.PixelData = px.astype(np.uint16).tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _mutate(data: bytes, at: float, span: int = 16) -> bytes:
    """``data`` with ``span`` bytes inverted from the fraction ``at`` of its length on."""
    i = int(len(data) * at)
    return data[:i] + bytes(x ^ 0xFF for x in data[i : i + span]) + data[i + span :]


def _write(data: bytes) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(data)

    return build


def _lazy(make: Callable[[], bytes]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(make())

    return build


def _png(array_fn: Callable[[], np.ndarray]) -> Callable[[Path], None]:
    return _lazy(lambda: _raster(array_fn(), "PNG"))


def _folder(entries: dict[str, Callable[[Path], None]]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for rel, fn in entries.items():
            target = path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fn(target)

    return build


def _symlink(target: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.symlink_to(target)

    return build


def _hardlink(target: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        os.link(path.parent / target, path)

    return build


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _mkdir(path: Path) -> None:
    path.mkdir()


_SPLIT_HEAD = "pairset,file,case,slice,split\n"


def _pairs_folder(
    a: Callable[[Path], None], b: Callable[[Path], None], layout: str = "MRI,CT"
) -> Callable[[Path], None]:
    left, right = layout.split(",")
    return _folder({f"{left}/1.png": a, f"{right}/1.png": b})


def _train_folder(split_csv: bytes) -> Callable[[Path], None]:
    pngs = {
        "CT-MRI/MRI/1.png": _png(lambda: _grey(1)),
        "CT-MRI/CT/1.png": _png(lambda: _grey(2)),
        "CT-MRI/MRI/2.png": _png(lambda: _grey(3)),
        "CT-MRI/CT/2.png": _png(lambda: _grey(4)),
    }
    return _folder({**pngs, "split.csv": _write(split_csv)})


def _mri_png() -> bytes:
    return _raster(_grey(1), "PNG")


def _four_d() -> bytes:
    return nifti_bytes(_volume(9, (8, 9, 7, 3)))


def _with_nan(gz: bool, value: float) -> bytes:
    v = _volume(3)
    v[2, 3, 4] = value
    return nifti_bytes(v, gz=gz)


def _npy_with(value: float) -> bytes:
    a = _grey(1).astype(np.float32)
    a[5, 5] = value
    return npy_bytes(a)


def _bad_nifti_header() -> bytes:
    raw = bytearray(nifti_bytes(_volume(3)))
    raw[40:56] = (np.array([3, -4, 18, 14, 1, 1, 1, 1], dtype="<i2")).tobytes()  # dim[1] < 0
    return bytes(raw)


def _png_bomb() -> bytes:
    """A PNG whose header claims 100000 x 100000 pixels (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def _nifti_huge_header() -> bytes:
    """A small NIfTI file whose header claims 2000 x 2000 x 2000 voxels."""
    raw = bytearray(nifti_bytes(_volume(3, (2, 2, 2))))
    raw[40:48] = np.array([3, 2000, 2000, 2000], dtype="<i2").tobytes()
    return bytes(raw)


def _sform_only(srows) -> bytes:
    """A 16x18x14 NIfTI whose only geometry is an sform with these rows (qform code 0)."""
    raw = bytearray(nifti_bytes(_volume(2)))
    raw[252:256] = np.array([0, 1], dtype="<i2").tobytes()  # qform_code 0, sform_code 1
    raw[280:328] = np.asarray(srows, dtype="<f4").tobytes()  # srow_x, srow_y, srow_z
    return bytes(raw)


def _nifti_dim0() -> bytes:
    """A NIfTI header with dim[1] = 0: a volume of no voxel."""
    raw = bytearray(nifti_bytes(_volume(3, (4, 4, 4))))
    raw[40:48] = np.array([3, 0, 4, 4], dtype="<i2").tobytes()
    return bytes(raw)


def _float_tiff_nan() -> bytes:
    a = _grey(1).astype(np.float32)
    a[3, 3] = np.nan
    buf = io.BytesIO()
    PILImage.fromarray(a, mode="F").save(buf, format="TIFF")
    return buf.getvalue()


def _dicom_no_pixels() -> bytes:
    raw = dicom_bytes()
    return raw[: len(raw) - 200]


#: name -> builder(path). Dependencies (a link's target) are listed in :data:`NEEDS`.
BUILDERS: dict[str, Callable[[Path], None]] = {
    # valid sources
    "in/mri.png": _png(lambda: _grey(1)),
    "in/ct.png": _png(lambda: _grey(2)),
    "in/pet.png": _png(lambda: _colour(3)),
    "in/fused.png": _png(lambda: _grey(5)),
    "in/small.png": _png(lambda: _grey(6, (40, 40))),
    "in/one_f.png": _png(lambda: np.array([[200]], np.uint8)),
    "in/one_a.png": _png(lambda: np.array([[7]], np.uint8)),
    "in/one_b.png": _png(lambda: np.array([[90]], np.uint8)),
    "in/mri.jpg": _lazy(lambda: _raster(_grey(1), "JPEG")),
    "in/mri.tif": _lazy(lambda: _raster(_grey(1), "TIFF")),
    "in/mri.gif": _lazy(lambda: _raster(_grey(1), "GIF")),
    "in/mri.npy": _lazy(lambda: npy_bytes(_grey(1).astype(np.float32))),
    "in/ct.dcm": _lazy(lambda: dicom_bytes()),
    "in/t1.nii": _lazy(lambda: nifti_bytes(_volume(1))),
    "in/pet.nii.gz": _lazy(lambda: nifti_bytes(_volume(2), gz=True)),
    "in/shifted.nii": _lazy(lambda: nifti_bytes(_volume(2), AFFINE + _shift())),
    "in/vol_small.nii.gz": _lazy(lambda: nifti_bytes(_volume(4, (8, 9, 7)), gz=True)),
    # empty, folders, special files
    "in/empty.png": _write(b""),
    "in/empty.nii": _write(b""),
    "in/empty.npy": _write(b""),
    "in/folder.png": _mkdir,
    "in/emptydir": _mkdir,
    "in/regular": _write(b"a regular file, not a folder\n"),
    "in/fifo.png": _fifo,
    "in/link_mri.png": _symlink("mri.png"),
    "in/hard_mri.png": _hardlink("mri.png"),
    "in/loop_a.png": _symlink("loop_b.png"),
    "in/loop_b.png": _symlink("loop_a.png"),
    "in/dangling.png": _symlink("gone.png"),
    "in/dangling_out.png": _symlink("gone_out.png"),
    NON_UTF8: _png(lambda: _colour(3)),
    # corrupt and truncated content
    "in/trunc.png": _lazy(lambda: _mri_png()[:120]),
    "in/trunc.jpg": _lazy(lambda: _raster(_grey(1), "JPEG")[:300]),
    "in/trunc.tif": _lazy(lambda: _raster(_grey(1), "TIFF")[:200]),
    "in/trunc.gif": _lazy(lambda: _raster(_grey(1), "GIF")[:40]),
    "in/trunc.nii": _lazy(lambda: nifti_bytes(_volume(1))[:2000]),
    "in/trunc.nii.gz": _lazy(lambda: nifti_bytes(_volume(1), gz=True)[:900]),
    "in/trunc.dcm": _lazy(_dicom_no_pixels),
    "in/trunc.npy": _lazy(lambda: npy_bytes(_grey(1).astype(np.float32))[:300]),
    "in/header.nii": _lazy(_bad_nifti_header),
    "in/garbage.nii.gz": _write(b"\x1f\x8b\x08\x00" + b"\x00garbage" * 20),
    "in/html.png": _write(b"<!doctype html><html><body>not an image</body></html>\n"),
    "in/text.nii": _write(b"just some text\n" * 40),
    "in/mutated.png": _lazy(lambda: _mutate(_mri_png(), 0.5)),
    "in/mutated.nii.gz": _lazy(lambda: _mutate(nifti_bytes(_volume(1), gz=True), 0.4)),
    "in/object.npy": _lazy(lambda: npy_bytes(np.array([{"a": 1}], dtype=object))),
    "in/strings.npy": _lazy(lambda: npy_bytes(np.array([["a", "b"], ["c", "d"]]))),
    "in/zero-size.npy": _lazy(lambda: npy_bytes(np.zeros((0, 5), np.float32))),
    "in/dim0.nii": _lazy(_nifti_dim0),
    "in/5d.npy": _lazy(lambda: npy_bytes(np.zeros((2, 3, 4, 5, 6), np.float32))),
    "in/4d.nii": _lazy(_four_d),
    "in/bomb.png": _lazy(_png_bomb),
    "in/singular.nii": _lazy(lambda: _sform_only(np.zeros((3, 4)))),
    "in/nan-affine.nii": _lazy(
        lambda: _sform_only([[2, 0, 0, np.nan], [0, 2, 0, 0], [0, 0, 2, 0]])
    ),
    "in/huge-header.nii": _lazy(_nifti_huge_header),
    "in/nan.tif": _lazy(_float_tiff_nan),
    "in/nan.nii": _lazy(lambda: _with_nan(False, np.nan)),
    "in/inf.nii.gz": _lazy(lambda: _with_nan(True, np.inf)),
    "in/nan.npy": _lazy(lambda: _npy_with(np.nan)),
    "in/inf.npy": _lazy(lambda: _npy_with(-np.inf)),
    # folders of files
    "tri": _folder(
        {
            "F/1.png": _png(lambda: _grey(5)),
            "A/1.png": _png(lambda: _grey(1)),
            "B/1.png": _png(lambda: _grey(2)),
        }
    ),
    "dicom_mixed": _folder(
        {
            "a.dcm": _lazy(lambda: dicom_bytes(position=0.0)),
            "b.dcm": _lazy(lambda: dicom_bytes(position=2.0, series="1.2.3.99", instance=2)),
        }
    ),
    "dicom_uneven": _folder(
        {
            "a.dcm": _lazy(lambda: dicom_bytes(position=0.0, instance=1)),
            "b.dcm": _lazy(lambda: dicom_bytes(position=2.0, instance=2)),
            "c.dcm": _lazy(lambda: dicom_bytes(position=7.0, instance=3)),
        }
    ),
    "td": _train_folder(
        (_SPLIT_HEAD + "CT-MRI,1.png,c1,1,train\nCT-MRI,2.png,c2,2,val\n").encode()
    ),
    "td_nosplit": _train_folder(b"pairset,file,case,slice,part\nCT-MRI,1.png,c1,1,train\n"),
    "td_latin1": _train_folder((_SPLIT_HEAD + "CT-MRI,1.png,c\xe9,1,train\n").encode("latin-1")),
    "bp": _pairs_folder(_png(lambda: _grey(1)), _png(lambda: _grey(2))),
    "bp_empty": _folder({"MRI/.keep": _write(b""), "CT/.keep": _write(b"")}),
    "bp_shapes": _pairs_folder(_png(lambda: _grey(1)), _png(lambda: _grey(6, (40, 40)))),
    "bp_nopartner": _folder({"MRI/1.png": _png(lambda: _grey(1)), "CT/.keep": _write(b"")}),
}

#: Names that need other names built first (a link's target, a hard link's source).
NEEDS: dict[str, tuple[str, ...]] = {
    "in/link_mri.png": ("in/mri.png",),
    "in/hard_mri.png": ("in/mri.png",),
}


def _shift() -> np.ndarray:
    s = np.zeros((4, 4))
    s[0, 3] = 40.0  # 40 mm to the right: same shape, another grid
    return s


def materialize(root: Path, names: tuple[str, ...] | list[str]) -> None:
    """Build ``names`` (and what they need) under ``root``; every name once."""
    done: set[str] = set()

    def build(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for dep in NEEDS.get(name, ()):
            build(dep)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        BUILDERS[name](path)

    for n in names:
        build(n)


def file_bytes(name: str, tmp: Path) -> bytes:
    """The bytes of one regular file of :data:`BUILDERS` (built in ``tmp``)."""
    materialize(tmp, [name])
    return (tmp / name).read_bytes()
