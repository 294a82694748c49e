"""Energy model: hardware profiles, operation counts, energy estimates and baselines.

Torch-free, so that it also runs in the Lava environment.
"""

from share_neuro.energy.estimate import estimate_energy
from share_neuro.energy.profiles import Profile, ProfileError, list_profiles, load_profile

__all__ = ["Profile", "ProfileError", "estimate_energy", "list_profiles", "load_profile"]
