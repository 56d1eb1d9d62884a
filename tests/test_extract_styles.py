"""border_map.extract on the reporting styles of dev texts 32-35: a live blog, an official
statement with no speech verb, a press item translated from Urdu, an Afghan outlet (one
test per rule; short texts written for the tests)."""

from __future__ import annotations

import datetime as dt

import pytest

from border_map.extract import extract

DAY = dt.date(2025, 10, 12)  # a Sunday


def _claims(draft):
    return [(c.claimant or c.organisation, c.side, [(f.kind, f.low, f.high) for f in c.figures])
            for inc in draft.incidents for c in inc.claims]


def _find(draft, kind, low):
    """(who, organisation, side) of the claims with a figure of ``kind`` and ``low``."""
    return [(c.claimant, c.organisation, c.side) for inc in draft.incidents for c in inc.claims
            if any(f.kind == kind and f.low == low for f in c.figures)]


# ---------------------------------------------------------------- statements


def test_a_press_release_header_names_the_claimant_of_its_own_sentences(gazetteer):
    draft = extract("Ministry of Foreign Affairs, Islamabad\n\nPress Release No. 12/2025\n\n"
                    "Pakistan strongly condemns the attack on border posts in Kurram district on "
                    "Saturday, which resulted in the martyrdom of two soldiers.\n\n"
                    "In the response, nine Afghan posts were destroyed and more than 20 "
                    "fighters were killed in Kurram district on Saturday.", date=DAY,
                    gazetteer=gazetteer)
    assert _find(draft, "killed", 2) == [(None, "Ministry of Foreign Affairs", "PK")]
    assert _find(draft, "killed", 21) == [(None, "Ministry of Foreign Affairs", "PK")]


def test_an_official_outlet_is_the_claimant_of_the_reports_own_sentences(gazetteer):
    draft = extract("More than 20 fighters were killed in a clash in Kurram district on "
                    "Saturday.",
                    date=DAY, source="Ministry of Foreign Affairs of Pakistan",
                    gazetteer=gazetteer)
    assert _find(draft, "killed", 21) == [(None, "Ministry of Foreign Affairs of Pakistan", "PK")]


def test_a_dateline_in_parentheses_names_the_issuer(gazetteer):
    draft = extract("Kabul, 12 October 2025 (Islamic Emirate Ministry of National Defence) – "
                    "Retaliatory operations were carried out in Kunar province overnight.\n\n"
                    "During these operations, 40 Pakistani soldiers were killed in Kunar "
                    "province.", date=DAY, gazetteer=gazetteer, source="Wire")
    assert {side for _, _, side in _find(draft, "killed", 40)} == {"AF"}


def test_according_to_the_statement_is_whoever_issued_it(gazetteer):
    draft = extract("The Inter-Services Public Relations issued a statement on Sunday about "
                    "fighting in Bajaur district. According to the statement, five terrorists "
                    "were killed.", date=DAY, gazetteer=gazetteer)
    assert [side for _, org, side in _find(draft, "killed", 5)
            if "Inter-Services" in (org or "")] == ["PK"]


def test_the_foreign_office_recalled_is_a_claim_of_pakistan(gazetteer):
    draft = extract("Seven soldiers were martyred in a cross-border attack in North Waziristan on "
                    "Friday, the FO recalled.", date=DAY, gazetteer=gazetteer)
    assert [side for _, _, side in _find(draft, "killed", 7)] == ["PK"]


# ---------------------------------------------------------------- live updates


def test_they_say_is_who_spoke_last_not_the_party_named_last(gazetteer):
    draft = extract("Taliban officials in Kunar say Pakistani forces shelled Dangam district "
                    "on Sunday. Pakistani forces have fired on the district before. They say "
                    "two children were killed.", date=DAY, gazetteer=gazetteer)
    assert [side for _, _, side in _find(draft, "killed", 2)] == ["AF"]


