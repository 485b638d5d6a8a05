"""Planning for hematoma puncture with navigation: the computable parts of MRHNT (Peng et al.).

Peng et al. (2022, Front. Neurosci. 16:850179, "Application of fused reality holographic image
and navigation technology in the puncture treatment of hypertensive intracerebral
hemorrhage") treat hypertensive intracerebral hemorrhage by puncture and drainage, guided by a
hologram registered to the patient with three fiducial markers. This package does, in Python,
every step between the CT and the headset: hematoma segmentation and volume (with ABC/2
beside it), surface models of skull, skin, ventricles, hematoma and markers (STL, OBJ, GLB),
trajectory planning with its two-plane view, point-based fiducial registration with FRE and
TRE, and the article's outcome statistics. See ``docs/navigation.md``.
"""
