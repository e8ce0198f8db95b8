import pytest
import yaml

from coalign.io import InputError
from coalign.taxonomy.scirisk import TAXONOMY_PATH, load_taxonomy, read_taxonomy


def test_shipped_taxonomy_shape():
    tax = load_taxonomy()
    assert len(tax.disciplines) == 7
    assert len(tax.subdiscipline_ids) == 31
    assert len(tax.dimension_ids) == 10
    assert set(tax.discipline_ids) == {
        "astronomy",
        "biology",
        "chemistry",
        "engineering_technology",
        "earth_science",
        "mathematics",
        "physics",
    }
    published_dims = {d.id for d in tax.risk_dimensions if d.origin == "published"}
    assert published_dims == {
        "safety_omission",
        "knowledge_cutoff_drift",
        "laboratory_safety",
        "privacy_leakage",
    }
    # the lab's earlier set's subdisciplines are present and marked published
    for sub in (
        "pathogen_design",
        "genomic_privacy",
        "toxic_substances",
        "explosives",
        "nuclear_physics",
        "computer_security",
        "location_privacy",
        "dangerous_site_discovery",
        "mathematical_misinformation",
    ):
        assert tax.subdiscipline(sub).origin == "published"
    assert tax.discipline_of("explosives") == "chemistry"
    assert tax.applies("pathogen_design", "mass_casualty_uplift")
    assert not tax.applies("mathematical_misinformation", "mass_casualty_uplift")
    assert len(tax.cells()) == sum(
        len(s.risk_dimensions) for d in tax.disciplines for s in d.subdisciplines
    )


def _write(tmp_path, mutate):
    data = yaml.safe_load(TAXONOMY_PATH.read_text())
    mutate(data)
    p = tmp_path / "tax.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


def test_unknown_dimension_in_subdiscipline_is_rejected(tmp_path):
    p = _write(
        tmp_path,
        lambda d: d["disciplines"][0]["subdisciplines"][0]["risk_dimensions"].append("made_up"),
    )
    with pytest.raises(InputError, match="made_up") as e:
        read_taxonomy(p)
    assert str(p) in str(e.value)


def test_missing_definition_names_field(tmp_path):
    p = _write(tmp_path, lambda d: d["risk_dimensions"][0].pop("definition"))
    with pytest.raises(InputError) as e:
        read_taxonomy(p)
    assert e.value.field == "risk_dimensions.0.definition"


def test_duplicate_subdiscipline_rejected(tmp_path):
    def dup(d):
        subs = d["disciplines"][0]["subdisciplines"]
        subs.append(dict(subs[0]))

    with pytest.raises(InputError, match="duplicate subdiscipline"):
        read_taxonomy(_write(tmp_path, dup))
