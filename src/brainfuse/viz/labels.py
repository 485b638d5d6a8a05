"""Segmentation label overlays: a brain-tumour label map in colour over its anatomy.

For checking a segmentation on the image it was made from, and a prediction against a
reference (truth) segmentation:

- :func:`overlay_labels`: one slice, the anatomy windowed to grey and the labels blended over
  it in a fixed colour table with opacity α (alpha blending, Porter & Duff 1984), or drawn as
  outlines only (the label boundaries of scikit-image's ``find_boundaries``);
- :func:`label_rgba`: the label layer alone, transparent where there is no label (what the
  web viewer stacks over the anatomy, with the opacity set in the browser);
- :func:`labels_figure`: axial, coronal and sagittal slices through the tumour's centre (or
  given slices) of a volume, the prediction and, when given, the truth beside it and as
  outlines over the prediction's fill, with a legend and the regions' volumes and Dice;
- :func:`load_label_volumes`: the anatomy and label volumes, checked (3D, one grid, known
  codes) and cut into slices by :mod:`brainfuse.io.slicing`, the project's one way of cutting
  a slice (neurological convention: the patient's left on the left).

**Labels.** The default table :data:`BRATS` is the BraTS convention (Menze et al. 2015, IEEE
TMI 34:1993; Bakas et al. 2017, Sci. Data 4:170117): 1 necrotic and non-enhancing tumour core,
2 peritumoral edema, 4 enhancing tumour; the scored regions (:data:`BRATS_REGIONS`) are whole
tumour WT = {1, 2, 4}, tumour core TC = {1, 4} and ET = {4}. A label map holding any other
code (BraTS 2023's 3 included: relabel it 4) is refused, naming the codes found.

**Colours.** The table takes three colours of Okabe and Ito's colour-universal-design palette
(Okabe & Ito 2008, "Color Universal Design"), chosen to stay apart for the common colour-vision
deficiencies while keeping the conventional look of BraTS figures (edema green, core red,
enhancing tumour yellow): core vermillion ``#D55E00``, edema bluish green ``#009E73``,
enhancing tumour yellow ``#F0E442``. The tests check that the three stay distinguishable
(CIEDE2000 ≥ 20) under the simulated protanopia, deuteranopia and tritanopia of Machado et al.
2009, which the red/green/yellow of the usual BraTS figures do not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..io import Image, load
from ..io.slicing import PLANES, Canonical, canonical
from .inputs import ImageLike, file_inputs
from .overlay import OVERLAY_REFERENCE, grey_window
from .render import FOREGROUND, figure_doc, finish, new_figure, output_path, show_image
from .views import bind_view, param, register_view
from .volume import _label_edges

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BRATS",
    "BRATS_REGIONS",
    "LabelClass",
    "LabelPlane",
    "LabelVolumes",
    "check_label_codes",
    "label_rgba",
    "labels_figure",
    "load_label_volumes",
    "overlay_labels",
]

Paths = Iterable[str | os.PathLike[str] | None]


@dataclass(frozen=True)
class LabelClass:
    """One code of a label map and how it is shown.

    Parameters
    ----------
    code : int
        The value in the label file (1..255; 0 is the background).
    abbr : str
        The short name (``"NCR/NET"``).
    name : str
        The full name.
    colour : tuple of 3 ints
        RGB on 0..255.
    """

    code: int
    abbr: str
    name: str
    colour: tuple[int, int, int]

    @property
    def hex(self) -> str:
        """The colour as ``#rrggbb``."""
        return "#{:02x}{:02x}{:02x}".format(*self.colour)


#: The BraTS label codes (Menze et al. 2015) in Okabe and Ito's colour-blind-safe colours.
BRATS: tuple[LabelClass, ...] = (
    LabelClass(1, "NCR/NET", "necrotic and non-enhancing tumour core", (213, 94, 0)),
    LabelClass(2, "ED", "peritumoral edema", (0, 158, 115)),
    LabelClass(4, "ET", "enhancing tumour", (240, 228, 66)),
)
#: The regions the BraTS evaluation scores, and the codes each unites.
BRATS_REGIONS: dict[str, tuple[int, ...]] = {"WT": (1, 2, 4), "TC": (1, 4), "ET": (4,)}

