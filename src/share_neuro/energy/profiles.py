"""Hardware profiles: one TOML file per target, every constant with its unit and source.

A constant is a TOML table `[section.name]` with `value`, `unit`, `source` and `kind`
(`measured`, `simulated`, `derived`, `assumed` or `borrowed`), and optionally `table`,
`voltage` and `note`. `docs/energy.md` lists the fields each profile needs.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Optional

from share_neuro.errors import ShareNeuroError

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 (the Lava environment)
    import tomli as tomllib

KINDS = ("measured", "simulated", "derived", "assumed", "borrowed")
PROFILE_KINDS = ("neuromorphic", "cmos")
SECTIONS = ("energy", "power", "timing", "neuron_model", "limits")

# Unit -> factor to the SI base unit of its quantity, per quantity.
UNITS = {
    "energy": {"fJ": 1e-15, "pJ": 1e-12, "nJ": 1e-9, "uJ": 1e-6, "J": 1.0},
    "power": {"uW": 1e-6, "mW": 1e-3, "W": 1.0},
    "time": {"ps": 1e-12, "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0},
    "count": {"count": 1},
    "bits": {"bit": 1},
    "bytes": {"byte": 1, "KiB": 1024, "MiB": 1024 * 1024},
    "steps": {"step": 1},
}

# The quantity of every section, and of the limits field by field.
SECTION_QUANTITY = {"energy": "energy", "power": "power", "timing": "time", "neuron_model": "count"}
LIMIT_QUANTITY = {
    "neurons_per_core": "count",
    "input_axons_per_core": "count",
    "fan_out_per_core": "count",
    "synaptic_memory_per_core": "bytes",
    "cores_per_chip": "count",
    "weight_bits": "bits",
    "state_bits": "bits",
    "max_delay": "steps",
}

REQUIRED_ENERGY = ("energy.synaptic_op", "energy.graded_synaptic_op", "energy.spike_sent", "energy.mac")
# A profile prices neuron updates either per update or per arithmetic operation.
PER_UPDATE_ENERGY = ("energy.neuron_update", "neuron_model.hrf_compartments")
PER_OPERATION_ENERGY = ("energy.add", "energy.multiply", "energy.compare")


class ProfileError(ShareNeuroError):
    """A hardware profile that is missing, unreadable or invalid."""


@dataclass(frozen=True)
class Constant:
    """One profile constant: value in its stated unit, the SI value and its provenance."""

    key: str  # "section.name"
    value: float
    unit: str
    si_value: float  # joules, watts, seconds, or the plain number for counts, bits, bytes, steps
    source: str
    kind: str
    table: Optional[str] = None
    voltage: Optional[str] = None
    note: Optional[str] = None

    def to_dict(self) -> dict:
        entry = {
            "value": self.value,
            "unit": self.unit,
            "si_value": self.si_value,
            "source": self.source,
            "kind": self.kind,
        }
        for name in ("table", "voltage", "note"):
            if getattr(self, name) is not None:
                entry[name] = getattr(self, name)
        return entry


@dataclass(frozen=True)
class Profile:
    """A validated hardware profile."""

    name: str
    title: str
    kind: str  # "neuromorphic" or "cmos"
    description: str
    path: str
    constants: dict = field(default_factory=dict)  # key -> Constant

    def has(self, key: str) -> bool:
        return key in self.constants

    def si(self, key: str) -> float:
        """Return the SI value of constant `key` (joules for energies)."""
        try:
            return self.constants[key].si_value
        except KeyError:
            raise ProfileError(f"Hardware profile {self.name!r} ({self.path}) has no field {key!r}.") from None

    def limit(self, name: str) -> int:
        """Return resource limit `name` as an integer in its base unit (bytes for memory)."""
        return int(self.si(f"limits.{name}"))

    @property
    def prices_neuron_updates(self) -> bool:
        """True when neuron updates are priced per update, False when per arithmetic operation."""
        return self.has("energy.neuron_update")

    def sources(self) -> list:
        return sorted({constant.source for constant in self.constants.values()})

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "description": self.description,
            "path": self.path,
            "constants": {key: constant.to_dict() for key, constant in sorted(self.constants.items())},
        }


def bundled_profile_dir() -> Path:
    """Return the folder of the profiles shipped with share-neuro."""
    return Path(str(resources.files("share_neuro") / "profiles"))


def list_profiles() -> list:
    """Load and return every bundled profile, sorted by name."""
    folder = bundled_profile_dir()
    return sorted((load_profile(path) for path in folder.glob("*.toml")), key=lambda profile: profile.name)


def load_profile(name_or_path) -> Profile:
    """Load a bundled profile by name, or a user's profile from a TOML file path."""
    path = _resolve(name_or_path)

    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ProfileError(f"Cannot read hardware profile {path}: {error.strerror}.") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"Hardware profile {path} is not valid TOML: {error}.") from None

    return _validate(document, path)


def _resolve(name_or_path) -> Path:
    text = str(name_or_path)
    bundled = bundled_profile_dir() / f"{text}.toml"
    if "/" not in text and not text.endswith(".toml") and bundled.is_file():
        return bundled

    path = Path(text)
    if path.is_file():
        return path

    available = ", ".join(sorted(p.stem for p in bundled_profile_dir().glob("*.toml")))
    raise ProfileError(
        f"Hardware profile {text!r} not found: it is neither a bundled profile ({available}) "
        "nor an existing TOML file. Pass one of those names or the path of your own profile."
    )


