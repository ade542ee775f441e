"""Which participants a query names, and the query without them."""

from __future__ import annotations

from graphmem.retrieve.speakers import named_speakers, without_names


def test_named_speakers_match_whole_names_and_possessives_written_as_names() -> None:
    speakers = ["Caroline", "Melanie", "Mary Ann", "Al", "Will", "j.doe"]
    assert named_speakers("What did Caroline's sister tell MELANIE?", speakers) == ("Caroline", "Melanie")
    assert named_speakers("When did Mary  Ann move to Oslo?", speakers) == ("Mary Ann",)
    assert named_speakers("When did mary ann move to Oslo?", speakers) == ()  # a name keeps its capital
    assert named_speakers("What will Will bring?", speakers) == ("Will",)
    assert named_speakers("What will we bring?", speakers) == ()  # the verb, not the speaker
    assert named_speakers("Did J.Doe answer?", speakers) == ("j.doe",)  # a lowercase handle in any case
    assert named_speakers("Which algae did they find?", speakers) == ()  # "Al" is not in "algae"
    assert named_speakers("What does she like?", speakers) == ()


def test_without_names_drops_names_and_possessives_but_never_everything() -> None:
    assert without_names("What is Caroline's favourite book?", ["Caroline"]) == "What is favourite book?"
    assert without_names("Did Mary Ann and Mary meet?", ["Mary", "Mary Ann"]) == "Did and meet?"
    assert without_names("What did CAROLINE say", ["Caroline"]) == "What did say"
    assert without_names("Caroline?", ["Caroline"]) == "Caroline?"
    assert without_names("Where is Carolineville?", ["Caroline"]) == "Where is Carolineville?"