def test_beat_back_attacks_is_a_clash(gazetteer):
    draft = extract("The Pakistani military says its troops beat back attacks at several "
                    "points in Bajaur district on Saturday.", date=DAY, gazetteer=gazetteer)
    assert [(i.event_type, i.place.id) for i in draft.incidents] == [
        ("armed_clash", "pk.district.bajaur")]


# ---------------------------------------------------------------- translated press


def test_according_to_details_is_the_reports_own_account(gazetteer):
    draft = extract("According to details, Afghan forces opened fire in Kurram district on "
                    "Saturday, killing two people.", date=DAY, gazetteer=gazetteer,
                    source="Daily Frontier")
    assert _find(draft, "killed", 2) == [(None, "Daily Frontier", "third_party")]


def test_got_injured_is_wounded(gazetteer):
    draft = extract("Due to firing from the Afghan side at Chaman on Saturday, three persons "
                    "were martyred while seven got injured.", date=DAY, gazetteer=gazetteer)
    assert ("wounded", 7, 7) in [k for _, _, figs in _claims(draft) for k in figs]


def test_firing_from_the_afghan_side_is_a_clash(gazetteer):
    draft = extract("Due to firing from the Afghan side at Chaman on Saturday, three persons "
                    "were martyred.", date=DAY, gazetteer=gazetteer)
    assert [i.event_type for i in draft.incidents] == ["armed_clash"]


def test_became_martyrs_is_killed(gazetteer):
    draft = extract("Afghan forces opened fire in Kurram district on Saturday, and three "
                    "soldiers became martyrs, police said.", date=DAY, gazetteer=gazetteer)
    assert ("killed", 3, 3) in [k for _, _, figs in _claims(draft) for k in figs]


def test_a_title_then_its_place_then_the_name_is_the_person(gazetteer):
    draft = extract("Afghan forces opened fire at Chaman on Saturday. Deputy Commissioner "
                    "Chaman Raja Azhar Abbasi, while confirming the incident, told that seven "
                    "people were injured.", date=DAY, gazetteer=gazetteer)
    assert [(who, side) for who, _, side in _find(draft, "wounded", 7)] == [
        ("Raja Azhar Abbasi", "PK")]


# ---------------------------------------------------------------- more of real reporting


def test_sources_opening_a_sentence_are_the_speaker(gazetteer):
    draft = extract("Sources told TOLOnews that five Pakistani soldiers were killed in clashes "
                    "in Khost province on Sunday.", date=DAY, gazetteer=gazetteer, source="Wire")
    assert _find(draft, "killed", 5) == [(None, "Sources", "AF")]


def test_twenty_three_is_a_number_not_a_range(gazetteer):
    draft = extract("Afghan forces attacked posts in Kurram district on Sunday. Twenty-three "
                    "soldiers were martyred, the military's media wing said.", date=DAY,
                    gazetteer=gazetteer)
    assert [side for _, _, side in _find(draft, "killed", 23)] == ["PK"]


def test_martyring_is_killed(gazetteer):
    draft = extract("Pakistan's Foreign Office said Afghan forces fired on posts in Kurram "
                    "district on Sunday, martyring two soldiers.", date=DAY, gazetteer=gazetteer)
    assert [side for _, _, side in _find(draft, "killed", 2)] == ["PK"]


def test_details_provided_by_a_body_are_its_claim(gazetteer):
    draft = extract("According to details provided by the ISPR, five terrorists were killed in "
                    "clashes in North Waziristan on Sunday.", date=DAY, gazetteer=gazetteer)
    assert [side for _, _, side in _find(draft, "killed", 5)] == ["PK"]


def test_firing_on_a_check_post_is_a_clash(gazetteer):
    draft = extract("A soldier was martyred in firing on a check post in Bajaur district on "
                    "Sunday.", date=DAY, gazetteer=gazetteer)
    assert [(i.event_type, i.place.id) for i in draft.incidents] == [
        ("armed_clash", "pk.district.bajaur")]


