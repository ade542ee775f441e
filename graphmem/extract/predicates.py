"""The canonical predicate vocabulary, as data, and the word lists that map language onto it.

Relations outside this vocabulary keep their verb lemma as predicate (lower confidence), so the
store never loses a fact just because we have no name for it yet.
"""

from __future__ import annotations

__all__ = [
    "PREDICATES",
    "SINGLE_VALUED",
    "PII_PREDICATES",
    "VERB_OBJECT",
    "VERB_PREP",
    "ADJ_PREP",
    "ACTIVITY_PREDICATES",
    "KINSHIP",
    "PETS",
    "FRIENDS",
    "PAST_STATES",
    "CANONICAL_CONFIDENCE",
    "GENERIC_CONFIDENCE",
    "GENERIC_SKIP_VERBS",
]

PREDICATES: frozenset[str] = frozenset(
    {
        # identity
        "name", "age", "birthday", "email", "phone",
        # places
        "lives_in", "from", "visited", "attended",
        # work / study
        "works_at", "works_as", "studies_at",
        # preferences
        "likes", "dislikes", "prefers", "wants", "plans_to",
        # possessions / orders
        "owns", "bought", "ordered", "returned", "uses",
        # people / animals
        "has_family_member", "has_pet", "friend_of",
        # health
        "allergic_to",
    }
)

# A new value replaces the old one (the store closes the previous fact).
SINGLE_VALUED: frozenset[str] = frozenset({"name", "lives_in", "works_at", "works_as", "age", "email"})

# Stored with attributes {"pii": True} so erasure and export can find them.
PII_PREDICATES: frozenset[str] = frozenset({"email", "phone"})

# verb lemma -> predicate, for "<subject> <verb> <object>" clauses.
VERB_OBJECT: dict[str, str] = {
    **dict.fromkeys(["like", "love", "enjoy", "adore", "luv", "lov", "dig"], "likes"),
    **dict.fromkeys(["hate", "detest", "dislike", "loathe", "despise"], "dislikes"),
    "prefer": "prefers",
    **dict.fromkeys(["buy", "purchase", "bought"], "bought"),
    "order": "ordered",
    "return": "returned",
    **dict.fromkeys(["use", "utilize"], "uses"),
    **dict.fromkeys(["own"], "owns"),
    **dict.fromkeys(["want", "need", "wanna"], "wants"),
    **dict.fromkeys(["plan", "intend"], "plans_to"),
    "visit": "visited",
    "attend": "attended",
}

# (verb lemma, preposition) -> predicate, for "<subject> <verb> <prep> <object>".
VERB_PREP: dict[tuple[str, str], str] = {
    ("live", "in"): "lives_in",
    ("live", "at"): "lives_in",
    ("reside", "in"): "lives_in",
    ("move", "to"): "lives_in",
    ("relocate", "to"): "lives_in",
    ("work", "at"): "works_at",
    ("work", "for"): "works_at",
    ("work", "in"): "works_at",
    ("work", "as"): "works_as",
    ("study", "at"): "studies_at",
    ("study", "in"): "studies_at",
    ("go", "to"): "visited",
    ("travel", "to"): "visited",
    ("come", "from"): "from",
    ("grow", "in"): "from",
    ("bear", "in"): "from",
    ("graduate", "from"): "attended",
}

# (adjective/participle lemma, preposition) -> predicate, for "<subject> is <adj> <prep> <object>".
ADJ_PREP: dict[tuple[str, str], str] = {
    ("allergic", "to"): "allergic_to",
    ("employ", "at"): "works_at",
    ("employ", "by"): "works_at",
    ("enrol", "at"): "studies_at",
    ("enroll", "at"): "studies_at",
    ("enrolled", "at"): "studies_at",
    ("into", "in"): "likes",
    ("fond", "of"): "likes",
    ("obsess", "with"): "likes",
    ("obsessed", "with"): "likes",
}

# With a verb complement ("I love to cook pasta") these take the activity ("cook pasta") as object;
# wants/plans_to take the complement's object instead ("I want to buy a laptop" -> laptop).
ACTIVITY_PREDICATES: frozenset[str] = frozenset({"likes", "dislikes", "prefers"})

KINSHIP: frozenset[str] = frozenset(
    "sister brother mother mom mum dad father son daughter wife husband aunt uncle cousin grandma "
    "grandmother grandpa grandfather granddaughter grandson niece nephew parent kid child sibling "
    "partner fiance fiancee fiancé fiancée boyfriend girlfriend stepmother stepfather stepson "
    "stepdaughter twin mommy daddy grandparent".split()
)
PETS: frozenset[str] = frozenset(
    "dog cat puppy kitten hamster parrot rabbit bunny goldfish horse turtle tortoise bird lizard "
    "snake ferret pony gecko".split()
)
FRIENDS: frozenset[str] = frozenset({"friend", "buddy", "pal", "bestie", "roommate", "bff"})

# Stated in the past tense these are over ("I lived in Chicago"), so they get valid_to.
PAST_STATES: frozenset[str] = frozenset({"lives_in", "works_at", "works_as", "studies_at", "owns"})

CANONICAL_CONFIDENCE = 0.85
GENERIC_CONFIDENCE = 0.5

# Verbs too light to make a useful generic fact.
GENERIC_SKIP_VERBS: frozenset[str] = frozenset(
    "be do have get make say tell think know mean guess see let give take call put keep find "
    "ask thank check send show try hear feel".split()
)
