import re

from brainfuse.demo import run_demo
from brainfuse.fusion import list_methods
from brainfuse.io import load


def test_demo_writes_report_with_every_method(tmp_path):
    index = run_demo(tmp_path / "demo", seed=0)
    page = index.read_text(encoding="utf-8")
    for m in list_methods():
        assert f"<b>{m.name}</b>" in page
    for src in re.findall(r"src='([^']+)'", page):
        assert (index.parent / src).is_file(), src
    pet = load(tmp_path / "demo/phantom/pet.nii.gz")
    assert pet.shape == (99, 117, 95)
    color = load(tmp_path / "demo/fused/average_pet_color.png")
    assert color.rgb and color.shape == (117, 99)
