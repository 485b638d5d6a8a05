"""The plan's pictures and its HTML report.

- Two-plane figure (PNG, matplotlib): the two anatomical planes through the target that the
  surgeon watches (the trajectory is closest to perpendicular to the third), with the CT in a
  brain window, the hematoma's outline, the planned trajectory and, when given, the tip.
- Static 3D render (PNG, matplotlib's ``Poly3DCollection``) of the models, for printed reports.
- HTML report: one self-contained file that opens offline. The models (the GLB) and three.js
  r160 (its module build, ``GLTFLoader`` and ``OrbitControls``, MIT licence, vendored in
  ``static/three/``) are inlined; an import map points the module names at ``data:`` URLs.
"""

from __future__ import annotations

import base64
import html
import json
from importlib import resources
from pathlib import Path

import numpy as np

from ..io.image import Image
from .trajectory import PLANES, Trajectory

__all__ = ["html_report", "render_models", "two_plane_figure"]


def _slice_through(ct: Image, axis: int, point: np.ndarray, half: float = 60.0, step: float = 0.5):
    """Resample the plane ``world[axis] = point[axis]`` around ``point`` (±half mm)."""
    from scipy import ndimage

    inplane = [k for k in range(3) if k != axis]
    u = np.arange(-half, half + step / 2, step)
    g0, g1 = np.meshgrid(u, u, indexing="ij")
    world = np.zeros((*g0.shape, 3))
    world[..., axis] = point[axis]
    world[..., inplane[0]] = point[inplane[0]] + g0
    world[..., inplane[1]] = point[inplane[1]] + g1
    inv = np.linalg.inv(np.asarray(ct.affine))
    ijk = world @ inv[:3, :3].T + inv[:3, 3]
    return (
        ndimage.map_coordinates(ct.array, np.moveaxis(ijk, -1, 0), order=1, cval=-1000.0),
        u,
        inplane,
    )


