"""Hematoma volume, ABC/2 and mesh volume against planted truth, at thin and thick slices."""

from __future__ import annotations

import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.navigation.ct import check_hounsfield, cormack_to_hu
from brainfuse.navigation.mesh import mesh_from_mask
from brainfuse.navigation.phantom import HematomaSpec, plant, thick_slices
from brainfuse.navigation.segment import segment_head, segment_hematoma


@pytest.mark.parametrize(
    ("volume", "slice_mm", "tol"), [(8.0, None, 0.05), (30.0, None, 0.05), (30.0, 6.0, 0.10)]
)
def test_volume_within_target(head, volume: float, slice_mm: float | None, tol: float) -> None:
    ct, truth = plant(head, HematomaSpec((25.0, 10.0, 5.0), volume, hu=72.0, seed=4))
    if slice_mm is not None:
        ct = thick_slices(ct, slice_mm)
    masks = segment_head(ct)
    hem = segment_hematoma(ct, masks=masks)
    assert hem.volume_ml == pytest.approx(truth, rel=tol)
    assert 0.4 * truth < hem.abc2_ml < 1.3 * truth
    np.testing.assert_allclose(hem.centroid_mm, [25.0, 10.0, 5.0], atol=3.0)
    mesh = mesh_from_mask(hem.mask, ct.affine, "hematoma")
    assert mesh.volume_ml == pytest.approx(hem.volume_ml, rel=0.05)
    assert mesh.mesh.is_watertight


def test_seed_selects_the_hematoma_and_a_wrong_seed_is_refused(head) -> None:
    ct, truth = plant(head, HematomaSpec((-30.0, 0.0, 0.0), 10.0, hu=70.0, seed=1))
    ct, _ = plant(ct, HematomaSpec((30.0, 20.0, 10.0), 20.0, hu=70.0, seed=2))
    masks = segment_head(ct)
    assert segment_hematoma(ct, masks=masks).volume_ml == pytest.approx(20.0, rel=0.05)
    small = segment_hematoma(ct, masks=masks, seed_mm=np.array([-30.0, 0.0, 0.0]))
    assert small.volume_ml == pytest.approx(truth, rel=0.05)
    with pytest.raises(InputError, match="within 5 mm of the seed"):
        segment_hematoma(ct, masks=masks, seed_mm=np.array([0.0, -60.0, 0.0]))


def test_no_hematoma_is_one_clear_error(head) -> None:
    with pytest.raises(InputError, match="no hematoma found"):
        segment_hematoma(head)


def test_head_structures(head) -> None:
    masks = segment_head(head)
    vox = np.prod(masks.spacing) / 1000
    brain_ml = 4 / 3 * np.pi * 70 * 85 * 65 / 1000
    assert masks.intracranial.sum() * vox == pytest.approx(brain_ml, rel=0.05)
    assert masks.ventricles.sum() * vox == pytest.approx(
        4 / 3 * np.pi * 8 * 22 * 10 / 1000, rel=0.3
    )


def test_units_checks() -> None:
    assert cormack_to_hu(np.array([2550.0]))[0] == pytest.approx(41.0)
    from brainfuse.io.image import Image

    eight_bit = Image(np.random.default_rng(0).integers(0, 256, (30, 30, 30)).astype(np.float32))
    with pytest.raises(InputError, match="not Hounsfield units"):
        check_hounsfield(eight_bit, "scan.nii")


def test_thick_slices_keep_the_planted_volume(head) -> None:
    ct, truth = plant(head, HematomaSpec((25.0, 10.0, 5.0), 12.0, hu=72.0, seed=4))
    thick = thick_slices(ct, 6.0)
    excess = (thick.array - thick_slices(head, 6.0).array).sum() * np.prod(thick.spacing) / 1000
    assert excess / (72.0 - 34.0) == pytest.approx(truth, rel=0.02)


def test_same_input_same_files(tmp_path) -> None:
    from brainfuse.navigation.api import plan_case, write_plan

    from .conftest import small_head

    ct, _ = plant(small_head(2.0), HematomaSpec((25.0, 10.0, 5.0), 10.0, hu=72.0, seed=4))
    first = write_plan(plan_case(ct), tmp_path / "a")
    second = write_plan(plan_case(ct), tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
