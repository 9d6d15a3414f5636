"""The cue words of an attribution: verbs of saying ("said", "told", "according to" …), and
whether a cue word stands as one ("amid reports" is a noun, "the United States" a name)."""

from __future__ import annotations

import re

CUES = (
    "according to|said|says|say|saying|told|tells|tell|telling|added|adds|adding|explained|explains|"
    "explaining|wrote|writes|insisted|insists|claimed|claims|claiming|alleged|alleges|stated|states|"
    "revealed|reveals|admitted|admits|admitting|warned|warns|noted|notes|asked|asks|replied|replies|"
    "continued|continues|recalled|joked|texted|tweeted|posted|reads|read|described|describes|urged|"
    "urges|announced|confirmed|confirms|argued|argues|commented|declared|acknowledged|conceded|"
    "suggested|predicted|promised|promising|recommended|called|calling|branded|quoted|testified|"
    "reported|reports|texting|describe|describing|replying|insisting|warning|writing|call|"
    # Round 3: more verbs of saying, as common in news copy as those above.
    "recalls|recalling|remarked|responded|quipped|snapped|shouted|yelled|screamed|exclaimed|"
    "complained|dismissed|denied|fired back|hit back|shot back|"
    # Round 4: the present forms of verbs above, and "remembers" beside "recalls".
    "suggests|calls|remembers|"
    # Round 7: the present and -ing forms of round 3's verbs ("an officer shouts").
    "remarks|responds|quips|snaps|shouts|shouting|yells|yelling|screams|screaming|exclaims|"
    "complains|complaining|dismisses|denies|denying|fires back|hits back|shoots back|"
    # Round 8: verbs of saying that stress or repeat ("he stressed", "reiterated"), comment and
    # assure, in every form.
    "stressed|stresses|stressing|emphasised|emphasises|emphasising|emphasized|emphasizes|"
    "emphasizing|reiterated|reiterates|reiterating|comments|commenting|assured|assures|assuring|"
    "pledged|pledges|vowed|vows|vowing|cautioned|cautions|countered|counters|boasted|boasts|"
    "labelled|labeled|labelling|labeling"
)
# "called on" is a visit (or a plea), "calling in sick" no saying; "admitted on the show" is one.
CUE = re.compile(rf"(?<!\w)(?<!\w-)(?!call(?:ed|ing)? (?:on|in)\b)(?:{CUES})(?![\w-])", re.IGNORECASE)
# A cue word after a determiner, a possessive or a preposition is a noun ("amid reports", "the
# claims", "over claims he lied"); an "-ing" form there is still a verb ("after saying").
_NOUN_BEFORE = re.compile(
    r"(?:\b(?:the|a|an|his|her|their|its|our|my|your|these|those|such|amid|over|about|despite|"
    r"following|of|with|from|in|at|for|against|among)|\w['’]s)\s+$",
    re.IGNORECASE,
)
# A capitalised word right before a capitalised cue word: both are a name's.
_NAME_BEFORE = re.compile(r"\b[A-Z][\w'’.&-]*\s+$")
# Cues whose object is the one spoken to: never inverted ("‘…,’ told the BBC" names no speaker).
LISTENER_CUES = {"told", "tells", "tell", "asked", "asks"}
# Cue verbs that say nothing before "to" ("continued to fight", "asks to join").
_NOT_BEFORE_TO = {"continued", "continues", "asked", "asks"}
# A cue in the passive ("was asked", "were told") makes its subject the one spoken to.
PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+$", re.IGNORECASE)
PARTICIPLE_FORMS = re.compile(r"(?:\w+ed|told|said|read|called)$", re.IGNORECASE)
# Cues whose subject is the clause's, not the word before them ("…, saying:", "…, adding").
PARTICIPLES = {
    "saying",
    "adding",
    "explaining",
    "claiming",
    "admitting",
    "telling",
    "insisting",
    "warning",
    "writing",
    "replying",
    "calling",
    "describing",
    "texting",
    "promising",
}
# Verbs that make their subject the person a later "he" or "she" most likely means.
SALIENT_VERBS = f"{CUES}|believes|believed|thinks|insisted|talked|spoke|speaking"
SALIENT = re.compile(rf"(?<![\w-])(?:{SALIENT_VERBS})(?![\w-])")


def find_cues(text: str, lo: int, hi: int) -> list[re.Match[str]]:
    """The cues in ``text[lo:hi]`` used as verbs of saying."""
    return [cue for cue in CUE.finditer(text, lo, hi) if is_saying(text, cue)]


def is_saying(text: str, cue: re.Match[str]) -> bool:
    """Whether a cue word is used as a verb of saying, not as a noun or before "to" + verb."""
    word = cue.group().lower()
    if not word.endswith("ing") and _NOUN_BEFORE.search(text, max(0, cue.start() - 12), cue.start()):
        return False
    if cue.group()[:1].isupper() and _NAME_BEFORE.search(text, max(0, cue.start() - 30), cue.start()):
        return False  # a word of a name ("the United States faced …", "Daily Reports")
    return not (word in _NOT_BEFORE_TO and text[cue.end() : cue.end() + 4] == " to ")
