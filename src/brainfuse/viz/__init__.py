"""Seeing the functional information: overlays, comparison panels and colour views.

- :mod:`.overlay` - functional-over-anatomical overlays (figures, and HTML with an α slider),
  checkerboards, difference maps;
- :mod:`.grid` - methods × pairs comparison grids with enlarged regions of interest;
- :mod:`.volume` - orthogonal slices and montages of volumes, with overlays;
- :mod:`.gradients` - FunFuseAn's gradient colour coding (Kumar et al. 2020) for any method;
- :mod:`.energy` - MdAFuse's energy-based colour enhancement (Wen et al. 2024) and time-point
  panels;
- :mod:`.labels` - segmentation label overlays (BraTS codes, colour-blind-safe colours),
  prediction beside truth;
- :mod:`.series` - a follow-up series of the built-in phantom (a growing tumour);
- :mod:`.views` - the registry of views (:data:`VIEWS`, :func:`get_view`, :func:`list_views`):
  each view's parameters with their bounds, its dimensions and capabilities;
- :mod:`.inputs` - what the views take as images.

**Arguments.** Every view takes its images first, positionally - the anatomical image first,
the functional image second - and its options as keywords. An image is a path, a NumPy array,
a nibabel image, a SimpleITK image or a :class:`brainfuse.io.Image`; arrays are taken as they
are (display values, normally 0..255), files are loaded and prepared as
:func:`brainfuse.pair.prepare_pair` prepares them (see :mod:`.inputs`).

**Figures.** Every ``*_figure`` function (and :func:`~brainfuse.viz.energy.timeline`) returns
a :class:`matplotlib.figure.Figure`, drawn with matplotlib's object API on the Agg canvas (no
pyplot state, nothing shown). Given ``output_file``, it also writes the figure there by
:func:`brainfuse.viz.render.save_figure`: an 8-bit RGB PNG at 100 DPI without metadata (equal
figures give identical bytes), written atomically (no partial file on error) and never over an
input (the images given as paths, and any file named in ``inputs``); a bad output path is
refused before any work. The array functions (:func:`overlay`, :func:`checkerboard`,
:func:`difference`, :func:`gradient_color`, :func:`energy_enhance`) return arrays;
:func:`overlay_html` always writes its HTML page. CLI: ``brainfuse viz``.

>>> import numpy as np
>>> from brainfuse import viz
>>> mri = np.tile(np.linspace(0, 255, 16, dtype=np.float32), (16, 1))
>>> pet = np.zeros((16, 16), np.float32); pet[4:8, 4:8] = 200
>>> fig = viz.overlay_figure(mri, pet, alpha=0.4)   # output_file="overlay.png" writes it
>>> type(fig).__name__, [v.name for v in viz.list_views("comparison")]
('Figure', ['checkerboard', 'difference', 'grid'])
"""

# ruff: noqa: E402
from .views import VIEWS, get_view, list_views

# Importing any module of this package runs this file first: register the views here, in the
# order of VIEW_MODULES, so every listing shows them in that order.
VIEWS.names()

from .energy import (
    energy_enhance,
    energy_reference,
    enhance,
    enhance_figure,
    local_energy,
    timeline,
    timeline_figure,
)
from .gradients import (
    Gradients,
    color_code,
    gradient_color,
    gradient_color_figure,
    gradient_path,
    gradients_figure,
    input_gradients,
)
from .grid import GridRow, auto_roi, grid_figure
from .labels import BRATS, labels_figure, overlay_labels
from .overlay import (
    checkerboard,
    checkerboard_figure,
    difference,
    difference_figure,
    overlay,
    overlay_figure,
    overlay_html,
)
from .series import phantom_series, write_phantom_series
from .volume import montage_figure, orthogonal_figure

__all__ = [
    "BRATS",
    "VIEWS",
    "Gradients",
    "GridRow",
    "auto_roi",
    "checkerboard",
    "checkerboard_figure",
    "color_code",
    "difference",
    "difference_figure",
    "energy_enhance",
    "energy_reference",
    "enhance",
    "enhance_figure",
    "get_view",
    "gradient_color",
    "gradient_color_figure",
    "gradient_path",
    "gradients_figure",
    "grid_figure",
    "input_gradients",
    "labels_figure",
    "list_views",
    "local_energy",
    "montage_figure",
    "orthogonal_figure",
    "overlay",
    "overlay_figure",
    "overlay_html",
    "overlay_labels",
    "phantom_series",
    "timeline",
    "timeline_figure",
    "write_phantom_series",
]
