import warnings

import pandas as pd
import pytest

from strikescope.taxonomy import (
    CLASSES,
    UnknownModelWarning,
    classify,
    normalize_model,
    reference_rows,
)
from tests.conftest import ATTACKS, OLD_RELEASE


def test_every_model_string_in_both_releases_is_known():
    models = set(pd.read_csv(ATTACKS, dtype=str).model) | set(
        pd.read_csv(OLD_RELEASE, dtype=str).model)
    unknown = [m for m in models if not classify(m, warn=False).known]
    assert unknown == []
    assert all(classify(m).weapon_class in CLASSES for m in models)


@pytest.mark.parametrize("model,cls,kind", [
    ("Shahed-136/131", "strike_drone", "drone"),
    ("C-300", "ballistic", "missile"),
    ("С-300", "ballistic", "missile"),  # Cyrillic С
    ("C-300/C-400", "ballistic", "missile"),
    ("Iskander-M/KN-23", "ballistic", "missile"),
    ("X-47 Kinzhal", "aeroballistic", "missile"),
    ("3M22 Zircon", "antiship", "missile"),
    ("P-800 Oniks", "antiship", "missile"),
    ("X-35", "antiship", "missile"),
    ("KAB", "guided_bomb", "missile"),
    ("Молнія", "tactical_uav", "drone"),
    ("Фенікс", "tactical_uav", "drone"),
    ("Картограф", "tactical_uav", "drone"),
    ("Привет-82", "tactical_uav", "drone"),
    ("Іскандер-М", "ballistic", "missile"),  # missiles named in Cyrillic, as statements do
    ("Искандер-К", "cruise", "missile"),
    ("Кинджал", "aeroballistic", "missile"),
    ("Калібр", "cruise", "missile"),
    ("Х-101 та Калібр", "cruise", "missile"),
    ("Циркон", "antiship", "missile"),
    ("Orlan-10 and ZALA and Supercam", "tactical_uav", "drone"),
    ("Unknown Missile", "unknown", "missile"),
])
def test_classes(model, cls, kind):
    c = classify(model)
    assert (c.weapon_class, c.kind, c.known) == (cls, kind, True)


def test_group_components_and_common_class():
    c = classify("X-101/X-555 and Kalibr and Iskander-K")
    assert c.components == ("X-101/X-555", "Kalibr", "Iskander-K")
    assert c.weapon_class == "cruise" and c.is_group


def test_group_of_different_classes_is_mixed():
    c = classify("X-47 Kinzhal and Iskander-M")
    assert c.weapon_class == "mixed" and c.kind == "missile"


def test_unseen_one_of_pair_of_known_models():
    assert classify("X-22/X-59").weapon_class == "cruise"


def test_unseen_string_is_unknown_with_warning():
    with pytest.warns(UnknownModelWarning, match="Zeta-9"):
        c = classify("Zeta-9 jet UAV")
    assert c.weapon_class == "unknown" and c.kind == "drone" and not c.known


@pytest.mark.parametrize("model,cls,kind,long_range,known", [
    # a new member of the Shahed family counts as a long-range strike drone (warned)
    ("Geran-9 jet UAV", "strike_drone", "drone", True, False),
    ("Shahed-238", "strike_drone", "drone", True, False),
    ("Gerbera decoy", "strike_drone", "drone", True, False),
    # the Latin "Kh-" spelling of the data's "X-"
    ("Kh-101", "cruise", "missile", True, True),
    ("Kh-101/Kh-555", "cruise", "missile", True, True),
    # a known family name inside an unseen string
    ("X-47M2 Kinzhal", "aeroballistic", "missile", True, False),
    ("Kalibr-NK", "cruise", "missile", True, False),
    ("Х-47 Кинджал", "aeroballistic", "missile", True, False),  # a name beside a Cyrillic code
    ("Iskander-M/Kalibr", "mixed", "missile", True, True),
    # "one of": the known alternatives' common class
    ("X-101/X-555/X-99", "cruise", "missile", True, False),
    ("Tochka-U", "ballistic", "missile", True, True),
    # alternatives of one kind but different classes: a mixed group of that kind
    ("Kh-22/Kh-32/Kh-35", "mixed", "missile", True, True),
    # a missile the reference lacks, in the class its words name
    ("ballistic missile of unknown type", "ballistic", "missile", True, False),
    ("Medium-range ballistic missile Oreshnik", "ballistic", "missile", True, False),
    ("aeroballistic missile", "aeroballistic", "missile", True, False),
    ("крилата ракета", "cruise", "missile", True, False),
    ("Zeta-9 missile", "unknown", "missile", True, False),
    # names of later reports
    ("Oreshnik", "ballistic", "missile", True, True),
    ("Shahed-136/131, Gerbera, Italmas", "strike_drone", "drone", True, True),
    ("Harpy", "strike_drone", "drone", True, True),
    # nothing known in it: counted nowhere, warned
    ("Zeta-9", "unknown", "unknown", False, False),
])
def test_unseen_strings_count_where_their_family_does(model, cls, kind, long_range, known):
    c = classify(model, warn=False)
    assert (c.weapon_class, c.kind, c.long_range, c.known) == (cls, kind, long_range, known)


def test_table_has_no_duplicates_and_valid_classes():
    rows = reference_rows()
    assert len({r["key"] for r in rows}) == len(rows)
    assert {r["class"] for r in rows} <= set(CLASSES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classify("Kalibr")


@pytest.mark.parametrize("model, cls, kind, long_range", [
    # variants of a known designation by a letter suffix take its class
    ("Kh-101M", "cruise", "missile", True), ("Х-101М", "cruise", "missile", True),
    ("X-59M", "cruise", "missile", True), ("C-300V", "ballistic", "missile", True),
    # designations and names the reference now holds, in the spellings of the reports
    ("Kh-47M2", "aeroballistic", "missile", True), ("Kh-BD", "cruise", "missile", True),
    ("RS-26 Rubezh", "ballistic", "missile", True), ("UMPB D-30", "guided_bomb", "missile",
                                                       False),
    # drones named by their role: decoys and strike or attack drones are long-range strike
    # drones; a decoy missile is not a drone, and a drone of no stated role stays unknown
    ("імітатори", "strike_drone", "drone", True), ("decoy drones", "strike_drone", "drone",
                                                   True),
    ("ударні БпЛА", "strike_drone", "drone", True), ("attack drones", "strike_drone",
                                                     "drone", True),
    ("decoy missiles", "unknown", "missile", True), ("project UAV", "unknown", "drone", False),
])
def test_unseen_model_strings_of_later_reports(model, cls, kind, long_range):
    c = classify(model, warn=False)
    assert (c.weapon_class, c.kind, c.long_range) == (cls, kind, long_range)
    assert c.known == (normalize_model(model) in {r["key"] for r in reference_rows()})
