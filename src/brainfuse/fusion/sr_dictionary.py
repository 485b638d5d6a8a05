"""The sparse-representation dictionary of LP-SR: learn it, ship it, load it.

Liu, Liu & Wang (2015) code 8×8 patches over a 64×256 dictionary learned with K-SVD from
100,000 patches of natural images. BrainFuse learns its own with the same shape and algorithm
from brain images: 8×8 patches sampled from the ``train`` split of ``harvard-aanlib`` (both
modalities of every pair; colour PET/SPECT reduced to BT.601 luma), never from the
``benchmark-overlap`` cases. The learned dictionary ships in ``brainfuse/fusion/data/`` with a
JSON manifest (data, split, patch size, atoms, seed, sha256, training error) and is rebuilt by::

    python -m brainfuse.fusion.sr_dictionary --data ../shared/data/harvard-aanlib

K-SVD (Aharon, Elad & Bruckstein 2006, IEEE TSP 54(11)) alternates two steps on the patch matrix
X (64 × n, each column a patch with its mean removed):

* sparse coding: each column of X is coded with ``sparsity`` atoms by orthogonal matching
  pursuit (scikit-learn's ``orthogonal_mp_gram``), giving Γ with X ≈ DΓ;
* atom update: for each atom d_k, the residual of the patches that use it with d_k added back,
  E_k = X_k − DΓ_k + d_k γ_k, is replaced by its best rank-one approximation σ u vᵀ:
  d_k ← u, γ_k ← σ v. An atom no patch uses is replaced by the worst-coded patch.

The dictionary starts from the overcomplete 2D DCT (16 × 16 frequencies on 8 × 8 pixels), so
the seed only drives the patch sampling.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import platform
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = [
    "DICTIONARY_FILE",
    "MANIFEST_FILE",
    "ksvd",
    "load_dictionary",
    "main",
    "odct_dictionary",
    "training_images",
    "training_patches",
]

DICTIONARY_FILE = "lpsr_dictionary.npy"
MANIFEST_FILE = "lpsr_dictionary.json"

#: Image folders of each pair set of harvard-aanlib.
_PAIRSETS = {"CT-MRI": ("CT", "MRI"), "PET-MRI": ("PET", "MRI"), "SPECT-MRI": ("SPECT", "MRI")}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def load_dictionary() -> np.ndarray:
    """The shipped LP-SR dictionary, 64 × 256 float64 with unit-norm columns (atoms).

    The array is read-only and cached.

    Returns
    -------
    dictionary : numpy.ndarray
        64 × 256 float64; each column is a row-major 8×8 patch with zero mean.

    Raises
    ------
    RuntimeError
        If the file's sha256 differs from the manifest's (the installation is damaged).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.sr_dictionary import load_dictionary
    >>> d = load_dictionary()
    >>> d.shape, bool(np.allclose(np.linalg.norm(d, axis=0), 1.0)), d.flags.writeable
    ((64, 256), True, False)
    """
    data = resources.files("brainfuse.fusion") / "data"
    manifest = json.loads((data / MANIFEST_FILE).read_text(encoding="utf-8"))
    with resources.as_file(data / DICTIONARY_FILE) as path:
        digest = _sha256(Path(path))
        if digest != manifest["sha256"]:
            raise RuntimeError(
                f"{path}: sha256 {digest} differs from the manifest's {manifest['sha256']}; "
                "reinstall brainfuse or rebuild it (python -m brainfuse.fusion.sr_dictionary)"
            )
        dictionary = np.load(path, allow_pickle=False)
    dictionary.setflags(write=False)
    return dictionary


def odct_dictionary(patch: int, atoms: int) -> np.ndarray:
    r"""Overcomplete 2D DCT dictionary: ``patch**2`` × ``atoms`` with unit-norm columns.

    Parameters
    ----------
    patch : int
        The patch side n; atoms have n² entries.
    atoms : int
        The number of atoms K, a perfect square.

    Returns
    -------
    dictionary : numpy.ndarray
        ``patch**2`` × ``atoms``, float64, unit-norm columns.

    Notes
    -----
    The 1D dictionary has :math:`k = \sqrt{K}` cosines :math:`\cos(\pi j n / k)`,
    n = 0..patch-1, j = 0..k-1, each non-constant one with its mean removed; the 2D atoms are
    their Kronecker products. It is K-SVD's usual starting point.

    Examples
    --------
    >>> from brainfuse.fusion.sr_dictionary import odct_dictionary
    >>> odct_dictionary(2, 4)
    array([[ 0.5,  0.5,  0.5,  0.5],
           [ 0.5, -0.5,  0.5, -0.5],
           [ 0.5,  0.5, -0.5, -0.5],
           [ 0.5, -0.5, -0.5,  0.5]])
    """
    k = round(np.sqrt(atoms))
    if k * k != atoms:
        raise ValueError(f"atoms must be a square number, got {atoms}")
    n = np.arange(patch)[:, None]
    d1 = np.cos(np.pi * n * np.arange(k)[None, :] / k)
    d1[:, 1:] -= d1[:, 1:].mean(axis=0)
    d1 /= np.linalg.norm(d1, axis=0)
    return np.kron(d1, d1)


def training_images(root: Path, split: str = "train") -> list[Path]:
    r"""Image files of ``split`` in harvard-aanlib, both modalities of each pair, sorted.

    Parameters
    ----------
    root : pathlib.Path
        The harvard-aanlib folder, with ``split.csv`` (columns ``pairset``, ``file``, ``split``)
        and one folder per pair set (``CT-MRI/CT``, ``CT-MRI/MRI``, ...).
    split : str, optional
        The split to list (default ``"train"``).

    Returns
    -------
    files : list of pathlib.Path
        The image files, both modalities of every pair of the split, sorted.

    Raises
    ------
    ValueError
        If ``split`` is ``"benchmark-overlap"``: those cases are reserved for evaluation and must
        never be used for training.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brainfuse.fusion.sr_dictionary import training_images
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "split.csv").write_text("pairset,file,split\nCT-MRI,1.png,train\n")
    >>> [p.relative_to(root).as_posix() for p in training_images(root)]
    ['CT-MRI/CT/1.png', 'CT-MRI/MRI/1.png']
    """
    if split == "benchmark-overlap":
        raise ValueError("benchmark-overlap cases are reserved for evaluation")
    rows = list(csv.DictReader((root / "split.csv").open(newline="", encoding="utf-8")))
    files = []
    for row in rows:
        if row["split"] != split:
            continue
        for folder in _PAIRSETS[row["pairset"]]:
            files.append(root / row["pairset"] / folder / row["file"])
    return sorted(files)


def training_patches(
    files: Sequence[Path],
    *,
    n_patches: int = 100_000,
    patch: int = 8,
    min_std: float = 2.0,
    seed: int = 0,
) -> np.ndarray:
    """Random mean-removed ``patch``×``patch`` patches of grey images, as columns.

    The same number of patches is drawn from each image, uniformly among its patches whose
    standard deviation is at least ``min_std`` grey levels (which leaves out the black
    background), with one ``numpy.random.default_rng(seed)`` consumed in file order. Colour
    images are reduced to BT.601 luma.

    Parameters
    ----------
    files : sequence of pathlib.Path
        Image files readable by :func:`brainfuse.io.load`.
    n_patches : int, optional
        The number of patches (default 100,000).
    patch : int, optional
        The patch side (default 8).
    min_std : float, optional
        The smallest standard deviation of a usable patch, in grey levels (default 2.0).
    seed : int, optional
        Seed of the random generator (default 0).

    Returns
    -------
    patches : numpy.ndarray
        ``patch**2`` × ``n_patches`` float64 (fewer columns when the images hold fewer usable
        patches), each column a row-major patch with its mean removed.
    """
    from ..color import rgb_to_grey
    from ..io import load

    rng = np.random.default_rng(seed)
    per_image = -(-n_patches // len(files))
    columns = []
    for path in files:
        image = load(path)
        grey = rgb_to_grey(image.array) if image.rgb else image.array
        windows = np.lib.stride_tricks.sliding_window_view(grey.astype(np.float64), (patch, patch))
        windows = windows.reshape(-1, patch * patch)
        usable = np.flatnonzero(windows.std(axis=1) >= min_std)
        pick = rng.choice(usable, size=min(per_image, usable.size), replace=False)
        columns.append(windows[np.sort(pick)])
    x = np.concatenate(columns)[:n_patches]
    return (x - x.mean(axis=1, keepdims=True)).T.copy()


def _ksvd_iteration(x: np.ndarray, d: np.ndarray, sparsity: int) -> float:
    """One K-SVD iteration, updating ``d`` in place; returns the RMS error of the coding."""
    import warnings

    from sklearn.linear_model import orthogonal_mp_gram

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Orthogonal matching pursuit ended")
        gamma = np.asarray(orthogonal_mp_gram(d.T @ d, d.T @ x, n_nonzero_coefs=sparsity))
    residual = x - d @ gamma
    rmse = float(np.sqrt(np.mean(residual**2)))
    replaced: set[int] = set()
    for k in range(d.shape[1]):
        users = np.flatnonzero(gamma[k])
        if users.size == 0:
            errors = np.einsum("ij,ij->j", residual, residual)
            errors[list(replaced)] = -1.0
            worst = int(np.argmax(errors))
            replaced.add(worst)
            d[:, k] = residual[:, worst] / np.linalg.norm(residual[:, worst])
            continue
        err = residual[:, users] + np.outer(d[:, k], gamma[k, users])
        u, s, vt = np.linalg.svd(err, full_matrices=False)
        sign = 1.0 if u[np.argmax(np.abs(u[:, 0])), 0] >= 0 else -1.0
        d[:, k] = sign * u[:, 0]
        gamma[k, users] = sign * s[0] * vt[0]
        residual[:, users] = err - np.outer(d[:, k], gamma[k, users])
    return rmse


def ksvd(
    x: np.ndarray,
    d0: np.ndarray,
    *,
    sparsity: int = 5,
    iterations: int = 10,
    progress: bool = True,
) -> tuple[np.ndarray, list[float]]:
    r"""K-SVD dictionary learning (Aharon, Elad & Bruckstein [1]_).

    BLAS runs on one thread: the matrices are small, and threads only cost when the cores are
    busy.

    Parameters
    ----------
    x : numpy.ndarray
        The signals, m × n (one per column).
    d0 : numpy.ndarray
        The starting dictionary, m × K (e.g. :func:`odct_dictionary`); its columns are
        normalised first.
    sparsity : int, optional
        Atoms per signal in the OMP sparse coding (default 5).
    iterations : int, optional
        Coding/update rounds (default 10).
    progress : bool, optional
        Show a progress bar (default True).

    Returns
    -------
    dictionary : numpy.ndarray
        The learned m × K dictionary: unit-norm columns, each with its largest-magnitude entry
        positive.
    rmse : list of float
        The RMS coding error per sample after each iteration's sparse coding.

    Notes
    -----
    Each iteration codes every column of X with ``sparsity`` atoms by orthogonal matching
    pursuit, :math:`X \approx D\Gamma`, then replaces each atom :math:`d_k` and its
    coefficients :math:`\gamma_k` by the best rank-one approximation :math:`\sigma u v^T` of the
    residual of the signals that use it,

    .. math:: E_k = X_k - D\Gamma_k + d_k \gamma_k, \quad d_k \leftarrow u, \quad
              \gamma_k \leftarrow \sigma v.

    An atom no signal uses is replaced by the worst-coded signal.

    References
    ----------
    .. [1] M. Aharon, M. Elad and A. Bruckstein, "K-SVD: an algorithm for designing overcomplete
       dictionaries for sparse representation", IEEE Trans. Signal Process. 54(11):4311-4322,
       2006. doi:10.1109/TSP.2006.881199

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.sr_dictionary import ksvd, odct_dictionary
    >>> rng = np.random.default_rng(0)
    >>> x = odct_dictionary(4, 16)[:, :8] @ (rng.random((8, 50)) * (rng.random((8, 50)) < 0.2))
    >>> d, rmse = ksvd(x, odct_dictionary(4, 16), sparsity=2, iterations=3, progress=False)
    >>> d.shape, rmse[-1] < rmse[0]
    ((16, 16), True)
    """
    from threadpoolctl import threadpool_limits
    from tqdm import tqdm

    d = d0 / np.linalg.norm(d0, axis=0)
    rmse = []
    with threadpool_limits(1, user_api="blas"):
        for _ in tqdm(range(iterations), desc="K-SVD", disable=not progress):
            rmse.append(_ksvd_iteration(x, d, sparsity))
    sign = np.sign(d[np.argmax(np.abs(d), axis=0), np.arange(d.shape[1])])
    return d * sign, rmse


def main(argv: Sequence[str] | None = None) -> int:
    """Learn the LP-SR dictionary and write it with its manifest (see the module docstring).

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default: ``sys.argv[1:]``): ``--data`` (the harvard-aanlib
        folder, required), ``--out``, ``--patches``, ``--atoms``, ``--patch``, ``--sparsity``,
        ``--iterations``, ``--min-std``, ``--seed``.

    Returns
    -------
    status : int
        0 on success.
    """
    parser = argparse.ArgumentParser(
        prog="python -m brainfuse.fusion.sr_dictionary", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--data", type=Path, required=True, help="the harvard-aanlib folder")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "data",
        help="output folder (default: the package's data folder)",
    )
    parser.add_argument("--patches", type=int, default=100_000)
    parser.add_argument("--atoms", type=int, default=256)
    parser.add_argument("--patch", type=int, default=8)
    parser.add_argument("--sparsity", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--min-std", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import sklearn

    files = training_images(args.data)
    x = training_patches(
        files, n_patches=args.patches, patch=args.patch, min_std=args.min_std, seed=args.seed
    )
    d, rmse = ksvd(
        x,
        odct_dictionary(args.patch, args.atoms),
        sparsity=args.sparsity,
        iterations=args.iterations,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / DICTIONARY_FILE
    np.save(target, d.astype(np.float64))
    manifest = {
        "file": DICTIONARY_FILE,
        "sha256": _sha256(target),
        "shape": list(d.shape),
        "dtype": "float64",
        "layout": "columns are atoms; an atom is a row-major 8x8 patch with zero mean",
        "data": "harvard-aanlib (The Whole Brain Atlas, Johnson & Becker, Harvard Medical School)",
        "split": "train",
        "split_csv_sha256": _sha256(args.data / "split.csv"),
        "images": len(files),
        "patch_size": args.patch,
        "atoms": args.atoms,
        "patches": int(x.shape[1]),
        "patch_sampling": f"equal share per image among patches with std >= {args.min_std} "
        "grey levels; colour images reduced to BT.601 luma; patch mean removed",
        "algorithm": "K-SVD (Aharon, Elad & Bruckstein 2006): OMP sparse coding "
        "(scikit-learn orthogonal_mp_gram), rank-one SVD atom updates, overcomplete-DCT start",
        "sparsity": args.sparsity,
        "iterations": args.iterations,
        "seed": args.seed,
        "rmse_per_iteration": [round(r, 6) for r in rmse],
        "software": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "command": "python -m brainfuse.fusion.sr_dictionary --data ../shared/data/harvard-aanlib",
    }
    (args.out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target} (sha256 {manifest['sha256']}); RMSE per iteration {rmse}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