def _validate(document: dict, path: Path) -> Profile:
    header = document.get("profile")
    if not isinstance(header, dict):
        raise ProfileError(f"Hardware profile {path} is missing the [profile] table (name, title, kind, description).")
    for key in ("name", "title", "kind", "description"):
        if not isinstance(header.get(key), str) or not header[key]:
            raise ProfileError(f"Hardware profile {path}: field 'profile.{key}' is missing or not a non-empty string.")
    if header["kind"] not in PROFILE_KINDS:
        raise ProfileError(
            f"Hardware profile {path}: field 'profile.kind' is {header['kind']!r}; expected one of {', '.join(PROFILE_KINDS)}."
        )

    unknown = sorted(set(document) - set(SECTIONS) - {"profile"})
    if unknown:
        raise ProfileError(
            f"Hardware profile {path}: unknown section(s) {', '.join(unknown)}; allowed are profile, {', '.join(SECTIONS)}."
        )

    constants = {}
    for section in SECTIONS:
        entries = document.get(section, {})
        if not isinstance(entries, dict):
            raise ProfileError(f"Hardware profile {path}: '{section}' must be a table of constants.")
        for name, entry in entries.items():
            key = f"{section}.{name}"
            constants[key] = _validate_constant(key, entry, path)

    _check_required(header, constants, path)
    return Profile(
        name=header["name"],
        title=header["title"],
        kind=header["kind"],
        description=header["description"],
        path=str(path),
        constants=constants,
    )


def _quantity(key: str, path: Path) -> str:
    section, name = key.split(".", 1)
    if section == "limits":
        if name not in LIMIT_QUANTITY:
            raise ProfileError(
                f"Hardware profile {path}: unknown limit {key!r}; known limits are {', '.join(LIMIT_QUANTITY)}."
            )
        return LIMIT_QUANTITY[name]
    return SECTION_QUANTITY[section]


def _validate_constant(key: str, entry, path: Path) -> Constant:
    if not isinstance(entry, dict):
        raise ProfileError(f"Hardware profile {path}: field {key!r} must be a table with value, unit, source and kind.")
    for required in ("value", "unit", "source", "kind"):
        if required not in entry:
            raise ProfileError(f"Hardware profile {path}: field '{key}.{required}' is missing.")

    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ProfileError(f"Hardware profile {path}: field '{key}.value' is {value!r}; expected a finite number.")
    if value < 0:
        raise ProfileError(f"Hardware profile {path}: field '{key}.value' is {value}; it must not be negative.")

    quantity = _quantity(key, path)
    units = UNITS[quantity]
    unit = entry["unit"]
    if unit not in units:
        raise ProfileError(
            f"Hardware profile {path}: field '{key}.unit' is {unit!r}; a {quantity} field takes one of "
            f"{', '.join(units)}."
        )
    if quantity not in ("energy", "power", "time") and float(value) != int(value):
        raise ProfileError(f"Hardware profile {path}: field '{key}.value' is {value}; expected a whole number.")

    if entry["kind"] not in KINDS:
        raise ProfileError(
            f"Hardware profile {path}: field '{key}.kind' is {entry['kind']!r}; expected one of {', '.join(KINDS)}."
        )
    if not isinstance(entry["source"], str) or not entry["source"].strip():
        raise ProfileError(f"Hardware profile {path}: field '{key}.source' must be a non-empty citation.")
    for optional in ("table", "voltage", "note"):
        if optional in entry and not isinstance(entry[optional], str):
            raise ProfileError(f"Hardware profile {path}: field '{key}.{optional}' must be a string.")
    extra = sorted(set(entry) - {"value", "unit", "source", "kind", "table", "voltage", "note"})
    if extra:
        raise ProfileError(f"Hardware profile {path}: field {key!r} has unknown key(s) {', '.join(extra)}.")

    return Constant(
        key=key,
        value=value,
        unit=unit,
        si_value=value * units[unit],
        source=entry["source"],
        kind=entry["kind"],
        table=entry.get("table"),
        voltage=entry.get("voltage"),
        note=entry.get("note"),
    )


def _check_required(header: dict, constants: dict, path: Path) -> None:
    required = list(REQUIRED_ENERGY)
    if "energy.neuron_update" in constants:
        required += PER_UPDATE_ENERGY
    else:
        required += PER_OPERATION_ENERGY
    if header["kind"] == "neuromorphic":
        required += [f"limits.{name}" for name in LIMIT_QUANTITY]

    for key in required:
        if key not in constants:
            raise ProfileError(f"Hardware profile {path}: required field {key!r} is missing.")

    # Static energy needs both the power and the two latencies that give a step time.
    static = ("power.static", "timing.synaptic_op", "timing.neuron_update")
    present = [key for key in static if key in constants]
    if present and len(present) != len(static):
        missing = sorted(set(static) - set(present))
        raise ProfileError(
            f"Hardware profile {path}: field(s) {', '.join(missing)} missing; static energy needs "
            f"{', '.join(static)} together."
        )