def test_quoting_a_source_is_the_source_not_the_outlet(gazetteer):
    draft = extract("Heavy clashes killed 19 Pakistani soldiers in Khost province on Saturday, "
                    "TOLOnews reported, quoting a source from the Ministry of National Defense.",
                    date=DAY, gazetteer=gazetteer)
    assert [side for _, _, side in _find(draft, "killed", 19)] == ["AF"]


def test_according_to_the_source_is_not_the_party_after_the_comma(gazetteer):
    draft = extract("Officials in Khost said Pakistani forces shelled Paktia province on "
                    "Saturday. According to the source, 12 Pakistani soldiers were killed in "
                    "the clashes.", date=DAY, gazetteer=gazetteer)
    assert "Pakistani soldiers" not in [org for _, org, _ in _find(draft, "killed", 12)]


def test_told_the_outlet_is_not_an_inverted_speaker(gazetteer):
    draft = extract("Two civilians were killed when rockets landed in Dangam district on "
                    "Wednesday, the governor's spokesman, Wasifullah Wasifi, told Pajhwok Afghan "
                    "News.", date=DAY, gazetteer=gazetteer)
    assert [(who, side) for who, _, side in _find(draft, "killed", 2)] == [
        ("Wasifullah Wasifi", "AF")]


def test_a_title_of_a_department_then_the_name(gazetteer):
    draft = extract("Afghan provincial director of information Najibullah Hassan alleged that "
                    "five children were killed in an attack by Pakistani forces in Kunar "
                    "province on Saturday.", date=DAY, gazetteer=gazetteer)
    assert [(who, side) for who, _, side in _find(draft, "killed", 5)] == [
        ("Najibullah Hassan", "AF")]


def test_a_partys_title_then_the_name_is_the_man(gazetteer):
    draft = extract("Taliban defence ministry spokesman Enayatullah Khwarazmi said on X that "
                    "Afghan forces seized 19 Pakistani posts in clashes in Paktia province on "
                    "Sunday.", date=DAY, gazetteer=gazetteer)
    assert set(_find(draft, "posts_captured", 19)) == {
        ("Enayatullah Khwarazmi", "Taliban defence ministry spokesman", "AF")}


def test_the_claim_is_a_noun_not_a_speech_verb(gazetteer):
    draft = extract("The Pakistani Taliban said they killed seven soldiers in an ambush in "
                    "Bajaur district on Sunday. Pakistani officials did not comment on the "
                    "claim of the ambush.", date=DAY, gazetteer=gazetteer)
    sides = {c.side for inc in draft.incidents for c in inc.claims}
    assert "PK" not in sides


