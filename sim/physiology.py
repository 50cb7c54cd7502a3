"""Physiology defaults: pressures, viscosity, perfusion and territory flows, each with its source.

Tags follow ``shared/domain/reference.md``: R read in source, R2 secondary, M unverified,
D derived, U unsourced default (chosen for playability, and said so).
"""

from __future__ import annotations

BLOOD_VISCOSITY_PA_S = 3.5e-3  # Newtonian large-artery CFD constant (reference §2.2, tag M)
AORTIC_MEAN_PRESSURE_MMHG = 90.0  # hepatic artery ≈ systemic MAP 65–90 (Deranged Physiology, R)
# Sinusoidal/portal side the hepatic arterioles drain into: portal 5–10, mean ≈ 9 mmHg
# (reference §2.2, R); WHVP/HVPG < 5. We take 8 mmHg for liver and tumour beds.
LIVER_OUTLET_PRESSURE_MMHG = 8.0
SYSTEMIC_VENOUS_PRESSURE_MMHG = 5.0  # extrahepatic beds (U: central/mesenteric venous, typical)

# Normal-liver arterial perfusion. Sources disagree: AbdominalKey gives 30 mL/min/100 g (R);
# Carlisle 1992 (HA 3.5 mL/min/kg for a 1.75 kg liver at 70 kg) implies ≈ 14 (D). We take 18,
# which keeps the proper hepatic flow per kg inside Carlisle's 3.5 ± 45 % (choice, see physics.md).
NORMAL_LIVER_ARTERIAL_ML_MIN_PER_G = 0.18
# Hepatic arterial buffer response: HA compensates 25–60 % of a fall in portal flow and "can
# double" (ASA Toolbox, OpenAnesthesia, R). With portal vein thrombosis we raise normal-liver
# arterial perfusion by ×1.5 (midpoint, U).
PORTAL_THROMBOSIS_ARTERIAL_FACTOR = 1.5
# Arterial share of the blood supply: the hepatic artery feeds normal liver ~30 %, NET
# metastases ~99 % (the project's source page, reference §9, R; 30 % is inside the 20–40 % of
# ASA, OpenAnesthesia, Deranged Physiology and Carlisle 1992). The rest of normal liver's supply
# is portal: unopacified on an arterial run, and it carries the parenchyma through embolization.
NORMAL_LIVER_ARTERIAL_SHARE = 0.30
TUMOR_ARTERIAL_SHARE = 0.99
NECROTIC_CORE_RELATIVE_PERFUSION = 0.1  # necrotic core perfusion vs normal liver per gram (U)
TISSUE_DENSITY_G_ML = 1.03  # liver tissue density for Y-90 dosimetry (TheraSphere convention, M)

# Reference liver mass (ICRP Publication 89, R): 1800 g man, 1400 g woman.
LIVER_MASS_G = {"male": 1800.0, "female": 1400.0}
REFERENCE_WEIGHT_KG = {"male": 73.0, "female": 60.0}  # ICRP 89 reference adults (M)

# Extrahepatic territory flows at rest, mL/min.
# GDA = CHA − PHA per kg: 6.9 − 3.5 = 3.4 mL/min/kg (Carlisle 1992, R → D): a large share, which
# is why GDA reflux is a real risk.
GDA_ML_MIN_PER_KG = 3.4
TERRITORY_FLOW_ML_MIN = {
    "splenic": 250.0,  # spleen ≈ 5 % of cardiac output (U: textbook order of magnitude)
    "left_gastric": 60.0,  # U
    "right_gastric": 10.0,  # U: small branch (Ø ~1–2 mm, reference §1.1 U/M)
    "cystic": 8.0,  # U
    "falciform": 2.0,  # U: < 1 mm branch
    "sma": 600.0,  # superior mesenteric ≈ 10 % of cardiac output (U)
    "inferior_phrenic": 15.0,  # U
}
HEART_RATE_BPM = 72.0  # reference §2.2 Womersley calculation (D)

# Y-90 dose limits: the defaults of a case's scoring (the scenario reads them from here).
LUNG_LIMIT_GY = 30.0  # per treatment (van Roekel thesis p.41, R)
LUNG_CUMULATIVE_LIMIT_GY = 50.0  # (R)
NORMAL_LIVER_TOLERANCE_GY = 70.0  # non-cirrhotic, resin-equivalent (articl.net, R2)