#: What a colour table may be given as: label classes, or ``{code: (r, g, b)}``.
Colours = Sequence[LabelClass] | Mapping[int, tuple[int, int, int]]

LABELS_REFERENCE = (
    "Menze et al. 2015, IEEE TMI 34:1993 (BraTS labels); Okabe & Ito 2008 (colours); "
    + OVERLAY_REFERENCE
)


def _table(colours: Colours) -> tuple[LabelClass, ...]:
    """``colours`` as label classes, checked (codes 1..255, unique, colours on 0..255)."""
    if isinstance(colours, Mapping):
        items = tuple(
            LabelClass(int(c), str(c), f"label {c}", tuple(rgb))  # type: ignore[arg-type]
            for c, rgb in colours.items()
        )
    else:
        items = tuple(colours)
    codes = [c.code for c in items]
    if not items or len(set(codes)) != len(codes) or not all(0 < c < 256 for c in codes):
        raise InputError("colours", f"expected distinct label codes in 1..255, got {codes}")
    for c in items:
        if len(c.colour) != 3 or not all(0 <= v <= 255 for v in c.colour):
            raise InputError("colours", f"colour of label {c.code} is not RGB on 0..255")
    return items


def check_label_codes(
    labels: np.ndarray, source: str | os.PathLike[str] | None = None, colours: Colours = BRATS
) -> np.ndarray:
    """``labels`` as ``uint8`` codes, after checking it holds only 0 and the table's codes.

    Parameters
    ----------
    labels : numpy.ndarray
        A label map (any shape, integer or float values).
    source : str or path, optional
        The file it came from, named in the message.
    colours : sequence of LabelClass or mapping of int to RGB, optional
        The colour table; its codes are the allowed ones (default :data:`BRATS`).

    Returns
    -------
    numpy.ndarray
        ``uint8`` codes.

    Raises
    ------
    InputError
        NaN or infinite values, fractions (a label map resampled with interpolation), or codes
        outside the table, listing the first few found.

    Examples
    --------
    >>> check_label_codes(np.array([0.0, 1, 2, 4])).tolist()
    [0, 1, 2, 4]
    >>> check_label_codes(np.array([0, 3, 7]), "seg.nii.gz")
    Traceback (most recent call last):
    ...
    brainfuse.errors.InputError: seg.nii.gz: label map holds codes other than 0, 1, 2, 4: 3, 7
    """
    table = _table(colours)
    values = np.asarray(labels)
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise InputError(source, "label map contains NaN or infinite values")
        if not np.array_equal(values, np.rint(values)):
            raise InputError(
                source,
                "label map holds fractional values (resampled with interpolation? "
                "use nearest neighbour)",
            )
    allowed = [0, *sorted(c.code for c in table)]
    found = np.unique(values).tolist()
    bad = [v for v in found if v not in allowed]
    if bad:
        shown = ", ".join(f"{v:g}" for v in bad[:6]) + (", ..." if len(bad) > 6 else "")
        valid = ", ".join(map(str, allowed))
        raise InputError(source, f"label map holds codes other than {valid}: {shown}")
    return values.astype(np.uint8)


