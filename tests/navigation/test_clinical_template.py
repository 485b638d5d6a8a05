"""The Clinical toolbox CT template (``../shared/data/volumes/clinical-ct``) as a phantom base."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from brainfuse.navigation.fiducials import find_markers
from brainfuse.navigation.phantom import clinical_template_ct, make_case, thick_slices
from brainfuse.navigation.segment import segment_head, segment_hematoma

SCCT = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "volumes"
    / "clinical-ct"
    / "scct.nii"
)
pytestmark = pytest.mark.skipif(
    not SCCT.exists(), reason=f"{SCCT} not found (../shared/data is absent)"
)


def test_template_in_hounsfield_units() -> None:
    ct = clinical_template_ct(SCCT, resolution=2.0)
    masks = segment_head(ct)
    brain = ct.array[masks.on_grid(masks.depth_mm, ct.shape) >= 10]
    assert 30 < np.median(brain) < 50  # grey and white matter, not Cormack units
    assert ct.array.min() < -1000 + 30


def test_planted_basal_ganglia_hematoma_at_5_mm() -> None:
    case = make_case(clinical_template_ct(SCCT), volume_ml=20.0, residual=0.4, hu=72.0, seed=3)
    ct = thick_slices(case.pre, 5.0)
    hem = segment_hematoma(ct)
    assert hem.volume_ml == pytest.approx(case.volume_pre_ml, rel=0.10)
    np.testing.assert_allclose(hem.centroid_mm, case.target_mm, atol=3.0)
    markers = find_markers(ct)
    assert len(markers) == 3
    assert np.linalg.norm(markers[:, None] - case.markers_mm[None], axis=2).min(1).max() < 1.5
