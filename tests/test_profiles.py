"""Hardware profiles: the bundled files, validation errors and `share-neuro profiles`."""

import json
import shutil

import pytest
from click.testing import CliRunner

from share_neuro.cli import main
from share_neuro.energy.profiles import KINDS, ProfileError, bundled_profile_dir, list_profiles, load_profile
from share_neuro.errors import ShareNeuroError

BUNDLED = ("cmos45nm", "loihi1", "loihi1-sanafe", "loihi2")


def test_bundled_profiles_listed():
    assert [profile.name for profile in list_profiles()] == list(BUNDLED)


@pytest.mark.parametrize("name", BUNDLED)
def test_every_constant_has_provenance(name):
    profile = load_profile(name)
    assert profile.constants
    for key, constant in profile.constants.items():
        assert constant.source.strip(), key
        assert constant.kind in KINDS, key
        assert constant.unit, key
        assert constant.value >= 0, key


def test_loihi1_table2_values():
    profile = load_profile("loihi1")
    assert profile.si("energy.synaptic_op") == pytest.approx(23.6e-12)
    assert profile.si("energy.neuron_update") == pytest.approx(81e-12)
    assert profile.si("energy.spike_sent") == pytest.approx(1.7e-12)
    assert profile.si("power.static") == pytest.approx(0.104)
    assert profile.si("timing.synaptic_op") == pytest.approx(3.5e-9)
    assert profile.limit("neurons_per_core") == 1024
    assert profile.limit("synaptic_memory_per_core") == 128 * 1024
    assert profile.constants["energy.synaptic_op"].table == "Table 2"
    assert profile.constants["energy.synaptic_op"].voltage == "0.75 V"


def test_loihi2_marks_borrowed_constants():
    profile = load_profile("loihi2")
    assert profile.constants["energy.synaptic_op"].kind == "borrowed"
    assert profile.constants["power.static"].kind == "measured"
    assert profile.si("power.static") == pytest.approx(0.28)
    assert profile.limit("weight_bits") == 8


def test_cmos45nm_conventions():
    profile = load_profile("cmos45nm")
    assert profile.si("energy.synaptic_op") == pytest.approx(0.9e-12)
    assert profile.si("energy.mac") == pytest.approx(4.6e-12)
    assert not profile.prices_neuron_updates


def test_profile_loaded_from_path(tmp_path):
    path = tmp_path / "mine.toml"
    shutil.copy(bundled_profile_dir() / "loihi1.toml", path)
    profile = load_profile(str(path))
    assert profile.path == str(path)
    assert profile.si("energy.synaptic_op") == pytest.approx(23.6e-12)


def _edited_profile(tmp_path, old, new):
    text = (bundled_profile_dir() / "loihi1.toml").read_text()
    assert old in text
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_missing_field_rejected(tmp_path):
    path = _edited_profile(tmp_path, "[energy.spike_sent]", "[energy.spike_sent_renamed]")
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert "energy.spike_sent" in str(error.value)
    assert str(path) in str(error.value)


def test_missing_limit_rejected(tmp_path):
    path = _edited_profile(tmp_path, "[limits.cores_per_chip]", "[neuron_model.cores_per_chip_unused]")
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert "limits.cores_per_chip" in str(error.value)


def test_wrong_unit_rejected(tmp_path):
    old = 'value = 23.6\nunit = "pJ"'
    path = _edited_profile(tmp_path, old, 'value = 23.6\nunit = "ns"')
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert "energy.synaptic_op.unit" in str(error.value)
    assert "'ns'" in str(error.value)
    assert str(path) in str(error.value)


def test_negative_energy_rejected(tmp_path):
    path = _edited_profile(tmp_path, "value = 23.6", "value = -23.6")
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert "energy.synaptic_op.value" in str(error.value)
    assert "negative" in str(error.value)


def test_missing_source_rejected(tmp_path):
    path = _edited_profile(tmp_path, 'value = 81.0\nunit = "pJ"\nkind = "simulated"\nsource = ', 'value = 81.0\nunit = "pJ"\nkind = "simulated"\nreference = ')
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert "energy.neuron_update.source" in str(error.value)


def test_unknown_kind_rejected(tmp_path):
    path = _edited_profile(tmp_path, 'kind = "simulated"', 'kind = "guessed"')
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert "'guessed'" in str(error.value)


def test_fractional_limit_rejected(tmp_path):
    path = _edited_profile(tmp_path, "value = 1024", "value = 1024.5")
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert "limits.neurons_per_core.value" in str(error.value)


def test_invalid_toml_rejected(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[profile\nname = ")
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert "not valid TOML" in str(error.value)


def test_unknown_profile_name_rejected():
    with pytest.raises(ShareNeuroError) as error:
        load_profile("loihi9")
    assert "loihi9" in str(error.value)
    assert "loihi1" in str(error.value)


def test_profiles_cli_table():
    result = CliRunner().invoke(main, ["profiles"])
    assert result.exit_code == 0, result.output
    for name in BUNDLED:
        assert name in result.output
    assert "Davies et al." in result.output


def test_profiles_cli_json():
    result = CliRunner().invoke(main, ["profiles", "--json"])
    assert result.exit_code == 0, result.output
    profiles = json.loads(result.output)
    assert [profile["name"] for profile in profiles] == list(BUNDLED)
    constant = profiles[1]["constants"]["energy.synaptic_op"]
    assert set(constant) >= {"value", "unit", "si_value", "source", "kind"}


def test_profiles_cli_invalid_file_exit_code(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[profile]\nname = 'x'\n")
    result = CliRunner().invoke(main, ["profiles", str(path)])
    assert result.exit_code == 2
    assert "profile.title" in result.output
