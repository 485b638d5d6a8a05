"""Which BrainFuse profile metric each entry of ``../shared/reference/golden-matlab.json``
(the MATLAB toolboxes' own values under GNU Octave: VIFB, MEFB, Liu et al. (TPAMI 2012), Tang,
FunFuseAn) reproduces, and the entries that cannot be compared.

Shared by :mod:`benchmarks.metrics_golden` (the agreement table in
``docs/results/metrics-golden.md``) and ``tests/metrics/test_golden_matlab.py`` (the tolerances).
"""

from __future__ import annotations

#: golden entry -> (profile, metric); the argument order of each toolbox call is the
#: profile's business (e.g. Tang's swapped Nabf call is reproduced inside ``tang``).
MAPPING: dict[str, tuple[str, str]] = {
    "FunFuseAn.FMI_pixel": ("paper", "FMI"),
    "FunFuseAn.Peilla_sw1": ("liu2012", "Q_S"),
    "FunFuseAn.VIFF": ("mefb", "VIFF"),
    "FunFuseAn.Wang_NCIE": ("liu2012", "NCIE"),
    "FunFuseAn.Xydeas_Qabf": ("liu2012", "Q_G"),
    "LiuTPAMI.ChenBlum_Qcb": ("liu2012", "Q_CB"),
    "LiuTPAMI.Chen_Qcv": ("liu2012", "Q_CV"),
    "LiuTPAMI.MI_Hossny": ("liu2012", "NMI"),
    "LiuTPAMI.MI_Nava": ("liu2012", "TE_Nava"),
    "LiuTPAMI.MI_Tsallis": ("liu2012", "TE"),
    "LiuTPAMI.PWW": ("liu2012", "Q_M"),
    "LiuTPAMI.Peilla_sw1": ("liu2012", "Q_S"),
    "LiuTPAMI.Peilla_sw2": ("liu2012", "Q_W"),
    "LiuTPAMI.Wang_NCIE": ("liu2012", "NCIE"),
    "LiuTPAMI.Xydeas_Qabf": ("liu2012", "Q_G"),
    "LiuTPAMI.Zhao_Qp": ("liu2012", "Q_P"),
    "LiuTPAMI.Zheng_rSFe": ("liu2012", "rSFe"),
    "MEFB.Avg_gradient": ("mefb", "AG"),
    "MEFB.Cross_entropy": ("mefb", "CE"),
    "MEFB.Edge_intensity": ("mefb", "EI"),
    "MEFB.Entropy": ("mefb", "EN"),
    "MEFB.FMI": ("mefb", "FMI"),
    "MEFB.MEF_SSIM_rgbrep": ("mefb", "MEF_SSIM"),
    "MEFB.NMI": ("mefb", "NMI"),
    "MEFB.Psnr": ("mefb", "PSNR"),
    "MEFB.Qabf": ("mefb", "Qabf"),
    "MEFB.Qc": ("mefb", "Q_C"),
    "MEFB.Qcb": ("mefb", "Q_CB"),
    "MEFB.Qcv": ("mefb", "Q_CV"),
    "MEFB.Qncie": ("mefb", "NCIE"),
    "MEFB.Qp": ("mefb", "Q_P"),
    "MEFB.Qw": ("mefb", "Q_W"),
    "MEFB.Qy": ("mefb", "Q_Y"),
    "MEFB.SD": ("mefb", "SD"),
    "MEFB.Spatial_frequency": ("mefb", "SF"),
    "MEFB.TE": ("mefb", "TE"),
    "MEFB.VIF": ("mefb", "VIFF"),
    "Tang.AG": ("tang", "AG"),
    "Tang.CC": ("tang", "CC"),
    "Tang.EN": ("tang", "EN"),
    "Tang.FMI_dct": ("tang", "FMI_dct"),
    "Tang.FMI_pixel": ("tang", "FMI_pixel"),
    "Tang.MI": ("tang", "MI"),
    "Tang.MSE": ("tang", "MSE"),
    "Tang.MS_SSIM": ("tang", "MS_SSIM"),
    "Tang.Nabf": ("tang", "Nabf"),
    "Tang.Nabf_sigorder": ("paper", "Nabf"),
    "Tang.PSNR": ("tang", "PSNR"),
    "Tang.Qabf": ("tang", "Qabf"),
    "Tang.SCD": ("tang", "SCD"),
    "Tang.SD": ("tang", "SD"),
    "Tang.SF": ("tang", "SF"),
    "Tang.VIF": ("tang", "VIF"),
    "VIFB.Avg_gradient": ("vifb", "AG"),
    "VIFB.Cross_entropy": ("vifb", "CE"),
    "VIFB.Edge_intensity": ("vifb", "EI"),
    "VIFB.Entropy": ("vifb", "EN"),
    "VIFB.Mutinf": ("vifb", "MI"),
    "VIFB.Psnr": ("vifb", "PSNR"),
    "VIFB.Qabf": ("vifb", "Qabf"),
    "VIFB.Qcb": ("vifb", "Q_CB"),
    "VIFB.Qcv": ("vifb", "Q_CV"),
    "VIFB.Rmse": ("vifb", "RMSE"),
    "VIFB.Spatial_frequency": ("vifb", "SF"),
    "VIFB.Ssim": ("vifb", "SSIM"),
    "VIFB.Variance": ("vifb", "SD"),
}
#: Entries whose code returned NaN on every triple (0/0 on the black background).
NAN_ENTRIES = {"LiuTPAMI.Cvejic_sw2": ("mefb", "Q_C"), "LiuTPAMI.Yang_Qy": ("mefb", "Q_Y")}
#: Entries the reference could not compute (documented in the golden README).
FAILED = {
    "LiuTPAMI.Hossny",
    "LiuTPAMI.Peilla_sw3",
    "MEFB.MEF_SSIM",
    "Tang.FMI_w",
    "Tang.SSIM",
}