def label_rgba(
    labels_slice: np.ndarray, *, colours: Colours = BRATS, outline: bool = False
) -> np.ndarray:
    """The label layer: each code in its colour, opaque, transparent where there is no label.

    Parameters
    ----------
    labels_slice : numpy.ndarray
        A 2D label map (codes 0 and those of ``colours``).
    colours : sequence of LabelClass or mapping of int to RGB, optional
        The colour table (default :data:`BRATS`).
    outline : bool, optional
        Colour only the boundary pixels of each label (``skimage.segmentation.
        find_boundaries``, mode ``"inner"``: the labelled pixels next to another code, so every
        outline pixel keeps its own label's colour).

    Returns
    -------
    numpy.ndarray
        ``uint8`` ``(H, W, 4)``: RGB and alpha 255 on the coloured pixels, 0 elsewhere.

    Examples
    --------
    >>> lab = np.zeros((5, 5), np.uint8); lab[1:4, 1:4] = 2
    >>> label_rgba(lab)[2, 2].tolist(), label_rgba(lab, outline=True)[2, 2].tolist()
    ([0, 158, 115, 255], [0, 0, 0, 0])
    """
    from skimage.segmentation import find_boundaries

    table = _table(colours)
    codes = check_label_codes(labels_slice, colours=table)
    if codes.ndim != 2:
        raise InputError(None, f"expected a 2D label slice, got shape {codes.shape}")
    lut = np.zeros((256, 4), np.uint8)
    for c in table:
        lut[c.code] = (*c.colour, 255)
    out = lut[codes]
    if outline:
        out[~find_boundaries(codes, mode="inner")] = 0
    return out


def overlay_labels(
    anatomy_slice: np.ndarray,
    labels_slice: np.ndarray,
    *,
    alpha: float = 0.4,
    colours: Colours = BRATS,
    outline: bool = False,
    window: tuple[float, float] | None = None,
) -> np.ndarray:
    """A label slice in colour over its anatomy slice in grey.

    ``out = (1 − α·m)·g + α·m·c``, rounded to 8 bits, where ``g`` is the anatomy windowed to
    grey (:func:`~brainfuse.viz.overlay.grey_window`), ``c`` the label's colour in the table
    and ``m`` 1 on labelled pixels (on their boundaries only when ``outline``), 0 elsewhere:
    unlabelled pixels keep their grey exactly. Outlines are drawn opaque (α = 1): they leave
    the anatomy inside a region uncovered, so they need no transparency to be read.

    Parameters
    ----------
    anatomy_slice : numpy.ndarray
        A 2D grey image (any unit).
    labels_slice : numpy.ndarray
        The label codes on the same pixels.
    alpha : float, optional
        Opacity of the filled labels, in [0, 1].
    colours : sequence of LabelClass or mapping of int to RGB, optional
        The colour table (default :data:`BRATS`).
    outline : bool, optional
        Draw only the labels' boundaries (see :func:`label_rgba`).
    window : tuple of 2 floats, optional
        The anatomy's grey window (default: the slice's minimum and maximum).

    Returns
    -------
    numpy.ndarray
        ``uint8`` RGB ``(H, W, 3)``.

    Raises
    ------
    InputError
        Slices of different shapes, α outside [0, 1], or codes outside the table.

    References
    ----------
    T. Porter and T. Duff, "Compositing digital images", SIGGRAPH 1984.

    Examples
    --------
    >>> anat = np.full((4, 4), 100.0); anat[0, 0] = 0; anat[3, 3] = 200
    >>> lab = np.zeros((4, 4), np.uint8); lab[1, 1] = 4
    >>> rgb = overlay_labels(anat, lab, alpha=0.5)
    >>> rgb[0, 1].tolist(), rgb[1, 1].tolist()  # grey 127.5 -> 128; (127.5 + 240) / 2 ...
    ([128, 128, 128], [184, 178, 97])
    """
    alpha = bind_view("labels", alpha=alpha)["alpha"]
    anat = np.asarray(anatomy_slice, dtype=np.float64)
    if anat.ndim != 2:
        raise InputError(None, f"expected a 2D anatomy slice, got shape {anat.shape}")
    if np.shape(labels_slice) != anat.shape:
        raise InputError(
            None, f"label slice shape {np.shape(labels_slice)} differs from the anatomy's "
            f"{anat.shape}"
        )  # fmt: skip
    layer = label_rgba(labels_slice, colours=colours, outline=outline)
    grey = grey_window(anat, *(window or (None, None))).astype(np.float64)[..., None]
    weight = (1.0 if outline else alpha) * (layer[..., 3:] / 255.0)
    out = (1.0 - weight) * grey + weight * layer[..., :3]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------- volumes


