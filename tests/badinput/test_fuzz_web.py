"""Fuzzing the web upload: ``POST /api/fuse`` with mutated files and arbitrary form fields.

Whatever is sent, the answer is never a 500: a result (200) or a 4xx whose JSON ``detail`` is
one line; and no upload folder is left behind.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brainfuse.web import WebSettings, create_app

from .files import _colour, _grey, _raster, _volume, nifti_bytes
from .test_fuzz_readers import mutate, mutation


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    temp_root = tmp_path_factory.mktemp("fuzz-uploads")
    settings_ = WebSettings(max_upload_bytes=1 << 20, temp_root=str(temp_root), max_pixels=4096)
    with TestClient(create_app(settings_), raise_server_exceptions=False) as client:
        yield client, temp_root


SEEDS = {
    "grey.png": _raster(_grey(1, (12, 10)), "PNG"),
    "colour.png": _raster(_colour(2, (12, 10)), "PNG"),
    "grey.gif": _raster(_grey(3, (12, 10)), "GIF"),
    "grey.tif": _raster(_grey(4, (12, 10)), "TIFF"),
    "vol.nii": nifti_bytes(_volume(1, (6, 5, 4))),
    "vol.nii.gz": nifti_bytes(_volume(2, (6, 5, 4)), gz=True),
}

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
valid_upload = st.sampled_from(sorted(SEEDS)).map(lambda k: (k, SEEDS[k]))
upload = st.one_of(
    valid_upload,
    valid_upload,
    st.tuples(st.sampled_from(sorted(SEEDS)), st.lists(mutation, min_size=1, max_size=3)).map(
        lambda t: (t[0], mutate(SEEDS[t[0]], t[1]))
    ),
    st.tuples(text.filter(bool), st.binary(max_size=64)),
)
VALID = {
    "method": st.sampled_from(["average", "maximum", "weighted", "laplacian", "dwt", "legff"]),
    "params": st.just("{}"),
    "palette": st.sampled_from(["", "pet", "hot", "hotiron"]),
    "profile": st.sampled_from(["cddfuse", "paper", "vifb", "tang"]),
    "gradients": st.sampled_from(["true", "false"]),
    "omega": st.floats(0, 1).map(repr),
    "source": st.just("upload"),
}
FUZZED = {
    "method": text,
    "params": st.one_of(
        st.dictionaries(
            st.sampled_from(["w", "levels", "scales", "wavelet", "chroma", "q"]),
            st.one_of(
                st.integers(-3, 12),
                st.floats(allow_nan=True, allow_infinity=True),
                st.booleans(),
                st.none(),
                text,
            ),
            max_size=2,
        ).map(json.dumps),
        text,
    ),
    "palette": text,
    "profile": st.one_of(st.sampled_from(["mefb", "liu2012"]), text),
    "gradients": st.one_of(st.sampled_from(["1", "0", "maybe", ""]), text),
    "omega": st.one_of(st.floats().map(repr), text),
    "source": st.one_of(st.sampled_from(["demo-pet", "demo-spect", ""]), text),
}


@st.composite
def forms(draw) -> dict[str, str]:
    """Valid fields but one (or none), which gets any value."""
    fuzzed = draw(st.sampled_from([None, *FUZZED]))
    form = {}
    for name, strategy in VALID.items():
        if name == fuzzed:
            form[name] = draw(FUZZED[name])
        elif name == "method" or draw(st.booleans()):
            form[name] = draw(strategy)
    return form


FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def post_checked(web, files, form) -> None:
    client, temp_root = web
    r = client.post("/api/fuse", data=form, files=files)
    assert r.status_code != 500, r.text
    assert list(temp_root.iterdir()) == []
    if r.status_code != 200:
        assert 400 <= r.status_code < 500, r.status_code
        detail = r.json()["detail"]
        assert isinstance(detail, str) and detail and "\n" not in detail, detail
        assert str(temp_root) not in detail


@FUZZ
@given(a=upload, b=upload, form=forms())
def test_upload_never_500(web, a, b, form):
    post_checked(web, [("a", a), ("b", b)], form)


@FUZZ
@given(pair=st.sampled_from([("grey.png", "colour.png"), ("grey.gif", "grey.tif")]), form=forms())
def test_form_never_500(web, pair, form):
    """A valid pair of images, the form fuzzed: every field's checks are reached."""
    post_checked(web, [("a", (pair[0], SEEDS[pair[0]])), ("b", (pair[1], SEEDS[pair[1]]))], form)


def test_grey_and_colour_seeds_fuse(web):
    """The seeds themselves are accepted: the fuzzing starts from valid requests."""
    client, _ = web
    files = [("a", ("a.png", SEEDS["grey.png"])), ("b", ("b.png", SEEDS["colour.png"]))]
    r = client.post("/api/fuse", data={"method": "average"}, files=files)
    assert r.status_code == 200, r.text
    assert r.json()["shape"] == [12, 10] and np.isfinite(r.json()["ms"])
