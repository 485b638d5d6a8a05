"""The battery: every bad input (and a few valid controls) with what it must get.

A :class:`Case` is one command line of ``brainfuse`` run in a fresh folder holding the files it
names (built by :mod:`files`); a :class:`WebCase` is one ``POST /api/fuse``. ``fails`` says
what happens today when the case does not get what it must (the test is then an expected
failure that turns red once the code is fixed); ``fix`` where the fix belongs.

``docs/bad-inputs.md`` is generated from these lists by ``python tests/badinput/table.py``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

try:
    from .files import LONG, NON_UTF8, NON_UTF8_MISSING, NON_UTF8_OUT
except ImportError:  # run as a script: tests/badinput/table.py
    from files import LONG, NON_UTF8, NON_UTF8_MISSING, NON_UTF8_OUT


@dataclass(frozen=True)
class Case:
    """One command line and what it must get.

    ``names``: substrings the one error line must hold (``a|b``: any one of them);
    ``creates``: files a valid control (``status`` 0) must write.
    """

    id: str
    family: str
    argv: tuple[str, ...]
    files: tuple[str, ...] = ()
    status: int = 2
    names: tuple[str, ...] = ()
    creates: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    via: str = "inprocess"  # or "subprocess" (a real `python -m brainfuse`, with a timeout)
    fails: str = ""
    fix: str = ""
    slow: bool = False  # left out of the default run (pytest -m slow runs it)

    @property
    def group(self) -> str:
        """The test file that runs the case (so pytest-xdist spreads the files)."""
        first = self.argv[0] if self.argv else ""
        return first if first in ("viz", "train", "metrics", "bench", "register") else "core"

    @property
    def command(self) -> str:
        shown = [a if len(a) < 60 else a[:20] + "…" + a[-12:] for a in self.argv]
        return "brainfuse " + " ".join(shlex.quote(a) for a in shown)


@dataclass(frozen=True)
class WebCase:
    """One ``POST /api/fuse``: uploads (field, client file name, a :mod:`files` name or bytes)
    and form fields; ``status`` the accepted answers."""

    id: str
    family: str
    uploads: tuple[tuple[str, str, str | bytes], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    status: tuple[int, ...] = (422,)
    names: tuple[str, ...] = ()
    max_pixels: int | None = None
    fails: str = ""
    fix: str = ""

    @property
    def command(self) -> str:
        parts = []
        for fld, name, content in self.uploads:
            what = content if isinstance(content, str) else f"{len(content)} bytes"
            parts.append(f"{fld}={name} ({what})")
        parts += [f"{k}={v!r}" for k, v in self.form]
        if self.max_pixels is not None:
            parts.append(f"[server max_pixels={self.max_pixels}]")
        return "POST /api/fuse " + ", ".join(parts)


def c(
    id: str,
    family: str,
    cmd: str | list[str],
    files: str = "",
    *,
    names: str = "",
    **kw,
) -> Case:
    argv = tuple(shlex.split(cmd)) if isinstance(cmd, str) else tuple(cmd)
    return Case(id, family, argv, tuple(files.split()), names=tuple(names.split()), **kw)


MP = "in/mri.png"
PP = "in/pet.png"
CP = "in/ct.png"
PAIR = f"{MP} {PP}"
FUSE = f"fuse {MP} {PP} -o out/o.png"


CLI_CASES: list[Case] = [
    # ---- valid controls: prove the harness can pass ------------------------------------------
    c("fuse-ok-colour", "control", FUSE, PAIR, status=0, creates=("out/o.png",)),
    c(
        "fuse-ok-volume",
        "control",
        "fuse in/t1.nii in/pet.nii.gz -o out/o.nii.gz",
        "in/t1.nii in/pet.nii.gz",
        status=0,
        creates=("out/o.nii.gz",),
    ),
    c(
        "fuse-ok-colour-a",
        "control",
        f"fuse {PP} {MP} -o out/o.png",
        PAIR,
        status=0,
        creates=("out/o.png",),
    ),
    c(
        "fuse-ok-bool-string",
        "control",
        f"fuse {MP} {CP} -m funfusean -p zero_background=false -o out/o.png",
        f"{MP} {CP}",
        status=0,
        creates=("out/o.png",),
    ),
    c("info-ok-dicom", "control", "info in/ct.dcm", "in/ct.dcm", status=0),
    c("info-ok-non-utf8-name", "control", ["info", "--json", NON_UTF8], NON_UTF8, status=0),
    c("info-ok-jpeg-gif-tiff", "control", "info --json in/mri.gif", "in/mri.gif", status=0),
    c("methods-ok-json", "control", "methods --json", status=0),
    c(
        "metrics-ok",
        "control",
        f"metrics in/fused.png {MP} {CP}",
        f"in/fused.png {MP} {CP}",
        status=0,
    ),
    c(
        "register-ok",
        "control",
        f"register {MP} in/small.png -o out/r.png",
        f"{MP} in/small.png",
        status=0,
        creates=("out/r.png",),
    ),
    c(
        "train-ok",
        "control",
        "train funfusean --data td --out out/w.pt --steps 1 --patch 16 --batch-size 2 --quiet",
        "td",
        status=0,
        creates=("out/w.pt",),
        slow=True,
    ),
    c(
        "bench-ok",
        "control",
        "bench --pairs bp --methods average --out out/bench",
        "bp",
        status=0,
        creates=("out/bench/index.html",),
    ),
    # ---- missing, empty, folder, special files ------------------------------------------------
    c("fuse-missing-b", "missing", f"fuse {MP} in/nope.png -o out/o.png", MP, names="in/nope.png"),
    c("fuse-missing-a", "missing", f"fuse in/nope.png {PP} -o out/o.png", PP, names="in/nope.png"),
    c("info-missing", "missing", "info in/nope.nii.gz", names="in/nope.nii.gz"),
    c(
        "fuse-empty-png",
        "empty",
        f"fuse {MP} in/empty.png -o out/o.png",
        f"{MP} in/empty.png",
        names="in/empty.png",
    ),
    c(
        "fuse-empty-nii",
        "empty",
        "fuse in/t1.nii in/empty.nii -o out/o.nii",
        "in/t1.nii in/empty.nii",
        names="in/empty.nii",
    ),
    c("info-empty-npy", "empty", "info in/empty.npy", "in/empty.npy", names="in/empty.npy"),
    c(
        "fuse-folder-as-file",
        "folder",
        f"fuse {MP} in/folder.png -o out/o.png",
        f"{MP} in/folder.png",
        names="in/folder.png",
    ),
    c("info-empty-folder", "folder", "info in/emptydir", "in/emptydir", names="in/emptydir"),
    c("info-dicom-two-series", "folder", "info dicom_mixed", "dicom_mixed", names="dicom_mixed"),
    c("info-dicom-uneven", "folder", "info dicom_uneven", "dicom_uneven", names="dicom_uneven"),
    c("info-dev-null", "special", "info /dev/null", names="/dev/null"),
    c("info-proc-file", "special", "info /proc/self/status", names="/proc/self/status"),
    c(
        "info-under-a-file",
        "special",
        "info in/regular/x.png",
        "in/regular",
        names="in/regular/x.png",
    ),
    c(
        "fuse-dangling-input",
        "special",
        f"fuse {MP} in/dangling.png -o out/o.png",
        f"{MP} in/dangling.png",
        names="in/dangling.png",
    ),
    c(
        "fuse-loop-input",
        "special",
        f"fuse {MP} in/loop_a.png -o out/o.png",
        f"{MP} in/loop_a.png in/loop_b.png",
        names="in/loop_a.png",
    ),
    c(
        "info-loop-input",
        "special",
        "info in/loop_a.png",
        "in/loop_a.png in/loop_b.png",
        names="in/loop_a.png",
    ),
    c(
        "info-long-name",
        "special",
        f"info in/{LONG}.png",
        MP,
        names=f"{LONG[:40]}",
    ),
    c(
        "info-fifo",
        "special",
        "info in/fifo.png",
        "in/fifo.png",
        names="in/fifo.png",
        via="subprocess",
    ),
    # ---- corrupt and truncated content -------------------------------------------------------
    c(
        "fuse-trunc-png",
        "corrupt",
        f"fuse {MP} in/trunc.png -o out/o.png",
        f"{MP} in/trunc.png",
        names="in/trunc.png",
    ),
    c(
        "fuse-trunc-jpeg",
        "corrupt",
        f"fuse {MP} in/trunc.jpg -o out/o.png",
        f"{MP} in/trunc.jpg",
        names="in/trunc.jpg",
    ),
    c(
        "fuse-trunc-tiff",
        "corrupt",
        f"fuse {MP} in/trunc.tif -o out/o.png",
        f"{MP} in/trunc.tif",
        names="in/trunc.tif",
    ),
    c(
        "fuse-trunc-gif",
        "corrupt",
        f"fuse {MP} in/trunc.gif -o out/o.png",
        f"{MP} in/trunc.gif",
        names="in/trunc.gif",
    ),
    c(
        "fuse-trunc-nii",
        "corrupt",
        "fuse in/t1.nii in/trunc.nii -o out/o.nii",
        "in/t1.nii in/trunc.nii",
        names="in/trunc.nii",
    ),
    c(
        "fuse-trunc-nii-gz",
        "corrupt",
        "fuse in/t1.nii in/trunc.nii.gz -o out/o.nii",
        "in/t1.nii in/trunc.nii.gz",
        names="in/trunc.nii.gz",
    ),
    c("info-trunc-dicom", "corrupt", "info in/trunc.dcm", "in/trunc.dcm", names="in/trunc.dcm"),
    c("info-trunc-npy", "corrupt", "info in/trunc.npy", "in/trunc.npy", names="in/trunc.npy"),
    c(
        "info-bad-nifti-header",
        "corrupt",
        "info in/header.nii",
        "in/header.nii",
        names="in/header.nii",
    ),
    c(
        "info-gzip-garbage",
        "corrupt",
        "info in/garbage.nii.gz",
        "in/garbage.nii.gz",
        names="in/garbage.nii.gz",
    ),
    c(
        "fuse-html-as-png",
        "corrupt",
        f"fuse {MP} in/html.png -o out/o.png",
        f"{MP} in/html.png",
        names="in/html.png",
    ),
    c("info-text-as-nii", "corrupt", "info in/text.nii", "in/text.nii", names="in/text.nii"),
    c(
        "fuse-mutated-png",
        "corrupt",
        f"fuse {MP} in/mutated.png -o out/o.png",
        f"{MP} in/mutated.png",
        names="in/mutated.png",
    ),
    c(
        "info-mutated-nii-gz",
        "corrupt",
        "info in/mutated.nii.gz",
        "in/mutated.nii.gz",
        names="in/mutated.nii.gz",
    ),
    c("info-object-npy", "corrupt", "info in/object.npy", "in/object.npy", names="in/object.npy"),
    c(
        "info-strings-npy",
        "corrupt",
        "info in/strings.npy",
        "in/strings.npy",
        names="in/strings.npy",
    ),
    c(
        "info-zero-size-npy",
        "empty",
        "info in/zero-size.npy",
        "in/zero-size.npy",
        names="in/zero-size.npy",
    ),
    c(
        "info-nifti-dim-zero",
        "empty",
        "info in/dim0.nii",
        "in/dim0.nii",
        names="in/dim0.nii",
    ),
    c(
        "fuse-zero-size-npy",
        "empty",
        "fuse in/zero-size.npy in/zero-size.npy -o out/o.npy",
        "in/zero-size.npy",
        names="in/zero-size.npy",
    ),
    c("info-5d-npy", "corrupt", "info in/5d.npy", "in/5d.npy", names="in/5d.npy"),
    c(
        "fuse-4d-nifti",
        "shape",
        "fuse in/t1.nii in/4d.nii -o out/o.nii",
        "in/t1.nii in/4d.nii",
        names="in/4d.nii",
    ),
    # ---- NaN / inf -----------------------------------------------------------------------------
    c(
        "fuse-nan-nifti",
        "nan",
        "fuse in/t1.nii in/nan.nii -o out/o.nii",
        "in/t1.nii in/nan.nii",
        names="in/nan.nii",
    ),
    c(
        "fuse-inf-nifti-gz",
        "nan",
        "fuse in/inf.nii.gz in/t1.nii -o out/o.nii",
        "in/t1.nii in/inf.nii.gz",
        names="in/inf.nii.gz",
    ),
    c(
        "fuse-nan-npy",
        "nan",
        f"fuse {MP} in/nan.npy -o out/o.png",
        f"{MP} in/nan.npy",
        names="in/nan.npy",
    ),
    c(
        "fuse-nan-float-tiff",
        "nan",
        f"fuse {MP} in/nan.tif -o out/o.png",
        f"{MP} in/nan.tif",
        names="in/nan.tif",
    ),
    c("info-inf-npy", "nan", "info in/inf.npy", "in/inf.npy", names="in/inf.npy"),
    # ---- too many pixels -----------------------------------------------------------------------
    c("fuse-max-pixels", "size", f"{FUSE} --max-pixels 100", PAIR, names="in/mri.png"),
    c("info-png-bomb-header", "size", "info in/bomb.png", "in/bomb.png", names="in/bomb.png"),
    c(
        "info-nifti-huge-header",
        "size",
        "info in/huge-header.nii",
        "in/huge-header.nii",
        names="in/huge-header.nii",
    ),
    c(
        "info-max-pixels-volume",
        "size",
        "info in/t1.nii --max-pixels 1000",
        "in/t1.nii",
        names="in/t1.nii",
    ),
    c(
        "fuse-env-max-pixels",
        "size",
        FUSE,
        PAIR,
        names="in/mri.png",
        env=(("BRAINFUSE_MAX_PIXELS", "100"),),
    ),
    c(
        "fuse-env-max-pixels-bad",
        "size",
        FUSE,
        PAIR,
        names="BRAINFUSE_MAX_PIXELS",
        env=(("BRAINFUSE_MAX_PIXELS", "lots"),),
    ),
    c(
        "info-max-pixels-negative",
        "size",
        f"info {MP} --max-pixels -1",
        MP,
        names="--max-pixels",
    ),
    c(
        "register-max-pixels-zero",
        "size",
        f"register {MP} {CP} -o out/r.png --max-pixels 0",
        f"{MP} {CP}",
        names="--max-pixels",
    ),
    # ---- mismatched inputs ---------------------------------------------------------------------
    c(
        "fuse-shapes",
        "mismatch",
        f"fuse {MP} in/small.png -o out/o.png",
        f"{MP} in/small.png",
        names="in/small.png",
    ),
    c(
        "fuse-2d-with-volume",
        "mismatch",
        f"fuse {MP} in/t1.nii -o out/o.png",
        f"{MP} in/t1.nii",
        names="in/t1.nii",
    ),
    c(
        "fuse-volume-with-2d",
        "mismatch",
        f"fuse in/t1.nii {MP} -o out/o.nii",
        f"{MP} in/t1.nii",
        names="in/mri.png",
    ),
    c(
        "fuse-affines-differ",
        "mismatch",
        "fuse in/t1.nii in/shifted.nii -o out/o.nii",
        "in/t1.nii in/shifted.nii",
        names="in/shifted.nii",
    ),
    c(
        "fuse-volume-shapes",
        "mismatch",
        "fuse in/t1.nii in/vol_small.nii.gz -o out/o.nii",
        "in/t1.nii in/vol_small.nii.gz",
        names="in/vol_small.nii.gz",
    ),
    # ---- volumes whose header places no voxel (singular or NaN affine) -------------------------
    *[
        c(
            f"{cmd.split()[0]}-{name}",
            "geometry",
            cmd,
            files,
            names=culprit,
        )
        for name, cmd, files, culprit in (
            (
                "singular-affine-resample",
                "fuse in/t1.nii in/singular.nii --resample -o out/o.nii",
                "in/t1.nii in/singular.nii",
                "in/singular.nii",
            ),
            (
                "singular-affine-a-resample",
                "fuse in/singular.nii in/t1.nii --resample -o out/o.nii",
                "in/t1.nii in/singular.nii",
                "in/singular.nii",
            ),
            (
                "nan-affine-resample",
                "fuse in/t1.nii in/nan-affine.nii --resample -o out/o.nii",
                "in/t1.nii in/nan-affine.nii",
                "in/nan-affine.nii",
            ),
            (
                "singular-affine-slices",
                "viz slices in/singular.nii -o out/v.png",
                "in/singular.nii",
                "in/singular.nii",
            ),
            (
                "nan-affine-slices",
                "viz slices in/nan-affine.nii -o out/v.png",
                "in/nan-affine.nii",
                "in/nan-affine.nii",
            ),
            (
                "singular-affine",
                "register in/t1.nii in/singular.nii -o out/r.nii",
                "in/t1.nii in/singular.nii",
                "in/singular.nii",
            ),
        )
    ],
    # ---- unknown names -------------------------------------------------------------------------
    c("fuse-unknown-method", "unknown", f"{FUSE} -m nope", PAIR, names="nope"),
    c(
        "fuse-unknown-palette",
        "unknown",
        f"fuse {MP} {CP} --palette nope -o out/o.png",
        f"{MP} {CP}",
        names="nope",
    ),
    c(
        "methods-unknown-family",
        "unknown",
        "methods --family nope",
        status=2,
        names="nope",
    ),
    c(
        "metrics-unknown-profile",
        "unknown",
        f"metrics in/fused.png {MP} {CP} --profile nope",
        f"in/fused.png {MP} {CP}",
        names="--profile nope",
    ),
    c(
        "metrics-unknown-metric",
        "unknown",
        f"metrics in/fused.png {MP} {CP} --metrics NOPE",
        f"in/fused.png {MP} {CP}",
        names="--metrics NOPE",
    ),
    c(
        "metrics-empty-metric-list",
        "unknown",
        f"metrics in/fused.png {MP} {CP} --metrics ,",
        f"in/fused.png {MP} {CP}",
        names="--metrics",
    ),
    c("train-unknown-model", "unknown", "train nope --data td --out out/w.pt", "td", names="nope"),
    c(
        "viz-overlay-unknown-palette",
        "unknown",
        f"viz overlay {MP} {CP} -o out/v.png --palette nope",
        f"{MP} {CP}",
        names="nope",
    ),
    c(
        "viz-difference-unknown-cmap",
        "unknown",
        f"viz difference {MP} {CP} -o out/v.png --cmap nope",
        f"{MP} {CP}",
        names="nope",
    ),
    c(
        "viz-grid-unknown-method",
        "unknown",
        f"viz grid {MP} {CP} -m nope -o out/v.png",
        f"{MP} {CP}",
        names="nope",
    ),
    c(
        "viz-gradients-unknown-method",
        "unknown",
        f"viz gradients {MP} {CP} -m nope -o out/v.png",
        f"{MP} {CP}",
        names="nope",
    ),
    c(
        "viz-enhance-unknown-palette",
        "unknown",
        f"viz enhance {MP} {CP} -m average -o out/v.png --palette nope",
        f"{MP} {CP}",
        names="nope",
    ),
    c(
        "bench-unknown-method",
        "unknown",
        "bench --pairs bp --methods nope --out out/b",
        "bp",
        names="nope",
    ),
    c(
        "bench-unknown-profile",
        "unknown",
        "bench --pairs bp --methods average --out out/b --profile nope",
        "bp",
        names="nope",
    ),
    c(
        "bench-unknown-scheduler",
        "unknown",
        "bench --pairs bp --methods average --out out/b --scheduler nope",
        "bp",
        names="--scheduler",
    ),
    # ---- usage errors (click) ------------------------------------------------------------------
    c(
        "usage-unknown-command",
        "usage",
        "nope",
        names="nope",
    ),
    c(
        "usage-fuse-missing-b",
        "usage",
        f"fuse {MP}",
        MP,
        names="B",
    ),
    c(
        "usage-fuse-missing-output",
        "usage",
        f"fuse {MP} {PP}",
        PAIR,
        names="--output",
    ),
    c(
        "usage-info-max-pixels-text",
        "usage",
        f"info {MP} --max-pixels abc",
        MP,
        names="--max-pixels",
    ),
    c(
        "usage-methods-unknown-option",
        "usage",
        "methods --bogus",
        names="--bogus",
    ),
    c(
        "usage-register-unknown-method",
        "usage",
        f"register {MP} {CP} -o out/r.png -m nope",
        f"{MP} {CP}",
        names="nope",
    ),
    c(
        "usage-register-unknown-transform",
        "usage",
        f"register {MP} {CP} -o out/r.png --transform nope",
        f"{MP} {CP}",
        names="nope",
    ),
    c(
        "usage-viz-unknown-view",
        "usage",
        f"viz nope {MP}",
        MP,
        names="nope",
    ),
    c(
        "usage-demo-seed-text",
        "usage",
        "demo -o out/demo --seed abc",
        names="--seed",
    ),
    c(
        "usage-serve-port-text",
        "usage",
        "serve --port abc",
        names="--port",
    ),
    # ---- -p parameters -------------------------------------------------------------------------
    c(
        "fuse-legff-scales-0-colour",
        "param",
        f"{FUSE} -m legff -p scales=0",
        PAIR,
        names="scales",
    ),
    c(
        "fuse-legff0-scales-0-colour",
        "param",
        f"{FUSE} -m legff0 -p scales=0",
        PAIR,
        names="scales",
    ),
    c(
        "fuse-legff-scales-0-palette",
        "param",
        f"fuse {MP} {CP} -m legff -p scales=0 --palette hot -o out/o.png",
        f"{MP} {CP}",
        names="scales",
    ),
    c(
        "fuse-legff-scales-negative",
        "param",
        f"{FUSE} -m legff -p scales=-3",
        PAIR,
        names="scales",
    ),
    c("fuse-param-nan", "param", f"{FUSE} -m weighted -p w=nan", PAIR, names="'w'"),
    c("fuse-param-out-of-range", "param", f"{FUSE} -m weighted -p w=2", PAIR, names="'w'"),
    c("fuse-param-wrong-type", "param", f"{FUSE} -m weighted -p w=abc", PAIR, names="'w'"),
    c("fuse-param-bool-for-float", "param", f"{FUSE} -m weighted -p w=true", PAIR, names="'w'"),
    c("fuse-param-unknown", "param", f"{FUSE} -m weighted -p q=1", PAIR, names="'q'"),
    c("fuse-param-no-equals", "param", f"{FUSE} -m weighted -p w", PAIR, names="-p"),
    c("fuse-param-no-key", "param", f"{FUSE} -m weighted -p =3", PAIR, names="-p"),
    c("fuse-param-levels-0", "param", f"{FUSE} -m laplacian -p levels=0", PAIR, names="levels"),
    c("fuse-param-radius-negative", "param", f"{FUSE} -m gff -p r1=-5", PAIR, names="r1"),
    c("fuse-param-eps-nan", "param", f"{FUSE} -m gff -p eps1=nan", PAIR, names="eps1"),
    c("fuse-param-wavelet", "param", f"{FUSE} -m dwt -p wavelet=nope", PAIR, names="wavelet"),
    c("fuse-param-step-0", "param", f"{FUSE} -m lpsr -p step=0", PAIR, names="step"),
    c(
        "fuse-param-iterations-0",
        "param",
        f"{FUSE} -m papcnn -p iterations=0",
        PAIR,
        names="iterations",
    ),
    c("fuse-param-lam-negative", "param", f"{FUSE} -m latlrr -p lam=-1", PAIR, names="lam"),
    c(
        "fuse-param-bool-maybe",
        "param",
        f"{FUSE} -m funfusean -p zero_background=maybe",
        PAIR,
        names="zero_background",
    ),
    c("fuse-param-inf", "param", f"{FUSE} -m ihs -p w=inf", PAIR, names="'w'"),
    # ---- output paths --------------------------------------------------------------------------
    c("fuse-output-is-input", "output", f"fuse {MP} {PP} -o {MP}", PAIR, names=MP),
    c("fuse-output-is-b", "output", f"fuse {MP} {PP} -o {PP}", PAIR, names=PP),
    c(
        "fuse-output-symlink-to-input",
        "output",
        f"fuse {MP} {PP} -o in/link_mri.png",
        f"{PAIR} in/link_mri.png",
        names="in/link_mri.png",
    ),
    c(
        "fuse-output-dotdot",
        "output",
        f"fuse {MP} {PP} -o in/folder.png/../mri.png",
        f"{PAIR} in/folder.png",
        names="mri.png",
    ),
    c(
        "fuse-output-hard-link",
        "output",
        f"fuse {MP} {PP} -o in/hard_mri.png",
        f"{PAIR} in/hard_mri.png",
        names="in/hard_mri.png",
    ),
    c(
        "fuse-output-missing-folder",
        "output",
        f"fuse {MP} {PP} -o out/nope/o.png",
        PAIR,
        names="out/nope",
    ),
    c(
        "fuse-output-parent-is-file",
        "output",
        f"fuse {MP} {PP} -o in/regular/o.png",
        f"{PAIR} in/regular",
        names="in/regular",
    ),
    c("fuse-output-is-folder", "output", f"fuse {MP} {PP} -o out", PAIR, names="out"),
    c(
        "fuse-output-png-for-volume",
        "output",
        "fuse in/t1.nii in/pet.nii.gz -o out/o.png",
        "in/t1.nii in/pet.nii.gz",
        names="out/o.png",
    ),
    c("fuse-output-nii-for-2d", "output", f"fuse {MP} {PP} -o out/o.nii", PAIR, names="out/o.nii"),
    c(
        "fuse-output-unknown-suffix",
        "output",
        f"fuse {MP} {PP} -o out/o.txt",
        PAIR,
        names="out/o.txt",
    ),
    c("fuse-output-dev-null", "output", f"fuse {MP} {PP} -o /dev/null", PAIR, names="/dev/null"),
    c(
        "fuse-output-symlink-loop",
        "output",
        f"fuse {MP} {PP} -o in/loop_a.png",
        f"{PAIR} in/loop_a.png in/loop_b.png",
        names="in/loop_a.png",
    ),
    c(
        "fuse-output-long-name",
        "output",
        f"fuse {MP} {PP} -o out/{LONG}.png",
        PAIR,
        names=LONG[:40],
    ),
    # ---- register ------------------------------------------------------------------------------
    c(
        "register-1x1",
        "tiny",
        "register in/one_a.png in/one_b.png -o out/r.png",
        "in/one_a.png in/one_b.png",
        names="in/one_a.png",
    ),
    c(
        "register-missing",
        "missing",
        f"register {MP} in/nope.png -o out/r.png",
        MP,
        names="in/nope.png",
    ),
    c(
        "register-html",
        "corrupt",
        f"register {MP} in/html.png -o out/r.png",
        f"{MP} in/html.png",
        names="in/html.png",
    ),
    c(
        "register-2d-to-volume",
        "mismatch",
        f"register {MP} in/t1.nii -o out/r.png",
        f"{MP} in/t1.nii",
        names="in/t1.nii",
    ),
    c(
        "register-volume-to-2d",
        "mismatch",
        f"register in/t1.nii {MP} -o out/r.nii",
        f"{MP} in/t1.nii",
        names="in/mri.png",
    ),
    c("register-output-is-fixed", "output", f"register {MP} {CP} -o {MP}", f"{MP} {CP}", names=MP),
    c(
        "register-transform-out-is-moving",
        "output",
        f"register {MP} {CP} -o out/r.png --transform-out {CP}",
        f"{MP} {CP}",
        names=CP,
    ),
    c(
        "register-transform-out-is-output",
        "output",
        f"register {MP} {CP} -o out/r.png --transform-out out/r.png",
        f"{MP} {CP}",
        names="out/r.png",
    ),
    c(
        "register-output-nii-for-2d",
        "output",
        f"register {MP} {CP} -o out/r.nii",
        f"{MP} {CP}",
        names="out/r.nii",
    ),
    c(
        "register-output-parent-is-file",
        "output",
        f"register {MP} {CP} -o in/regular/r.png",
        f"{MP} {CP} in/regular",
        names="in/regular",
    ),
    c(
        "register-transform-out-parent-is-file",
        "output",
        f"register {MP} {CP} -o out/r.png --transform-out in/regular/t.json",
        f"{MP} {CP} in/regular",
        names="in/regular",
    ),
    # ---- metrics -------------------------------------------------------------------------------
    c(
        "metrics-missing",
        "missing",
        f"metrics in/fused.png {MP} in/nope.png",
        f"in/fused.png {MP}",
        names="in/nope.png",
    ),
    c(
        "metrics-html",
        "corrupt",
        f"metrics in/fused.png {MP} in/html.png",
        f"in/fused.png {MP} in/html.png",
        names="in/html.png",
    ),
    c(
        "metrics-shapes",
        "mismatch",
        f"metrics in/fused.png {MP} in/small.png",
        f"in/fused.png {MP} in/small.png",
        names="in/small.png",
    ),
    c(
        "metrics-2d-with-volume",
        "mismatch",
        f"metrics in/fused.png {MP} in/t1.nii",
        f"in/fused.png {MP} in/t1.nii",
        names="in/t1.nii",
    ),
    c(
        "metrics-mix-files-folders",
        "mismatch",
        f"metrics tri/F {MP} {CP}",
        f"tri {MP} {CP}",
        names="tri/F",
    ),
    c(
        "metrics-folders-without-output",
        "output",
        "metrics tri/F tri/A tri/B",
        "tri",
        names="--output",
    ),
    c(
        "metrics-output-inside-input-folder",
        "output",
        "metrics tri/F tri/A tri/B -o tri/A/1.png",
        "tri",
        names="tri/A/1.png",
    ),
    c(
        "metrics-output-is-input-folder",
        "output",
        "metrics tri/F tri/A tri/B -o tri/A",
        "tri",
        names="tri/A",
    ),
    c(
        "metrics-output-missing-folder",
        "output",
        "metrics tri/F tri/A tri/B -o out/nope/s.csv",
        "tri",
        names="out/nope",
    ),
    c(
        "metrics-output-parent-is-file",
        "output",
        "metrics tri/F tri/A tri/B -o in/regular/s.csv",
        "tri in/regular",
        names="in/regular",
    ),
    *[
        c(
            f"metrics-1x1-{prof}",
            "tiny",
            f"metrics in/one_f.png in/one_a.png in/one_b.png --profile {prof}",
            "in/one_f.png in/one_a.png in/one_b.png",
            names="in/one_f.png|in/one_a.png|in/one_b.png",
        )
        for prof in ("paper", "cddfuse", "vifb", "mefb", "liu2012", "tang")
    ],
    # ---- viz -----------------------------------------------------------------------------------
    c(
        "viz-overlay-alpha",
        "viz",
        f"viz overlay {MP} {CP} -o out/v.png --alpha 2",
        f"{MP} {CP}",
        names="alpha",
    ),
    c(
        "viz-overlay-alpha-nan",
        "viz",
        f"viz overlay {MP} {CP} -o out/v.png --alpha nan",
        f"{MP} {CP}",
        names="alpha",
    ),
    c(
        "viz-overlay-threshold",
        "viz",
        f"viz overlay {MP} {CP} -o out/v.png --threshold -1",
        f"{MP} {CP}",
        names="threshold",
    ),
    c(
        "viz-overlay-shapes",
        "mismatch",
        f"viz overlay {MP} in/small.png -o out/v.png",
        f"{MP} in/small.png",
        names="in/small.png",
    ),
    c(
        "viz-overlay-volume",
        "mismatch",
        f"viz overlay {MP} in/t1.nii -o out/v.png",
        f"{MP} in/t1.nii",
        names="in/t1.nii",
    ),
    c(
        "viz-overlay-jpg-output",
        "output",
        f"viz overlay {MP} {CP} -o out/v.jpg",
        f"{MP} {CP}",
        names="out/v.jpg",
    ),
    c(
        "viz-overlay-raw-html",
        "output",
        f"viz overlay {MP} {CP} -o out/v.html --raw",
        f"{MP} {CP}",
        names="out/v.html",
    ),
    c(
        "viz-overlay-output-is-input",
        "output",
        f"viz overlay {MP} {CP} -o {CP}",
        f"{MP} {CP}",
        names=CP,
    ),
    c(
        "viz-overlay-output-parent-is-file",
        "output",
        f"viz overlay {MP} {CP} -o in/regular/v.png",
        f"{MP} {CP} in/regular",
        names="in/regular",
    ),
    c(
        "viz-checkerboard-tiles-0",
        "viz",
        f"viz checkerboard {MP} {CP} -o out/v.png --tiles 0",
        f"{MP} {CP}",
        names="tiles",
    ),
    c(
        "viz-checkerboard-html",
        "corrupt",
        f"viz checkerboard {MP} in/html.png -o out/v.png",
        f"{MP} in/html.png",
        names="in/html.png",
    ),
    c(
        "viz-difference-shapes",
        "mismatch",
        f"viz difference {MP} in/small.png -o out/v.png",
        f"{MP} in/small.png",
        names="in/small.png",
    ),
    c(
        "viz-grid-roi-format",
        "viz",
        f"viz grid {MP} {CP} -m average -o out/v.png --roi 1,2",
        f"{MP} {CP}",
        names="--roi",
    ),
    c(
        "viz-grid-roi-outside",
        "viz",
        f"viz grid {MP} {CP} -m average -o out/v.png --roi 100,100,10,10",
        f"{MP} {CP}",
        names="region",
    ),
    c("viz-grid-no-partner", "viz", f"viz grid {MP} -m average -o out/v.png", MP, names=MP),
    c(
        "viz-gradient-color-omega",
        "viz",
        f"viz gradient-color {MP} {CP} -m average -o out/v.png --omega 2",
        f"{MP} {CP}",
        names="--omega",
    ),
    c(
        "viz-gradient-color-param-range",
        "param",
        f"viz gradient-color {MP} {CP} -m weighted -p w=7 -o out/v.png",
        f"{MP} {CP}",
        names="'w'",
    ),
    c(
        "viz-gradient-color-stride-0",
        "viz",
        f"viz gradient-color {MP} {CP} -m dwt -o out/v.png --stride 0",
        f"{MP} {CP}",
        names="stride",
    ),
    c(
        "viz-gradient-color-step-nan",
        "viz",
        f"viz gradient-color {MP} {CP} -m dwt -o out/v.png --step nan",
        f"{MP} {CP}",
        names="step",
    ),
    c(
        "viz-gradients-param-unknown",
        "param",
        f"viz gradients {MP} {CP} -m weighted -p q=1 -o out/v.png",
        f"{MP} {CP}",
        names="'q'",
    ),
    c(
        "viz-enhance-sigma-0",
        "viz",
        f"viz enhance {MP} {CP} -m average -o out/v.png --sigma 0",
        f"{MP} {CP}",
        names="sigma",
    ),
    c(
        "viz-enhance-gain-nan",
        "viz",
        f"viz enhance {MP} {CP} -m average -o out/v.png --gain nan",
        f"{MP} {CP}",
        names="gain",
    ),
    c(
        "viz-enhance-lift",
        "viz",
        f"viz enhance {MP} {CP} -m average -o out/v.png --lift 5",
        f"{MP} {CP}",
        names="lift",
    ),
    c(
        "viz-timeline-odd-files",
        "viz",
        f"viz timeline {MP} {CP} {MP} -m average -o out/v.png",
        f"{MP} {CP}",
        names=MP,
    ),
    c(
        "viz-timeline-labels",
        "viz",
        f"viz timeline {MP} {CP} {MP} {CP} -m average --label a -o out/v.png",
        f"{MP} {CP}",
        names="--label",
    ),
    c("viz-slices-2d", "mismatch", f"viz slices {MP} -o out/v.png", MP, names=MP),
    c(
        "viz-slices-at-format",
        "viz",
        "viz slices in/t1.nii -o out/v.png --at 1,2",
        "in/t1.nii",
        names="--at",
    ),
    c(
        "viz-slices-at-nan",
        "viz",
        "viz slices in/t1.nii -o out/v.png --at nan,0,0",
        "in/t1.nii",
        names="--at",
    ),
    c(
        "viz-slices-at-inf",
        "viz",
        "viz slices in/t1.nii -o out/v.png --at inf,0,0",
        "in/t1.nii",
        names="--at",
    ),
    c(
        "viz-slices-overlay-2d",
        "mismatch",
        f"viz slices in/t1.nii -o out/v.png --overlay {MP}",
        f"in/t1.nii {MP}",
        names=MP,
    ),
    c(
        "viz-slices-overlay-off-grid",
        "mismatch",
        "viz slices in/t1.nii -o out/v.png --overlay in/shifted.nii",
        "in/t1.nii in/shifted.nii",
        names="in/shifted.nii",
    ),
    c(
        "viz-slices-4d",
        "shape",
        "viz slices in/4d.nii -o out/v.png",
        "in/4d.nii",
        names="in/4d.nii",
    ),
    c(
        "viz-montage-n-0",
        "viz",
        "viz montage in/t1.nii -o out/v.png -n 0",
        "in/t1.nii",
        names="slice",
    ),
    c(
        "viz-montage-cols-0",
        "viz",
        "viz montage in/t1.nii -o out/v.png --cols 0",
        "in/t1.nii",
        names="column",
    ),
    c(
        "viz-montage-output-is-input",
        "output",
        "viz montage in/t1.nii -o in/t1.nii",
        "in/t1.nii",
        names="in/t1.nii",
    ),
    c(
        "viz-phantom-series-out-is-file",
        "output",
        "viz phantom-series -o in/regular",
        "in/regular",
        names="in/regular",
    ),
    c(
        "viz-phantom-series-radii-text",
        "viz",
        "viz phantom-series -o out/s --radii a,b",
        names="--radii",
    ),
    c(
        "viz-phantom-series-radii-negative",
        "viz",
        "viz phantom-series -o out/s --radii -4",
        names="radii",
    ),
    c(
        "viz-phantom-series-radii-nan",
        "viz",
        "viz phantom-series -o out/s --radii nan",
        names="radii",
        slow=True,
    ),
    # ---- train ---------------------------------------------------------------------------------
    c(
        "train-split-csv-no-split-column",
        "train",
        "train funfusean --data td_nosplit --out out/w.pt --steps 1 --patch 16",
        "td_nosplit",
        names="td_nosplit/split.csv",
    ),
    c(
        "train-split-csv-not-utf8",
        "train",
        "train funfusean --data td_latin1 --out out/w.pt --steps 1 --patch 16",
        "td_latin1",
        names="td_latin1/split.csv",
    ),
    c(
        "train-steps-negative",
        "train",
        "train funfusean --data td --out out/w.pt --steps -5 --patch 16",
        "td",
        names="--steps",
    ),
    c(
        "train-steps-zero",
        "train",
        "train funfusean --data td --out out/w.pt --steps 0 --patch 16",
        "td",
        names="--steps",
    ),
    c(
        "train-batch-size-zero",
        "train",
        "train funfusean --data td --out out/w.pt --batch-size 0 --patch 16 --steps 1",
        "td",
        names="--batch-size",
    ),
    c(
        "train-batch-size-negative",
        "train",
        "train funfusean --data td --out out/w.pt --batch-size -1 --patch 16 --steps 1",
        "td",
        names="--batch-size",
    ),
    c(
        "train-patch-zero",
        "train",
        "train funfusean --data td --out out/w.pt --patch 0 --steps 1",
        "td",
        names="--patch",
    ),
    c(
        "train-patch-negative",
        "train",
        "train funfusean --data td --out out/w.pt --patch -4 --steps 1",
        "td",
        names="--patch",
    ),
    c(
        "train-lr-nan",
        "train",
        "train funfusean --data td --out out/w.pt --lr nan --steps 1 --patch 16",
        "td",
        names="--lr",
    ),
    c(
        "train-lr-negative",
        "train",
        "train funfusean --data td --out out/w.pt --lr -1 --steps 1 --patch 16",
        "td",
        names="--lr",
    ),
    c(
        "train-threads-zero",
        "train",
        "train funfusean --data td --out out/w.pt --threads 0 --steps 1 --patch 16",
        "td",
        names="--threads",
    ),
    c(
        "train-max-minutes-nan",
        "train",
        "train funfusean --data td --out out/w.pt --max-minutes nan --steps 1 --patch 16",
        "td",
        names="--max-minutes",
    ),
    c(
        "train-param-width-zero",
        "train",
        "train funfusean --data td --out out/w.pt -p width=0 --steps 1 --patch 16",
        "td",
        names="width",
    ),
    c(
        "train-param-lam-nan",
        "train",
        "train funfusean --data td --out out/w.pt -p lam=nan --steps 1 --patch 16",
        "td",
        names="λ|lam",
    ),
    c(
        "train-param-unknown",
        "train",
        "train funfusean --data td --out out/w.pt -p nope=1",
        "td",
        names="'nope'",
    ),
    c(
        "train-out-not-pt",
        "train",
        "train funfusean --data td --out out/w.txt",
        "td",
        names="out/w.txt",
    ),
    c(
        "train-out-is-split-csv",
        "output",
        "train funfusean --data td --out td/split.csv",
        "td",
        names="td/split.csv",
    ),
    c("train-data-missing", "missing", "train funfusean --data nope --out out/w.pt", names="nope"),
    c(
        "train-forbidden-split",
        "train",
        "train funfusean --data td --out out/w.pt --split benchmark-overlap",
        "td",
        names="benchmark-overlap",
    ),
    c(
        "train-unknown-split",
        "train",
        "train funfusean --data td --out out/w.pt --split nope",
        "td",
        names="nope",
    ),
    c(
        "train-unknown-pairset",
        "train",
        "train funfusean --data td --out out/w.pt --pairsets NOPE",
        "td",
        names="NOPE",
    ),
    c(
        "train-out-missing-folder",
        "output",
        "train funfusean --data td --out out/nope/w.pt",
        "td",
        names="out/nope",
    ),
    c(
        "train-out-parent-is-file",
        "output",
        "train funfusean --data td --out in/regular/w.pt --steps 1 --patch 16",
        "td in/regular",
        names="in/regular",
    ),
    c(
        "train-resume-without-checkpoint",
        "train",
        "train funfusean --data td --out out/w.pt --resume --patch 16",
        "td",
        names="out/w.pt.ckpt",
    ),
    # ---- bench ---------------------------------------------------------------------------------
    c(
        "bench-empty-pairs-folder",
        "bench",
        "bench --pairs bp_empty --methods average --out out/b",
        "bp_empty",
        names="bp_empty",
    ),
    c(
        "bench-pairs-missing",
        "missing",
        "bench --pairs nope --methods average --out out/b",
        names="nope",
    ),
    c(
        "bench-pairs-is-file",
        "folder",
        f"bench --pairs {MP} --methods average --out out/b",
        MP,
        names=MP,
    ),
    c(
        "bench-methods-empty",
        "bench",
        "bench --pairs bp --methods , --out out/b",
        "bp",
        names="--methods",
    ),
    c(
        "bench-methods-twice",
        "bench",
        "bench --pairs bp --methods average,average --out out/b",
        "bp",
        names="--methods",
    ),
    c(
        "bench-unknown-metric",
        "unknown",
        "bench --pairs bp --methods average --out out/b --metrics NOPE",
        "bp",
        names="NOPE",
    ),
    c(
        "bench-param-unknown",
        "param",
        "bench --pairs bp --methods average --out out/b -p average.x=1",
        "bp",
        names="'x'",
    ),
    c(
        "bench-param-no-method",
        "param",
        "bench --pairs bp --methods weighted --out out/b -p w=9",
        "bp",
        names="-p",
    ),
    c(
        "bench-param-out-of-range",
        "param",
        "bench --pairs bp --methods weighted --out out/b -p weighted.w=9",
        "bp",
        names="'w'",
    ),
    c(
        "bench-split-without-csv",
        "bench",
        "bench --pairs bp --methods average --out out/b --split val",
        "bp",
        names="bp",
    ),
    c(
        "bench-unknown-split",
        "bench",
        "bench --pairs td --methods average --out out/b --split nope",
        "td",
        names="td/split.csv",
    ),
    c(
        "bench-split-csv-no-split-column",
        "bench",
        "bench --pairs td_nosplit --methods average --out out/b --split train",
        "td_nosplit",
        names="td_nosplit/split.csv",
    ),
    c(
        "bench-split-csv-not-utf8",
        "bench",
        "bench --pairs td_latin1 --methods average --out out/b --split train",
        "td_latin1",
        names="td_latin1/split.csv",
    ),
    c(
        "bench-examples-0",
        "bench",
        "bench --pairs bp --methods average --out out/b --examples 0",
        "bp",
        names="--examples",
    ),
    c(
        "bench-out-is-file",
        "output",
        "bench --pairs bp --methods average --out in/regular",
        "bp in/regular",
        names="in/regular",
    ),
    c(
        "bench-out-inside-pairs",
        "output",
        "bench --pairs bp --methods average --out bp/MRI",
        "bp",
        names="bp/MRI",
    ),
    c(
        "bench-no-partner",
        "bench",
        "bench --pairs bp_nopartner --methods average --out out/b",
        "bp_nopartner",
        names="1.png",
    ),
    c(
        "bench-pair-shapes-differ",
        "mismatch",
        "bench --pairs bp_shapes --methods average --out out/b",
        "bp_shapes",
        names="bp_shapes",
    ),
    c(
        "bench-compare-needs-cddfuse",
        "bench",
        "bench --pairs bp --methods average --out out/b --compare published",
        "bp",
        names="--compare",
    ),
    # ---- demo / serve --------------------------------------------------------------------------
    c("demo-out-is-file", "output", "demo -o in/regular", "in/regular", names="in/regular"),
    c("demo-out-is-input-image", "output", f"demo -o {MP}", MP, names=MP),
    c("serve-port-0", "serve", "serve --port 0", names="--port"),
    c("serve-port-too-big", "serve", "serve --port 70000", names="--port"),
    c("serve-upload-limit-0", "serve", "serve --max-upload-mb 0", names="--max-upload-mb"),
    c("serve-upload-limit-negative", "serve", "serve --max-upload-mb -1", names="--max-upload-mb"),
    c(
        "serve-upload-limit-nan",
        "serve",
        "serve --max-upload-mb nan",
        names="--max-upload-mb",
    ),
    # ---- through a real process ----------------------------------------------------------------
    c("process-ok-info", "process", f"info {MP}", MP, status=0, via="subprocess"),
    c(
        "process-missing",
        "process",
        f"fuse {MP} in/nope.png -o out/o.png",
        MP,
        names="in/nope.png",
        via="subprocess",
    ),
    c(
        "process-corrupt-png",
        "process",
        f"fuse {MP} in/trunc.png -o out/o.png",
        f"{MP} in/trunc.png",
        names="in/trunc.png",
        via="subprocess",
    ),
    c(
        "process-non-utf8-missing",
        "process",
        ["fuse", MP, NON_UTF8_MISSING, "-o", "out/o.png"],
        MP,
        names="-missing.png",
        via="subprocess",
    ),
    c(
        "process-output-is-input",
        "process",
        f"fuse {MP} {PP} -o in/link_mri.png",
        f"{PAIR} in/link_mri.png",
        names="in/link_mri.png",
        via="subprocess",
    ),
    c(
        "process-legff-scales-0",
        "process",
        f"{FUSE} -m legff -p scales=0",
        PAIR,
        names="scales",
        via="subprocess",
    ),
    c(
        "process-non-utf8-info-strict-locale",
        "process",
        ["info", NON_UTF8],
        NON_UTF8,
        status=0,
        env=(("PYTHONIOENCODING", "utf-8:strict"),),
        via="subprocess",
    ),
    c(
        "process-non-utf8-output-strict-locale",
        "process",
        ["fuse", MP, PP, "-o", NON_UTF8_OUT],
        PAIR,
        status=0,
        creates=(NON_UTF8_OUT,),
        env=(("PYTHONIOENCODING", "utf-8:strict"),),
        via="subprocess",
    ),
    c(
        "process-usage",
        "process",
        f"fuse {MP}",
        MP,
        names="B",
        via="subprocess",
    ),
    c(
        "process-long-name",
        "process",
        f"info in/{LONG}.png",
        MP,
        names=LONG[:40],
        via="subprocess",
    ),
    c(
        "process-metrics-overwrites-input",
        "process",
        "metrics tri/F tri/A tri/B -o tri/A/1.png",
        "tri",
        names="tri/A/1.png",
        via="subprocess",
    ),
]

_FUSE_FORM = (("method", "average"),)
_PAIR_UP = (("a", "mri.png", "in/mri.png"), ("b", "pet.png", "in/pet.png"))
_GREY_UP = (("a", "mri.png", "in/mri.png"), ("b", "ct.png", "in/ct.png"))
_VOL_UP = (("a", "t1.nii", "in/t1.nii"), ("b", "pet.nii.gz", "in/pet.nii.gz"))
_ONE_UP = (("a", "a.png", "in/one_a.png"), ("b", "b.png", "in/one_b.png"))


def w(id: str, family: str, uploads=_PAIR_UP, form=_FUSE_FORM, status=(422,), names="", **kw):
    return WebCase(
        id, family, tuple(uploads), tuple(form), tuple(status), tuple(names.split()), **kw
    )


def _a(name: str, content: str | bytes) -> tuple[tuple[str, str, str | bytes], ...]:
    """Upload A replaced, B the colour PET."""
    return (("a", name, content), _PAIR_UP[1])


WEB_CASES: list[WebCase] = [
    w("web-ok-colour", "control", status=(200,)),
    w(
        "web-ok-colour-a",
        "control",
        uploads=(("a", "pet.png", "in/pet.png"), ("b", "mri.png", "in/mri.png")),
        status=(200,),
    ),
    w("web-ok-volumes", "control", uploads=_VOL_UP, status=(200,)),
    w("web-ok-1x1", "control", uploads=_ONE_UP, status=(200,)),
    w("web-empty", "empty", uploads=_a("scan.png", b""), names="(scan.png)"),
    w(
        "web-html-as-png",
        "corrupt",
        uploads=_a("scan.png", "in/html.png"),
        status=(415,),
        names="(scan.png)",
    ),
    w(
        "web-jpeg-not-accepted",
        "corrupt",
        uploads=_a("scan.png", "in/mri.jpg"),
        status=(415,),
        names="JPEG",
    ),
    w(
        "web-npy-not-accepted",
        "corrupt",
        uploads=_a("scan.npy", "in/mri.npy"),
        status=(415,),
        names="NPY",
    ),
    w(
        "web-dicom-not-accepted",
        "corrupt",
        uploads=_a("scan.dcm", "in/ct.dcm"),
        status=(415,),
        names="DICOM",
    ),
    w("web-trunc-png", "corrupt", uploads=_a("scan.png", "in/trunc.png"), names="(scan.png)"),
    w("web-trunc-tiff", "corrupt", uploads=_a("scan.tif", "in/trunc.tif"), names="(scan.tif)"),
    w("web-trunc-gif", "corrupt", uploads=_a("scan.gif", "in/trunc.gif"), names="(scan.gif)"),
    w(
        "web-trunc-nii",
        "corrupt",
        uploads=(("a", "t1.nii", "in/t1.nii"), ("b", "x.nii", "in/trunc.nii")),
        names="(x.nii)",
    ),
    w(
        "web-trunc-nii-gz",
        "corrupt",
        uploads=(("a", "t1.nii", "in/t1.nii"), ("b", "x.nii.gz", "in/trunc.nii.gz")),
        status=(415, 422),
        names="(x.nii.gz)",
    ),
    w(
        "web-gzip-garbage",
        "corrupt",
        uploads=_a("x.nii.gz", "in/garbage.nii.gz"),
        status=(415,),
        names="(x.nii.gz)",
    ),
    w("web-mutated-png", "corrupt", uploads=_a("scan.png", "in/mutated.png"), names="(scan.png)"),
    w(
        "web-bad-nifti-header",
        "corrupt",
        uploads=(("a", "t1.nii", "in/t1.nii"), ("b", "h.nii", "in/header.nii")),
        names="(h.nii)",
    ),
    w(
        "web-mutated-nii-gz",
        "corrupt",
        uploads=(("a", "t1.nii.gz", "in/mutated.nii.gz"), ("b", "p.nii.gz", "in/pet.nii.gz")),
        names="(t1.nii.gz)",
    ),
    w(
        "web-nifti-dim-zero",
        "empty",
        uploads=(("a", "z.nii", "in/dim0.nii"), ("b", "z2.nii", "in/dim0.nii")),
        names="(z.nii)",
    ),
    w(
        "web-4d-nifti",
        "shape",
        uploads=(("a", "t1.nii", "in/t1.nii"), ("b", "4d.nii", "in/4d.nii")),
        names="(4d.nii)",
    ),
    w(
        "web-nan-nifti",
        "nan",
        uploads=(("a", "t1.nii", "in/t1.nii"), ("b", "nan.nii", "in/nan.nii")),
        names="(nan.nii)",
    ),
    w(
        "web-inf-nifti-gz",
        "nan",
        uploads=(("a", "inf.nii.gz", "in/inf.nii.gz"), ("b", "t1.nii", "in/t1.nii")),
        names="(inf.nii.gz)",
    ),
    w("web-max-pixels", "size", max_pixels=1000, names="(mri.png)"),
    w("web-png-bomb-header", "size", uploads=_a("bomb.png", "in/bomb.png"), names="(bomb.png)"),
    w(
        "web-too-large",
        "size",
        uploads=_a("big.png", b"\x89PNG\r\n\x1a\n" + bytes(3 << 20)),
        status=(413,),
        names="too large",
    ),
    w(
        "web-shapes",
        "mismatch",
        uploads=(("a", "mri.png", "in/mri.png"), ("b", "small.png", "in/small.png")),
        names="(small.png)",
    ),
    w(
        "web-2d-with-volume",
        "mismatch",
        uploads=(("a", "mri.png", "in/mri.png"), ("b", "t1.nii", "in/t1.nii")),
        names="(t1.nii)",
    ),
    w(
        "web-volume-with-2d",
        "mismatch",
        uploads=(("a", "t1.nii", "in/t1.nii"), ("b", "mri.png", "in/mri.png")),
        names="(mri.png)",
    ),
    w(
        "web-affines-differ",
        "mismatch",
        uploads=(("a", "t1.nii", "in/t1.nii"), ("b", "shifted.nii", "in/shifted.nii")),
        names="(shifted.nii)",
    ),
    w(
        "web-singular-affine",
        "geometry",
        uploads=(("a", "s.nii", "in/singular.nii"), ("b", "t1.nii", "in/t1.nii")),
        names="(s.nii)",
    ),
    w(
        "web-volume-shapes",
        "mismatch",
        uploads=(("a", "t1.nii", "in/t1.nii"), ("b", "v.nii.gz", "in/vol_small.nii.gz")),
        names="(v.nii.gz)",
    ),
    w("web-unknown-method", "unknown", form=(("method", "nope"),), names="nope"),
    w("web-no-method", "unknown", form=(), names="method"),
    w("web-empty-method", "unknown", form=(("method", ""),), names="method"),
    w(
        "web-unknown-palette",
        "unknown",
        uploads=_GREY_UP,
        form=(("method", "average"), ("palette", "/etc/passwd")),
        names="palette",
    ),
    w(
        "web-unknown-profile",
        "unknown",
        form=(("method", "average"), ("profile", "nope")),
        names="profile",
    ),
    w(
        "web-unknown-source",
        "unknown",
        form=(("method", "average"), ("source", "/tmp")),
        names="source",
    ),
    w("web-one-upload", "missing", uploads=(_PAIR_UP[0],), names="upload"),
    w("web-no-upload", "missing", uploads=(), names="upload"),
    w(
        "web-params-not-json",
        "param",
        form=(("method", "weighted"), ("params", "{w: 1")),
        names="params",
    ),
    w(
        "web-params-list",
        "param",
        form=(("method", "weighted"), ("params", "[0.5]")),
        names="params",
    ),
    w(
        "web-param-unknown",
        "param",
        form=(("method", "weighted"), ("params", '{"q": 1}')),
        names="'q'",
    ),
    w(
        "web-param-nan",
        "param",
        form=(("method", "weighted"), ("params", '{"w": NaN}')),
        names="'w'",
    ),
    w(
        "web-param-bool-for-float",
        "param",
        form=(("method", "weighted"), ("params", '{"w": true}')),
        names="'w'",
    ),
    w(
        "web-param-float-for-int",
        "param",
        form=(("method", "laplacian"), ("params", '{"levels": 2.5}')),
        names="levels",
    ),
    w(
        "web-param-bool-string",
        "param",
        form=(("method", "funfusean"), ("params", '{"zero_background": "maybe"}')),
        names="zero_background",
    ),
    w(
        "web-legff-scales-0",
        "param",
        form=(("method", "legff"), ("params", '{"scales": 0}')),
        names="scales",
    ),
    w(
        "web-legff0-scales-0-palette",
        "param",
        uploads=_GREY_UP,
        form=(("method", "legff0"), ("params", '{"scales": 0}'), ("palette", "hot")),
        names="scales",
    ),
    w(
        "web-omega-out-of-range",
        "param",
        form=(("method", "average"), ("gradients", "true"), ("omega", "2")),
        names="omega",
    ),
    w(
        "web-omega-nan",
        "param",
        form=(("method", "average"), ("gradients", "true"), ("omega", "nan")),
        names="omega",
    ),
    w(
        "web-omega-text",
        "param",
        form=(("method", "average"), ("gradients", "true"), ("omega", "abc")),
        names="omega",
    ),
    w(
        "web-gradients-text",
        "param",
        form=(("method", "average"), ("gradients", "maybe")),
        names="gradients",
    ),
    w(
        "web-gradients-volume",
        "param",
        uploads=_VOL_UP,
        form=(("method", "average"), ("gradients", "true")),
        names="2D",
    ),
    w(
        "web-1x1-mefb",
        "tiny",
        uploads=_ONE_UP,
        form=(("method", "average"), ("profile", "mefb")),
        status=(200, 422),
    ),
    w(
        "web-1x1-liu2012",
        "tiny",
        uploads=_ONE_UP,
        form=(("method", "average"), ("profile", "liu2012")),
        status=(200, 422),
    ),
    w(
        "web-long-client-name",
        "special",
        uploads=_a("x" * 3000 + ".png", "in/mri.png"),
        status=(200, 400, 422),
    ),
    w(
        "web-path-in-client-name",
        "special",
        uploads=_a("../../etc/scan.png", "in/html.png"),
        status=(415,),
        names="(scan.png)",
    ),
]


def all_cases() -> list[Case | WebCase]:
    return [*CLI_CASES, *WEB_CASES]


def _check_unique() -> None:
    seen: set[str] = set()
    for case in all_cases():
        if case.id in seen:
            raise ValueError(f"case id {case.id} is used twice")
        seen.add(case.id)


_check_unique()

__all__ = ["CLI_CASES", "WEB_CASES", "Case", "WebCase", "all_cases"]