@dataclass(frozen=True)
class LabelPlane:
    """One plane cut through the anatomy and its label maps, oriented for display.

    Attributes
    ----------
    plane : str
        ``"axial"``, ``"coronal"`` or ``"sagittal"``.
    index : int
        The slice across the plane, in RAS+ voxel order (:func:`brainfuse.io.slicing.canonical`).
    caption : str
        E.g. ``"axial z = 12 mm"``.
    anatomy : numpy.ndarray
        The anatomy slice (its own unit).
    labels : numpy.ndarray
        ``uint8`` codes of the prediction.
    truth : numpy.ndarray or None
        ``uint8`` codes of the truth.
    extent : tuple of 4 floats
        ``(0, width, 0, height)`` in mm, for drawing with the physical aspect.
    """

    plane: str
    index: int
    caption: str
    anatomy: np.ndarray
    labels: np.ndarray
    truth: np.ndarray | None
    extent: tuple[float, float, float, float]


@dataclass(frozen=True)
class LabelVolumes:
    """An anatomy volume and its label volumes on its grid, in RAS+ voxel order.

    Made by :func:`load_label_volumes`.

    Attributes
    ----------
    anatomy : Canonical
        The anatomy (its own unit).
    labels : numpy.ndarray
        ``uint8`` codes of the prediction, same order and shape.
    truth : numpy.ndarray or None
        ``uint8`` codes of the truth.
    names : tuple of str
        Names of anatomy, labels and truth (files, or what they are).
    window : tuple of 2 floats
        The anatomy's grey window: the 0.5th and 99.5th percentiles of its non-zero voxels
        (robust to a few bright voxels, as radiology viewers window).
    colours : tuple of LabelClass
        The colour table the codes were checked against.
    """

    anatomy: Canonical
    labels: np.ndarray
    truth: np.ndarray | None
    names: tuple[str, str, str]
    window: tuple[float, float]
    colours: tuple[LabelClass, ...] = BRATS

    @property
    def voxel_ml(self) -> float:
        """The volume of one voxel in millilitres."""
        return float(np.prod(self.anatomy.spacing)) / 1000.0

    def centre(self) -> tuple[int, int, int]:
        """The tumour's centre: the centre of mass of the prediction's labelled voxels (of the
        truth's when the prediction is empty; the volume's centre when both are), rounded.

        Returns
        -------
        tuple of 3 ints
            RAS+ voxel indices.
        """
        from scipy import ndimage

        for codes in (self.labels, self.truth):
            if codes is not None and codes.any():
                com = ndimage.center_of_mass(codes > 0)
                return tuple(int(np.rint(v)) for v in com)  # type: ignore[return-value]
        return tuple(n // 2 for n in self.labels.shape)  # type: ignore[return-value]

    def planes(self, indices: Mapping[str, int] | None = None) -> list[LabelPlane]:
        """The axial, coronal and sagittal slices through :meth:`centre`, or ``indices``.

        Parameters
        ----------
        indices : mapping of str to int, optional
            Slice index per plane (RAS+ voxel order) replacing the centre's; negative counts
            from the end.

        Returns
        -------
        list of LabelPlane
            Axial, coronal, sagittal.

        Raises
        ------
        InputError
            An unknown plane or an index outside the volume.
        """
        chosen = dict(zip(("sagittal", "coronal", "axial"), self.centre(), strict=True))
        for plane, index in (indices or {}).items():
            if plane not in PLANES:
                raise InputError("indices", f"unknown plane '{plane}'; valid: {', '.join(PLANES)}")
            n = self.labels.shape[PLANES[plane]]
            if not -n <= int(index) < n:
                raise InputError("indices", f"{plane} slice {index} is outside 0..{n - 1}")
            chosen[plane] = int(index) % n
        out = []
        for plane, axis_name in (("axial", "z"), ("coronal", "y"), ("sagittal", "x")):
            index = chosen[plane]
            ijk = [0, 0, 0]
            ijk[PLANES[plane]] = index
            mm = self.anatomy.world(ijk)[PLANES[plane]]
            anat, extent = self.anatomy.view(plane, index)
            out.append(
                LabelPlane(
                    plane,
                    index,
                    f"{plane} {axis_name} = {mm:.0f} mm",
                    anat,
                    self._cut(self.labels, plane, index),
                    None if self.truth is None else self._cut(self.truth, plane, index),
                    extent,
                )
            )
        return out

    def _cut(self, codes: np.ndarray, plane: str, index: int) -> np.ndarray:
        view = Canonical(codes, self.anatomy.affine, self.anatomy.spacing).view(plane, index)[0]
        return view.astype(np.uint8)

    def region_ml(self, which: str = "labels") -> dict[str, float]:
        """The volume (ml) of each BraTS region (:data:`BRATS_REGIONS`) of a label map.

        Parameters
        ----------
        which : {'labels', 'truth'}
            The prediction or the truth.

        Returns
        -------
        dict of str to float
            ``{"WT": ..., "TC": ..., "ET": ...}``.
        """
        codes = self.labels if which == "labels" else self.truth
        if codes is None:
            return {}
        return {r: float(np.isin(codes, c).sum()) * self.voxel_ml for r, c in BRATS_REGIONS.items()}

    def dice(self) -> dict[str, float]:
        """Dice overlap 2|P ∩ T| / (|P| + |T|) of each BraTS region, prediction against truth.

        A region absent from both scores 1 (the BraTS convention). The full evaluation (HD95,
        sensitivity ...) is ``brainfuse segmentation score``.

        Returns
        -------
        dict of str to float
            Empty without a truth.
        """
        if self.truth is None:
            return {}
        out = {}
        for region, codes in BRATS_REGIONS.items():
            p, t = np.isin(self.labels, codes), np.isin(self.truth, codes)
            total = int(p.sum()) + int(t.sum())
            out[region] = 1.0 if total == 0 else 2.0 * int((p & t).sum()) / total
        return out


def _name(given: Any, image: Image, default: str) -> str:
    if isinstance(given, (str, os.PathLike)):
        return os.fspath(given)
    return image.source or default


def _volume(given: Any, what: str, max_pixels: int | None) -> tuple[Image, str]:
    image = load(given, max_pixels=max_pixels)
    name = _name(given, image, what)
    if not image.is_volume:
        raise InputError(
            name, f"is a 2D image (shape {image.shape}); a label overlay takes 3D volumes"
        )
    return image, name


def _affine(image: Image) -> np.ndarray:
    return np.eye(4) if image.affine is None else np.asarray(image.affine, np.float64)


def load_label_volumes(
    anatomy: ImageLike,
    labels: ImageLike,
    truth: ImageLike | None = None,
    *,
    colours: Colours = BRATS,
    max_pixels: int | None = None,
) -> LabelVolumes:
    """Read an anatomy volume and its label volumes, check them and turn them to RAS+ order.

    Parameters
    ----------
    anatomy : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The anatomical volume (T1, T1c, T2, FLAIR ...).
    labels : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The label map (a prediction) on the anatomy's grid.
    truth : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image, optional
        A reference label map on the same grid.
    colours : sequence of LabelClass or mapping of int to RGB, optional
        The colour table whose codes the label maps may hold (default :data:`BRATS`).
    max_pixels : int, optional
        Refuse files with more voxels than this.

    Returns
    -------
    LabelVolumes

    Raises
    ------
    InputError
        Naming the file: unreadable, 2D, a label map off the anatomy's grid (shape, or affine
        beyond 0.001 mm), or holding codes outside the table.

    Examples
    --------
    >>> anat = np.zeros((6, 7, 8), np.float32); anat[1:5, 1:6, 1:7] = 100
    >>> lab = np.zeros((6, 7, 8), np.uint8); lab[2:4, 2:4, 3:5] = 2
    >>> vols = load_label_volumes(anat, lab)
    >>> vols.centre(), [p.caption for p in vols.planes()]
    ((2, 2, 4), ['axial z = 4 mm', 'coronal y = 2 mm', 'sagittal x = 2 mm'])
    """
    table = _table(colours)
    anat_img, anat_name = _volume(anatomy, "anatomy", max_pixels)
    ref = (anat_img.shape, _affine(anat_img))
    maps: list[np.ndarray | None] = []
    names = [anat_name]
    for given, what in ((labels, "labels"), (truth, "truth")):
        if given is None:
            maps.append(None)
            names.append("")
            continue
        image, name = _volume(given, what, max_pixels)
        if image.shape != ref[0]:
            raise InputError(
                name, f"grid {image.shape} differs from the anatomy's {ref[0]} "
                f"({os.path.basename(anat_name)}); resample it onto the anatomy (nearest "
                "neighbour)"
            )  # fmt: skip
        if not np.allclose(_affine(image), ref[1], atol=1e-3):
            raise InputError(
                name, f"header (affine) differs from the anatomy's ({os.path.basename(anat_name)})"
                ": not on its grid; resample it onto the anatomy (nearest neighbour)"
            )  # fmt: skip
        codes = check_label_codes(image.array, name, table)
        maps.append(canonical(codes.astype(np.float32), ref[1]).array.astype(np.uint8))
        names.append(name)
    anat = canonical(anat_img.array, ref[1])
    if not np.isfinite(anat.array).all():
        raise InputError(anat_name, "contains NaN or infinite values")
    inside = anat.array[anat.array != 0]
    sample = inside if inside.size else anat.array.ravel()
    lo, hi = (float(v) for v in np.percentile(sample, (0.5, 99.5)))
    if hi <= lo:
        lo, hi = float(anat.array.min()), float(anat.array.max())
    return LabelVolumes(anat, maps[0], maps[1], tuple(names), (lo, hi), table)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- figure


def _short(name: str) -> str:
    return os.path.basename(name) if name else name


@register_view(
    "labels",
    family="overlay",
    summary="a segmentation (BraTS labels) over its anatomy in three planes through the tumour, "
    "beside the truth",
    params={
        "alpha": param("opacity of the filled labels", minimum=0, maximum=1),
        "outline": "draw the prediction's label boundaries only",
    },
    reference=LABELS_REFERENCE,
    dims=(3,),
    capabilities=("overlay",),
)
@figure_doc
def labels_figure(
    anatomy: ImageLike,
    labels: ImageLike,
    truth: ImageLike | None = None,
    *,
    alpha: float = 0.4,
    outline: bool = False,
    indices: Mapping[str, int] | None = None,
    colours: Colours = BRATS,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """Axial, coronal and sagittal slices through the tumour, with the labels over the anatomy.

    One row per plane, through the centre of mass of the predicted tumour (or ``indices``).
    Columns: the anatomy alone; the prediction over it; with a truth, the truth over it and the
    prediction's fill with the truth's outlines on top (where they disagree, a fill shows
    without its outline or an outline without its fill). A legend names each code's colour;
    the caption gives the volume (ml) of WT, TC and ET, and with a truth the Dice of each.
    Every panel has the same grey window (:attr:`LabelVolumes.window`) and the physical aspect,
    the patient's left on the left.

    Parameters
    ----------
    anatomy : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The anatomical volume.
    labels : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The label map (a prediction) on the anatomy's grid.
    truth : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image, optional
        A reference label map on the same grid.
    alpha : float, optional
        Opacity of the filled labels, in [0, 1].
    outline : bool, optional
        Draw the prediction (and the truth column) as outlines instead of fills.
    indices : mapping of str to int, optional
        Slice per plane (``{"axial": 80}``), in RAS+ voxel order, instead of the tumour's centre.
    colours : sequence of LabelClass or mapping of int to RGB, optional
        The colour table (default :data:`BRATS`).
    max_pixels : int, optional
        Refuse files with more voxels than this.
    {figure_output}

    Examples
    --------
    >>> anat = np.zeros((12, 14, 10), np.float32); anat[1:11, 1:13, 1:9] = 100
    >>> lab = np.zeros(anat.shape, np.uint8); lab[4:8, 5:9, 3:7] = 2; lab[5:7, 6:8, 4:6] = 4
    >>> fig = labels_figure(anat, lab, lab)
    >>> len(fig.axes), fig.axes[3].get_title()  # 3 planes x 4 columns
    (12, 'prediction fill, truth outline')
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    inputs = file_inputs(anatomy, labels, truth, inputs=inputs)
    out = output_path(output_file, inputs)
    opts = bind_view("labels", alpha=alpha, outline=outline)
    alpha, outline = opts["alpha"], opts["outline"]
    vols = load_label_volumes(anatomy, labels, truth, colours=colours, max_pixels=max_pixels)
    table = vols.colours
    planes = vols.planes(indices)
    has_truth = vols.truth is not None
    shape_name = "outline" if outline else "fill"
    columns = [("anatomy", _short(vols.names[0])), ("prediction", _short(vols.names[1]))]
    if has_truth:
        columns += [("truth", _short(vols.names[2])), ("prediction fill, truth outline", "")]

    def panels(p: LabelPlane) -> list[np.ndarray]:
        grey = overlay_labels(p.anatomy, np.zeros_like(p.labels), window=vols.window)
        shown = [grey, _over(p.anatomy, p.labels, alpha, table, outline, vols.window)]
        if p.truth is not None:
            shown.append(_over(p.anatomy, p.truth, alpha, table, outline, vols.window))
            fill = _over(p.anatomy, p.labels, alpha, table, False, vols.window)
            ring = label_rgba(p.truth, colours=table, outline=True)
            shown.append(np.where(ring[..., 3:] > 0, ring[..., :3], fill))
        return shown

    cell, title, legend = 2.6, 0.42, 0.75
    # each row as tall as its plane's slice at the cell's width (physical aspect)
    rows = [min(cell, cell * p.extent[3] / p.extent[1]) for p in planes]
    width, height = cell * len(columns), sum(rows) + len(planes) * title + legend
    fig = new_figure(width, height)
    top = height
    for p, row in zip(planes, rows, strict=True):
        top -= title + row
        for c, image in enumerate(panels(p)):
            ax = fig.add_axes((c * cell / width, top / height, cell / width, row / height))
            show_image(ax, image, extent=p.extent)
            kind, name = columns[c]
            head = f"{kind}: {p.caption}" if c == 0 else kind
            ax.set_title(head + (f"\n{name}" if name else ""), color=FOREGROUND, fontsize=7)
            _label_edges(ax, p.plane)
    handles: list[Any] = [
        Patch(facecolor=np.array(t.colour) / 255, label=f"{t.code} {t.abbr}: {t.name}")
        for t in table
    ]
    if has_truth:
        handles.append(Line2D([], [], color="white", label="truth: outline (last column)"))
    fig.legend(
        handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.32 / height),
        ncol=min(len(handles), 2 if width < 8 else 4), fontsize=7, frameon=False,
        labelcolor=FOREGROUND,
    )  # fmt: skip
    fig.text(0.5, 0.06 / height, _caption(vols, alpha, shape_name), color=FOREGROUND,
             fontsize=7, ha="center", va="bottom")  # fmt: skip
    return finish(fig, out, inputs)


def _over(
    anat: np.ndarray,
    codes: np.ndarray,
    alpha: float,
    table: tuple[LabelClass, ...],
    outline: bool,
    window: tuple[float, float],
) -> np.ndarray:
    return overlay_labels(anat, codes, alpha=alpha, colours=table, outline=outline, window=window)


def _caption(vols: LabelVolumes, alpha: float, shape_name: str) -> str:
    """Volumes (ml) of the regions, Dice with a truth, and the display settings."""

    def ml(which: str) -> str:
        return ", ".join(f"{r} {v:.1f}" for r, v in vols.region_ml(which).items())

    text = f"prediction (ml): {ml('labels')}"
    if vols.truth is not None:
        dice = ", ".join(f"{r} {v:.3f}" for r, v in vols.dice().items())
        text += f"   truth (ml): {ml('truth')}   Dice: {dice}"
    return text + f"   ({shape_name}, α = {alpha:g})"