#: (text, figure kind, low, the claims with that figure as (claimant, organisation, side)):
#: one row per rule whose test is only that
ATTRIBUTIONS = [
    pytest.param("In a statement, the Foreign Office expressed grave concern over firing "
                 "from Afghanistan that killed two civilians in Kurram district on Saturday.",
                 "killed", 2, [(None, "Foreign Office", "PK")],
                 id="in_a_statement_the_subject_is_the_claimant_without_a_speech_verb"),
    pytest.param("Fighting broke out in Bajaur district on Saturday. Security sources tell "
                 "us that 23 soldiers were martyred.",
                 "killed", 23, [(None, "Security sources", "PK")],
                 id="sources_tell_us_in_the_present"),
    pytest.param("Afghan forces opened fire on a post in Kurram district on Saturday. On the "
                 "other hand, as per security sources, two check posts of the Afghan forces "
                 "were destroyed.",
                 "posts_destroyed", 2, [(None, "security sources", "PK")],
                 id="as_per_sources_is_according_to_them"),
    pytest.param("A spokesman for the Frontier Corps was quoted as saying that four soldiers "
                 "were martyred in clashes at Torkham on Sunday.",
                 "killed", 4, [(None, "spokesman for the Frontier Corps", "PK")],
                 id="a_spokesman_for_a_body_has_its_side"),
    pytest.param("In a video message, TTP spokesman Mohammad Khurasani claimed that 10 "
                 "soldiers were killed in an ambush in Bajaur district on Sunday.",
                 "killed", 10, [("Mohammad Khurasani", "TTP spokesman", "third_party")],
                 id="a_ttp_spokesman_is_a_third_party_wherever_he_speaks_of"),
    pytest.param("Talking to media persons, DPO Kurram Muhammad Imran said that two "
                 "policemen were martyred in firing from across the border on Sunday.",
                 "killed", 2, [("Muhammad Imran", "DPO Kurram", "PK")],
                 id="a_police_title_then_its_district_then_the_name"),
    pytest.param("Official sources confirmed to this scribe that three FC personnel were "
                 "martyred in firing from the Afghan side at Torkham on Sunday.",
                 "killed", 3, [(None, "Official sources", "PK")],
                 id="official_sources_are_one_speaker"),
    pytest.param("Al Jazeera cited a witness as saying that two children were killed in "
                 "shelling in Dangam district on Sunday.",
                 "killed", 2, [(None, "witness", "third_party")],
                 id="cited_as_saying_is_the_one_cited"),
    pytest.param("Through a communique, the Foreign Office expressed concern over firing on "
                 "a post in Kurram district on Sunday that killed two soldiers.",
                 "killed", 2, [(None, "Foreign Office", "PK")],
                 id="through_a_communique_is_in_a_statement"),
    pytest.param("The Taliban government's chief spokesman, Zabihullah Mujahid, said Afghan "
                 "forces captured 25 Pakistani army posts in Kunar province overnight.",
                 "posts_captured", 25,
                 [("Zabihullah Mujahid", "Taliban government's chief spokesman", "AF")],
                 id="a_partys_spokesman_named_after_is_the_man_of_its_side"),
    pytest.param("Two soldiers were martyred and another four sustained injuries when "
                 "militants attacked check-posts in Mamund tehsil on Sunday, official sources "
                 "said.",
                 "wounded", 4, [(None, "official sources", "PK")],
                 id="another_four_sustained_injuries_is_wounded"),
    pytest.param("Fitna al-Khawarij claimed that its fighters killed seven soldiers in an "
                 "ambush in Bajaur district on Sunday.",
                 "killed", 7, [(None, "Tehrik-i-Taliban Pakistan (TTP)", "third_party")],
                 id="fitna_al_khawarij_is_the_ttp"),
    pytest.param("Pakistan's military did not comment, but Afghan officials in Kunar told "
                 "reporters that 12 civilians were killed in shelling in Dangam district on "
                 "Sunday.",
                 "killed", 12, [(None, "Afghan officials", "AF")],
                 id="the_speaker_is_in_the_clause_of_its_verb"),
    pytest.param("Pakistani officials asserted that five soldiers were killed in clashes in "
                 "Kurram district on Sunday.",
                 "killed", 5, [(None, "Pakistani officials", "PK")],
                 id="asserted_is_a_speech_verb_not_as_per"),
]


@pytest.mark.parametrize(("text", "kind", "low", "expected"), ATTRIBUTIONS)
def test_who_claims_the_figure(text, kind, low, expected, gazetteer):
    assert _find(extract(text, date=DAY, gazetteer=gazetteer), kind, low) == expected


# ---------------------------------------------------------------- closures named by the crossing


@pytest.mark.parametrize("text", [
    "Torkham remained closed for a fourth day on Sunday.",
    "Torkham has been shut since Sunday after clashes between the two forces.",
])
def test_closing_a_place_that_is_a_crossing_is_a_closure_there(text, gazetteer):
    draft = extract(text, date=DAY, gazetteer=gazetteer)
    assert ("border_closure", "crossing.torkham") in [
        (i.event_type, i.place.id if i.place else None) for i in draft.incidents]


def test_closing_shops_in_a_town_is_no_closure(gazetteer):
    draft = extract("Shops in Parachinar remained closed on Sunday after the attack.", date=DAY,
                    gazetteer=gazetteer)
    assert "border_closure" not in [i.event_type for i in draft.incidents]
