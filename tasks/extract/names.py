"""Word lists for entity names: titles and ranks, and well-known alternate names."""

from __future__ import annotations

# Words that come before a name without being part of it ("General Raheel Sharif").
TITLE_WORDS = frozenset(
    """
    mr mrs ms miss dr prof professor sir dame lord lady rev reverend fr father sister brother
    president vice prime minister secretary chancellor premier governor mayor senator sen
    congressman congresswoman representative rep ambassador envoy spokesman spokeswoman
    spokesperson chairman chairwoman chair chief executive ceo cfo coo cto director deputy general
    gen lieutenant lt colonel col major maj captain capt commander cmdr admiral adm sergeant sgt
    corporal marshal field brigadier officer inspector detective superintendent judge justice
    attorney king queen prince princess sheikh emir sultan pope cardinal bishop archbishop imam
    rabbi coach manager national security adviser advisor state foreign defence defense interior
    finance home army staff head leader founder president-elect former late acting interim
    grandmaster councillor councilman councilwoman commissioner minister-president pastor coach
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Courtesy titles before a name, by the sex they tell ("Ms Sturgeon"); "Dr" tells none. The one
# list the quote speakers use (all are TITLE_WORDS too).
MEN_HONORIFICS = frozenset({"Mr", "Sir", "Lord"})
WOMEN_HONORIFICS = frozenset({"Mrs", "Ms", "Miss", "Lady", "Dame"})
HONORIFICS = MEN_HONORIFICS | WOMEN_HONORIFICS | {"Dr"}

# Title words that only describe a role ("National Security" of "National Security Adviser", the
# "Army" of "Army Chief"): a run of title words names a role only if it holds another title word.
ROLE_MODIFIERS = frozenset(
    """
    national security state foreign defence defense interior finance home army staff field former
    late acting interim vice deputy executive
    """.split()  # noqa: SIM905 - a word list reads better as text
)
ROLE_WORDS = TITLE_WORDS - ROLE_MODIFIERS

# Words that name a service inside a title ("Chief of Defence Forces", "Chief of Naval Staff",
# "Inspector General of Police") but are ordinary words anywhere else: titles only, never trimmed
# off a name or kept out of keyphrases.
SERVICE_WORDS = frozenset({"forces", "force", "naval", "navy", "air", "police", "military"})

# Words after a person's name that are not part of who they are ("Martin Luther King Jr").
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})

# Words that end a company's full name, so "Norland" is short for "Norland Pharma" (but "Apple" is
# not short for "Apple Music").
CORPORATE_SUFFIXES = frozenset(
    """
    inc inc. corp corp. corporation co co. company ltd ltd. limited plc llc group holdings ag sa
    gmbh nv se pharma pharmaceuticals therapeutics biotech motors mining airlines airways energy
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Small words that may sit inside a title phrase ("Chief of Army Staff").
TITLE_JOINERS = frozenset({"of", "the", "for", "and", "de", "&"})

# Alternate names the model labels the same, folded to one canonical form (lower-cased keys).
ALIASES: dict[str, str] = {
    "us": "United States",
    "u.s.": "United States",
    "u.s": "United States",
    "usa": "United States",
    "u.s.a.": "United States",
    "united states": "United States",
    "united states of america": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "u.k.": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "united kingdom": "United Kingdom",
    "un": "United Nations",
    "u.n.": "United Nations",
    "united nations": "United Nations",
    "eu": "European Union",
    "e.u.": "European Union",
    "european union": "European Union",
    "uae": "United Arab Emirates",
    "united arab emirates": "United Arab Emirates",
    "ussr": "Soviet Union",
    "soviet union": "Soviet Union",
    "nato": "NATO",
    "north atlantic treaty organization": "NATO",
}

# What each alternate name above is, whatever the model called one of its forms.
ALIAS_LABELS: dict[str, str] = {
    "United States": "GPE",
    "United Kingdom": "GPE",
    "United Arab Emirates": "GPE",
    "Soviet Union": "GPE",
    "United Nations": "ORG",
    "European Union": "ORG",
    "NATO": "ORG",
}