def two_plane_figure(
    ct: Image, mask: np.ndarray, traj: Trajectory, path: Path, tip_mm: np.ndarray | None = None
) -> None:
    """Write the two-plane view as a PNG.

    Parameters
    ----------
    ct : Image
        The CT (HU).
    mask : numpy.ndarray
        The hematoma on the CT's grid.
    traj : Trajectory
        The plan.
    path : pathlib.Path
        The PNG to write.
    tip_mm : numpy.ndarray, optional
        The needle tip.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    perp = PLANES[traj.perpendicular_plane]
    views = [(n, a) for n, a in PLANES.items() if a != perp]
    fig, axes = plt.subplots(1, 2, figsize=(10, 5.2))
    maskimg = Image(mask.astype(np.float32), affine=ct.affine)
    for ax, (name, axis) in zip(axes, views, strict=True):
        img, u, inplane = _slice_through(ct, axis, traj.target_mm)
        m, _, _ = _slice_through(maskimg, axis, traj.target_mm)
        ext = [u[0], u[-1], u[0], u[-1]]
        ax.imshow(img.T, cmap="gray", vmin=0, vmax=90, origin="lower", extent=ext)
        if m.max() > 0.5:
            ax.contour(u, u, m.T, levels=[0.5], colors="red", linewidths=1.2)
        e = traj.entry_mm[inplane] - traj.target_mm[inplane]
        ax.plot([e[0], 0], [e[1], 0], color="gold", lw=2, label="planned trajectory")
        ax.plot(0, 0, "+", color="cyan", ms=14, mew=2, label="target")
        if tip_mm is not None:
            t = (np.asarray(tip_mm) - traj.target_mm)[inplane]
            ax.plot(t[0], t[1], "x", color="magenta", ms=10, mew=2, label="tip")
            ax.set_title(f"{name}: deviation in plane {np.linalg.norm(t):.2f} mm")
        else:
            ax.set_title(f"{name} plane through the target")
        ax.set_xlim(u[0], u[-1])
        ax.set_ylim(u[0], u[-1])
        ax.set_xlabel(f"{'xyz'[inplane[0]]} from target (mm)")
        ax.set_ylabel(f"{'xyz'[inplane[1]]} from target (mm)")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(
        f"Trajectory perpendicular to the {traj.perpendicular_plane} plane: depth "
        f"{traj.depth_mm:.1f} mm, needle {traj.diameter_mm:g} mm"
    )
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)


def render_models(models: list, path: Path, max_faces: int = 12000) -> None:
    """A static 3D render of the models (PNG), for reports that cannot hold a 3D view.

    Parameters
    ----------
    models : list of Model
        The structures (skin is left out: it would hide the rest).
    path : pathlib.Path
        The PNG.
    max_faces : int
        Faces drawn per structure at most (every k-th face of larger meshes).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    from .mesh import COLOURS

    fig = plt.figure(figsize=(7, 6))
    ax = fig.add_subplot(projection="3d")
    lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
    for m in models:
        if m.name == "skin":
            continue
        v, f = np.asarray(m.mesh.vertices), np.asarray(m.mesh.faces)
        f = f[:: max(1, len(f) // max_faces)]
        rgba = np.asarray(COLOURS.get(m.name, (200, 200, 200, 255))) / 255.0
        alpha = 0.08 if m.name == "skull" else float(rgba[3])
        ax.add_collection3d(
            Poly3DCollection(v[f], facecolor=(*rgba[:3], alpha), edgecolor="none", label=m.name)
        )
        lo, hi = np.minimum(lo, v.min(0)), np.maximum(hi, v.max(0))
    c, r = (lo + hi) / 2, float((hi - lo).max()) / 2
    ax.set_xlim(c[0] - r, c[0] + r)
    ax.set_ylim(c[1] - r, c[1] + r)
    ax.set_zlim(c[2] - r, c[2] + r)
    ax.set_xlabel("x (mm, right)")
    ax.set_ylabel("y (mm, anterior)")
    ax.set_zlabel("z (mm, up)")
    ax.view_init(elev=15, azim=-60)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)


def _static(name: str) -> str:
    return (resources.files("brainfuse.navigation") / "static" / "three" / name).read_text("utf-8")


def _data_url(text: str) -> str:
    return "data:text/javascript;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


_VIEWER = """
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
const el = document.getElementById('view');
const renderer = new THREE.WebGLRenderer({ antialias: true });
renderer.setSize(el.clientWidth, el.clientHeight);
el.appendChild(renderer.domElement);
const scene = new THREE.Scene();
scene.background = new THREE.Color(0x101418);
scene.add(new THREE.HemisphereLight(0xffffff, 0x404040, 2.0));
const sun = new THREE.DirectionalLight(0xffffff, 1.5); sun.position.set(1, 1, 2); scene.add(sun);
const camera = new THREE.PerspectiveCamera(40, el.clientWidth / el.clientHeight, 1, 5000);
camera.up.set(0, 0, 1);
const controls = new OrbitControls(camera, renderer.domElement);
const b64 = document.getElementById('glb').textContent.trim();
const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
new GLTFLoader().parse(bytes.buffer, '', gltf => {
  const root = gltf.scene;
  root.traverse(o => { if (o.isMesh) {
    const m = o.material; m.side = THREE.DoubleSide;
    if (m.opacity < 1) { m.transparent = true; m.depthWrite = false; }
  }});
  scene.add(root);
  const box = new THREE.Box3().setFromObject(root), c = box.getCenter(new THREE.Vector3());
  const r = box.getSize(new THREE.Vector3()).length();
  controls.target.copy(c); camera.position.set(c.x + r, c.y - r * 0.6, c.z + r * 0.4);
  controls.update();
  const list = document.getElementById('layers');
  root.children.forEach(o => {
    const label = document.createElement('label'), box = document.createElement('input');
    box.type = 'checkbox'; box.checked = true; box.onchange = () => { o.visible = box.checked; };
    label.append(box, ' ' + o.name); list.append(label);
  });
  document.body.dataset.models = String(root.children.length);
}, err => { document.body.dataset.error = String(err); });
(function loop() { requestAnimationFrame(loop); renderer.render(scene, camera); })();
"""


def html_report(path: Path, summary: dict, glb: bytes, pictures: dict[str, bytes]) -> None:
    """Write the self-contained HTML report.

    Parameters
    ----------
    path : pathlib.Path
        The HTML file.
    summary : dict
        The plan's numbers (as in ``plan.json``).
    glb : bytes
        The models as GLB.
    pictures : dict
        Caption → PNG bytes, shown as images.
    """
    gltf = _static("GLTFLoader.js").replace(
        "'../utils/BufferGeometryUtils.js'", "'three/addons/utils/BufferGeometryUtils.js'"
    )
    imports = {
        "three": _data_url(_static("three.module.min.js")),
        "three/addons/loaders/GLTFLoader.js": _data_url(gltf),
        "three/addons/controls/OrbitControls.js": _data_url(_static("OrbitControls.js")),
        "three/addons/utils/BufferGeometryUtils.js": _data_url(_static("BufferGeometryUtils.js")),
    }
    hem = summary["hematoma"]
    traj = summary["trajectory"]
    rows = [
        ("Hematoma volume (voxels)", f"{hem['volume_ml']:.2f} ml"),
        ("ABC/2 estimate", f"{hem['abc2_ml']:.2f} ml (A, B, C = {hem['abc_mm']} mm)"),
        ("Target", f"{traj['target_mm']} mm"),
        ("Entry (skull)", f"{traj['entry_mm']} mm"),
        ("Depth", f"{traj['depth_mm']} mm, needle {traj['diameter_mm']} mm"),
        (
            "View planes",
            f"{', '.join(traj['view_planes'])} (perpendicular to {traj['perpendicular_to']})",
        ),
        ("Crossings", json.dumps(traj["crossings_mm"])),
        ("Markers found", str(len(summary.get("markers_mm", [])))),
    ]
    if "deviation" in summary:
        rows.append(("Tip deviation d", f"{summary['deviation']['d_mm']} mm"))
    table = "\n".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows
    )
    figs = "\n".join(
        f'<figure><img alt="{html.escape(c)}" src="data:image/png;base64,'
        f'{base64.b64encode(b).decode("ascii")}"><figcaption>{html.escape(c)}</figcaption></figure>'
        for c, b in pictures.items()
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BrainFuse puncture plan</title>
<style>body{{font-family:sans-serif;margin:1.5em;background:#fafafa}}#view{{width:100%;height:560px;
border:1px solid #888}}table{{border-collapse:collapse}}th,td{{padding:3px 10px;text-align:left;
border-bottom:1px solid #ddd}}img{{max-width:100%}}#layers label{{margin-right:1em}}</style>
<script type="importmap">{json.dumps({"imports": imports})}</script></head><body>
<h1>Hematoma puncture plan</h1>
<p>Source: {html.escape(str(summary.get("ct", "")))}. Coordinates are the CT's world millimetres
(RAS+). A planning aid computed by BrainFuse (Peng et al. 2022 workflow), not a medical device.</p>
<table>{table}</table>
<h2>3D model</h2><div id="layers"></div><div id="view"></div>
<p>Drag to rotate, scroll to zoom, right-drag to pan. three.js r160 (MIT), inlined.</p>
<h2>Pictures</h2>{figs}
<script id="glb" type="application/octet-stream">{base64.b64encode(glb).decode("ascii")}</script>
<script type="module">{_VIEWER}</script>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
