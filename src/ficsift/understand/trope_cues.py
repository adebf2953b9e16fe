"""The cue table for :mod:`ficsift.understand.tropes`: which words point at which AO3 tag.

Every tag named here is an AO3 canonical freeform; ``tropes`` asserts at load time that each
one resolves to itself through the ontology, so a typo or a tag AO3 has merged away fails
loudly instead of producing an invented tag.

Cue syntax, kept compact so the table stays readable: ``"captive=3|captor*=3|in chains=2"``
is a ``|``-separated list of lower-case phrases, each with an optional ``=weight`` (default
1).  A phrase matches whole words only; a trailing ``*`` lets the last word run on
(``captor*`` matches captor, captors, captorship).  Straight apostrophes stand for curly ones
too (the scanner folds ’ to ').

Weights are rough strengths on one scale: 1 = a word that is common in unrelated scenes
("blood"), 2 = a word that usually means the trope ("chained"), 3 = a word that says it
outright ("held captive", "soulmate").  Thresholds are in the same units: the score of the best
~1,500-word window (see the ``tropes`` docstring), so "4" reads as "two telling words or one
explicit phrase and some support in one scene".
"""

from __future__ import annotations

from dataclasses import dataclass, field


def parse_cues(spec: str) -> dict[str, float]:
    """``"a=2|b*|c d=0.5"`` → ``{"a": 2.0, "b*": 1.0, "c d": 0.5}``."""
    out: dict[str, float] = {}
    for part in spec.split("|"):
        part = part.strip()
        if not part:
            continue
        phrase, _, weight = part.partition("=")
        out[" ".join(phrase.lower().split())] = float(weight) if weight else 1.0
    return out


@dataclass(frozen=True)
class Trope:
    """A tag found by cue words clustered in one scene.

    ``partner`` is a second cue group that must occur in the same window (Hurt/Comfort needs
    both hurt and comfort); the window then scores the geometric mean of the two, so a
    window full of one and empty of the other scores zero.  ``against`` cues argue for a
    different reading of the same words (a safeword turns chains into kink, not captivity)
    and are subtracted from the window's score.
    """

    tag: str
    cues: dict[str, float]
    threshold: float = 4.0
    min_distinct: int = 2
    partner: dict[str, float] = field(default_factory=dict)
    against: dict[str, float] = field(default_factory=dict)


def trope(
    tag: str,
    cues: str,
    threshold: float = 4.0,
    min_distinct: int = 2,
    partner: str = "",
    against: str = "",
) -> Trope:
    return Trope(
        tag, parse_cues(cues), threshold, min_distinct, parse_cues(partner), parse_cues(against)
    )


# -- shared cue groups ---------------------------------------------------------------------------

# Consent and negotiation: their presence reads chains, whips and collars as play, not harm.
CONSENSUAL_KINK = (
    "safeword*=3|safe word*=3|aftercare=3|green light|color green|colour green|"
    "say red|yellow light|do you trust me|scene=0.5|negotiat*"
)

SEXUAL = (
    "naked|undressed|undressing|cock|cocks|erection|thrust|thrusts|thrusting|orgasm*|climax*|"
    "come for me|moaned|moaning|her breasts|nipple*|made love=2|make love=2|making love=2|"
    "have sex=2|had sex=2|having sex=2|aroused|arousal|clothes off|shirt off|"
    "between her legs=1.5|between his legs=1.5|inside her=1.5|inside him=1.5|fucked|fucking=0.5"
)

HURT = (
    "injured=2|injury=2|injuries=2|wounded=2|wounds=2|his wound=2|her wound=2|the wound=1.5|"
    "bleeding=1.5|bled=1|blood=0.5|bandage*=2|bandaging=2|bruised=1.5|bruises=1.5|"
    "concussion=2|concussed=2|broken rib*=2|stitches=1.5|fever=1.5|feverish=2|pain=1|"
    "hurt=0.5|hurts=1|winced=1|wincing=1|groaned=0.5|limping=1|nightmare*=1.5|trembling=0.5|"
    "shaking=0.5|sobbed=1|sobbing=1|sobs=1|flinched=1|flinching=1|hospital=1|infirmary=1.5|"
    "painkillers=2|splint=2|splinted=2|burns=1|fractured=2|fracture=2|knocked unconscious=2|"
    "lay unconscious=2|was unconscious=1.5|passed out=1"
)

COMFORT = (
    "comfort=2|comforted=2|comforting=2|comforts=1|soothe=2|soothed=2|soothing=2|shh*=1.5|"
    "hush=1|it's okay=1|it's all right=1|it's alright=1|you're safe=2|i've got you=2|"
    "held him close=2|held her close=2|held him tight=2|held her tight=2|held him while=2|"
    "held her while=2|holding him close=2|holding her close=2|in his arms=1|in her arms=1|"
    "stroked his hair=2|stroked her hair=2|stroking his hair=2|stroking her hair=2|"
    "stroked his back=2|stroked her back=2|rubbed his back=2|rubbed her back=2|rocked him=2|"
    "rocked her=2|tended=1|tending to=1|took care of=1.5|look after you=1.5|looked after=1|"
    "cared for=1|reassured=1.5|reassuring=1.5|reassurance=1.5|tucked him in=2|tucked her in=2|"
    "cuddled=1|cuddling=1|hug=1|hugged=1|hugging=1|stay with me=1.5|i'm here=1.5|"
    "not going anywhere=1.5|cup of tea=0.5|blanket=0.5|blankets=0.5"
)

# Tone lexicons for the genre tags (densities per 1,000 words over the whole story).
SAD = (
    "tears|tear-streaked|cried|crying|cry|weep|weeping|wept|sobbed|sobbing|sobs|grief|grieve|"
    "grieved|grieving|mourn|mourned|mourning|ache|aching|"
    "heartbreak*|heartbroken|despair*|anguish*|misery|miserable|lonely|loneliness|alone|"
    "guilt*|regret*|sorrow*|hopeless*|numb|broken|shatter*|devastat*|funeral|dead|death|"
    "died|dying|suicid*|hurt|hurts|pain|painful|lost|loss|empty|emptiness|scream*|"
    "i'm sorry|so sorry|forgive me|never again|couldn't breathe|can't breathe|trembl*|"
    "bitter*|hate|hated|afraid|fear|terrified|dread"
)

HAPPY = (
    "smile*|smiling|grin*|giggl*|laugh*|beam*|cuddl*|snuggl*|cozy|cosy|warm|warmth|soft|"
    "softly|sweet|sweetly|happy|happily|happiness|delight*|joy|joyful|blanket*|hug|hugs|hugged|hugging|"
    "adorabl*|cute|cocoa|hot chocolate|cookies|biscuits|kitten*|puppy|puppies|tease*|"
    "teasing|playful*|fond*|grateful|content|contentment|bliss*|lovely|pleased|cheerful*|"
    "kissed her forehead|kissed his forehead|kissed her cheek|kissed his cheek|sunshine|"
    "picnic|christmas|presents|pancakes|breakfast in bed"
)

LAUGH = (
    "laugh*|chuckl*|giggl*|snort*|snicker*|guffaw*|joke*|joking|jok*|teas*|grin*|smirk*|"
    "rolled her eyes|rolled his eyes|rolled their eyes|sarcas*|ridiculous|absurd|idiot*|"
    "prat|git|bollocks|oh my god|funny|hilarious|amused|amusement|wry|wryly|deadpan|"
    "banter*|quip*|pun|puns|silly"
)

LOVE = (
    "love=1.5|loved=1.5|loves=1|lover*=2|in love=3|my love=3|darling=2|sweetheart=2|beloved=2|"
    "kiss*=1.5|kissed=1.5|her lips=1.5|his lips=1.5|embrace*=1|caress*=1.5|tender*=1|"
    "romantic*=2|romance=2|adore*=1.5|heart=0.5|date=0.5|held hands=2|holding hands=2|"
    "his arms around=1|her arms around=1|desire=1|longing=1|yearn*=1.5|"
    "i love you=3|love you=2|marry me=2|wedding=1|blush*=1|flirt*=1.5"
)

ENGLISH = "the|and|to|of|was|he|she|it|that|in|you|his|her|a"


# -- tropes and themes found by clustered cue words ---------------------------------------------

TROPES: list[Trope] = [
    trope(
        "Captivity",
        "captive=3|captivity=3|captor*=3|prisoner*=2|imprison*=2|held prisoner=3|"
        "chained=2|in chains=2|chains=1.5|chain=1|shackle*=2|manacle*=2|cell=1|cage*=1.5|caged=2|"
        "dungeon*=2|locked in=1.5|locked her in=2|locked him in=2|locked up=1.5|leash*=1.5|"
        "collar*=1|let me go=2|let her go=1|let him go=1|escape*=1|keep her=1|keep him=1|"
        "kept her=1.5|kept him=1.5|bars=1|cot=0.5|pet=0.5|pets=0.5|ransom=2|free me=2",
        threshold=8,
        min_distinct=3,
        against=CONSENSUAL_KINK,
    ),
    trope(
        "Torture",
        "tortur*=3|torment*=2|burned her=2|burned him=2|burnt her=2|burnt him=2|"
        "burn her=2|burn him=2|burns=1|blister*=1.5|matches=1|match=0.5|lit match=2|"
        "screamed=1|scream*=1|agony=2|agonis*=2|agoniz*=2|whimper*=1|begged=1|beg=0.5|"
        "please stop=2|make it stop=2|cut her=1.5|cut him=1.5|knife=0.5|blade=0.5|"
        "hot iron=2|branded=2|branding=2|electrocut*=2|interrogat*=1.5|pliers=1.5|"
        "broke his fingers=3|broke her fingers=3|flayed=2|whipped=1|lash*=1|pain=0.5",
        threshold=8,
        min_distinct=3,
        against=CONSENSUAL_KINK,
    ),
    trope(
        "Kidnapping",
        "kidnap*=3|abduct*=3|ransom=2|snatched=1.5|gagged=2|blindfolded=1|taken from=1.5|"
        "dragged into=1|van=0.5|chloroform=2|captor*=2|hostage*=2",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Hurt/Comfort",
        HURT,
        threshold=3.5,
        min_distinct=3,
        partner=COMFORT,
    ),
    trope(
        "First Time",
        "first time=1|your first time=3|my first time=3|our first time=3|her first time=3|"
        "his first time=3|first time together=3|first time with=2|never done this=3|"
        "never done that=2|never been with=3|virgin=3|virgins=2|virginity=3|never had sex=3|"
        "never slept with=3|never with a man=3|never with a woman=3|not done this before=3|"
        "first night together=2|deflower*=3|inexperience*=2",
        threshold=3,
        min_distinct=1,
        partner=SEXUAL,
    ),
    trope(
        "Dom/sub",
        "sir=0.5|mistress=2|master=1|kneel*=2|on your knees=2|knelt=1.5|good girl=2|good boy=2|"
        "obey*=2|obedien*=2|submi*=2|dominan*=2|domme=3|dom=2|sub=1.5|safeword*=3|safe word*=3|"
        "permission=1|punish*=1.5|command*=1|orders=1|yes, sir=2|yes, ma'am=2|yes, mistress=3|"
        "collar*=1.5|control=0.5|owned=1|belong to me=2|beg for it=2|please, sir=2",
        threshold=5,
        min_distinct=4,
        # "Yes, sir" and orders are also an army's: D/s is the same words in an intimate scene.
        partner=SEXUAL,
    ),
    trope(
        "Bondage",
        "rope*=1.5|tied=1.5|tied up=2|tie you=2|tie her=2|tie him=2|cuffs=2|cuffed=2|"
        "handcuff*=2|restrain*=2|bound=1|blindfold*=1.5|shackle*=1|spreader bar=3|"
        "knots=1|headboard=1.5|wrists=1|bonds=1.5|silk scarf=1.5|tie=0.5",
        threshold=5,
        min_distinct=3,
        partner=SEXUAL,
    ),
    trope(
        "Spanking",
        "spank*=3|over his knee=3|over her knee=3|over my knee=3|across his knee=3|"
        "across her knee=3|paddle*=2|bottom=0.5|arse=0.5|ass=0.5|smack*=1|swat*=1|sting*=0.5",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Whipping",
        "whip=2|whips=2|whipped=2|whipping=3|flogg*=3|flogger=3|crop=1.5|riding crop=3|lash*=2|"
        "cane=1.5|caned=2|welts=2|stripes=1|strokes=1",
        threshold=8,
        min_distinct=2,
    ),
    trope(
        "Collars",
        "collar=2|collared=3|collars=2|her collar=1|his collar=1|leather collar=3|"
        "buckled=1|leash*=1.5|d-ring=2",
        threshold=6,
        min_distinct=2,
        # Shirt collars are in every story: only a collar on a person in a sexual scene counts.
        partner=SEXUAL,
    ),
    trope(
        "Aftercare",
        "aftercare=3|after the scene=2|drop=0.5|sub drop=3|blanket*=1|water=0.5|"
        "cleaned her up=1.5|cleaned him up=1.5|held her=1|held him=1|rubbed lotion=2|arnica=2",
        threshold=5,
        min_distinct=2,
        partner="kneel*|collar*|spank*|whip*|flogg*|tied|rope*|cuffs|safeword*|scene",
    ),
    trope(
        "Pregnancy",
        "pregnan*=3|the baby=1.5|midwife=2|due date=2|morning sickness=3|trimester=3|"
        "contractions=2|her belly=1.5|baby bump=3|expecting=1|ultrasound=3|maternity=2|"
        "labour=1|labor=1|nursery=1",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Alcohol",
        "whisky=2|whiskey=2|scotch=2|wine=1.5|beer=1.5|pint*=1.5|drunk=1.5|vodka=2|gin=1.5|"
        "bourbon=2|brandy=2|booze=2|cider=1|champagne=1.5|rum=1.5|lager=2|tipsy=2|hangover=2|"
        "hung over=2|glass of=1|bottle=1|pub=1|bar=0.5|drink=0.5|drinks=1|drinking=1|"
        "a drink=1|sherry=1.5|tequila=2|shots=1",
        threshold=8,
        min_distinct=3,
    ),
    trope(
        "Drugs",
        "drugs=2|drug=1|cocaine=3|heroin=3|coke=1|weed=2|joint=1|stoned=2|high=0.5|"
        "pills=1.5|overdose*=3|marijuana=3|ecstasy=2|lsd=3|meth=3|dealer=1.5|smack=0.5|"
        "needle=1|snort*=0.5|spliff=3|pot=0.5|opium=3|laudanum=3",
        threshold=5,
        min_distinct=2,
    ),
    trope(
        "Tea",
        "tea=2|teapot=3|kettle=2|cuppa=3|earl grey=3|teacup*=3|mug=1|mugs=1|cup of tea=2|"
        "darjeeling=3|lapsang=3|brew*=1|milk and sugar=2|biscuit*=1",
        threshold=10,
        min_distinct=3,
    ),
    trope(
        "Magic",
        "magic*=2|spell*=2|witch*=1.5|wand*=1|incantation*=3|ritual*=1.5|enchant*=2|hex*=1|"
        "sorcer*=2|warlock*=2|potion*=2|rune*=1.5|conjur*=2|cast=0.5|casting=1.5|mystic*=1|"
        "summon*=1.5|invok*=1|the circle=1|sigil*=2|arcane=2|grimoire*=3|talisman*=2",
        threshold=6,
        min_distinct=3,
    ),
    trope(
        "Time Travel",
        "time travel*=3|travelled back in time=3|traveled back in time=3|back in time=2|"
        "from the future=3|to the future=2|from the past=2|timeline*=1.5|time machine=3|"
        "paradox*=1.5|time-travel*=3|changed history=2|years in the past=2|time stream=2|"
        "timestream=2",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Marriage",
        "married=2|marriage=2|wife=1|husband=1|my wife=2|my husband=2|spouse=2|vows=1.5|"
        "anniversary=1.5|wedding ring=2|wedding band=2|wed=1|newlywed*=2|honeymoon=2",
        threshold=7,
        min_distinct=3,
    ),
    trope(
        "Marriage Proposal",
        "marry me=3|proposal=2|propose*=1.5|proposing=2|will you marry=3|engagement ring=3|"
        "one knee=2|engaged=2|fiancé*=1.5|fiance*=1.5|say yes=1|ring=0.5",
        threshold=3,
        min_distinct=2,
    ),
    trope(
        "Weddings",
        "wedding=2|bride=2|groom=2|vows=2|best man=2|aisle=1.5|reception=1|bridesmaid*=2|"
        "wedding dress=3|officiant=3|ceremony=1|cake=0.5|i do=1",
        threshold=10,
        min_distinct=3,
    ),
    trope(
        "Grief/Mourning",
        "funeral=3|grave=1.5|graves=1|graveside=3|mourn=2|mourned=2|mourning=2|grief=2|"
        "grieve=2|grieved=2|grieving=2|passed away=2|"
        "widow*=2|buried=1|burial=2|eulogy=3|cemetery=2|headstone=2|miss him=1|miss her=1|"
        "her death=1.5|his death=1.5|died=0.5|dead=0.3|gone=0.3|condolence*=2|wake=0.3",
        threshold=10,
        min_distinct=3,
    ),
    trope(
        "Telepathy",
        "telepath*=3|psychic*=2|mind-link=3|mind link=3|mental link=3|in his mind=1|"
        "in her mind=1|in my mind=1|her thoughts=1|his thoughts=1|read my mind=2|"
        "read his mind=2|read her mind=2|mindspeech=3|inside my head=1.5|in my head=1|"
        "voice in his head=2|voice in her head=2|thought at=2|projected=1|shields=1|"
        "mental shields=3",
        threshold=4,
        min_distinct=2,
    ),
    trope(
        "Wingfic",
        "wings=2|wing=1|feather*=2|preen*=3|flight feathers=3|primaries=2|pinions=3|"
        "fledgl*=2|wingspan=3|flap*=1|fly=0.5|flew=0.5|plumage=3|molting=3|moulting=3",
        threshold=8,
        min_distinct=3,
    ),
    trope(
        "Amnesia",
        "amnesia=3|amnesiac=3|lost his memory=3|lost her memory=3|lost my memory=3|"
        "memory loss=3|memories back=2|don't remember=1|can't remember=1|couldn't remember=1|"
        "remember who=1.5|who am i=2|forgot who=2|memory spell=2|forget=0.5|memories=1",
        threshold=7,
        min_distinct=3,
    ),
    trope(
        "Soulmates",
        "soulmate*=3|soul mate*=3|soul-mate*=3|soulmark*=3|soul mark*=3|soul-bond*=2|"
        "soul bond*=2|soulbond*=2|destined=1.5|meant to be=1.5|the one for me=2|bonded=1",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Vampires",
        "vampire*=2|vamp=1.5|vamps=1.5|fang*=1.5|undead=2|sire*=1.5|game face=2|"
        "blood=0.5|bite=0.5|bit=0.3|stake*=1|coffin*=1.5|dusted=1|nest=0.5|the turning=2|"
        "turned her=1|turned him=1|drink from=2|fed from=2|feed=0.5",
        threshold=11,
        min_distinct=4,
    ),
    trope(
        "Werewolves",
        "werewolf=3|werewolves=3|full moon=2|wolf=1|wolves=1|the change=1|lycanthrop*=3|"
        "howl*=1|pack=0.5|shift*=0.5|moon=0.5",
        threshold=7,
        min_distinct=3,
    ),
    trope(
        "Demons",
        "demon*=2|demonic=2|hell=0.5|hellmouth=1|horns=1|possessed=1.5|exorcis*=2|"
        "hell dimension=2|summon*=1",
        threshold=10,
        min_distinct=3,
    ),
    trope(
        "Ghosts",
        "ghost*=2|ghostly=2|haunt*=2|spirit*=1|apparition*=3|spectral=3|poltergeist*=3|"
        "translucent=1.5|séance=3|seance=3",
        threshold=7,
        min_distinct=3,
    ),
    trope(
        "Dragons",
        "dragon*=3|wyrm*=2|scales=1|hoard*=2|fire-breath*=2|breathed fire=2|wings=0.5",
        threshold=7,
        min_distinct=2,
    ),
    trope(
        "Swords",
        "sword*=2|blade=1|blades=1|hilt=2|sheath*=1.5|scabbard=2|fencing=1.5|parr*=1.5|"
        "swordplay=3|swordsman*=2|katana=2|rapier=2|broadsword=3|longsword=3|steel=0.5|"
        "lunge*=1|riposte=3|en garde=3",
        threshold=9,
        min_distinct=3,
    ),
    trope(
        "Guns",
        "gun=2|guns=2|pistol*=2|rifle*=2|revolver*=2|shotgun*=2|handgun*=2|bullet*=1.5|"
        "trigger=1|holster*=1.5|ammo=2|ammunition=2|magazine=0.5|fired=1|gunshot*=2|"
        "safety catch=2|barrel=1|cocked=1",
        threshold=12,
        min_distinct=3,
    ),
    trope(
        "Kissing",
        "kiss=1|kissed=1|kissing=1.5|kisses=1|lips=1|mouth=0.3|tongue=0.5|made out=2|"
        "making out=2|snog*=2",
        threshold=14,
        min_distinct=3,
    ),
    trope(
        "Cuddling & Snuggling",
        "cuddl*=3|snuggl*=3|curled up=1.5|spooned=2|spooning=2|nestled=1.5|"
        "tucked against=2|head on his chest=2|head on her chest=2|head on his shoulder=1.5|"
        "head on her shoulder=1.5|blanket*=0.5|sofa=0.3|couch=0.3",
        threshold=10,
        min_distinct=2,
    ),
    trope(
        "Sharing a Bed",
        "share the bed=3|share a bed=3|sharing a bed=3|shared a bed=3|only one bed=3|"
        "same bed=2|his side of the bed=2|her side of the bed=2|slept beside=2|"
        "sleep beside=2|slept next to=2|sleeping next to=1.5",
        threshold=5,
        min_distinct=2,
    ),
    trope(
        "Nightmares",
        "nightmare*=3|bad dream*=3|woke screaming=3|woke up screaming=3|night terror*=3|"
        "jolted awake=2|woke with a start=2|cold sweat=1.5|dreams=0.5|dreamed=0.5|dreamt=0.5",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Dreams",
        "dream*=2|dreamt=2|dreamed=2|dreaming=2|dreamscape=3|in the dream=3|"
        "woke=0.5|asleep=0.5|sleep=0.3",
        threshold=10,
        min_distinct=3,
    ),
    trope(
        "Jealousy",
        "jealous*=3|envy=2|envious=2|possessive*=1.5|green-eyed=2|who was that=1.5|"
        "who's he=2|who is he=1.5|glared=1|seethed=1",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Pining",
        "pining=3|pine*=1|longing=2|yearn*=2|unrequited=3|never feel the same=3|"
        "could never have=2|out of his league=2|out of her league=2|wanted him=1|"
        "wanted her=1|ache for=1.5|ached for=2",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Love Confessions",
        "i love you=3|i'm in love with you=3|in love with you=3|i've loved you=3|love you too=2|"
        "confess*=1|confession=1.5|told her he loved=2|told him she loved=2|"
        "told him he loved=2|told her she loved=2|i think i love you=3",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Depression",
        "depress*=3|antidepressant*=3|couldn't get out of bed=3|hopeless*=1.5|"
        "worthless=1.5|numb=1|empty=0.5|pointless=1|didn't care anymore=2|therapist=1|"
        "prozac=3|grey fog=2",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Suicidal Thoughts",
        "suicid*=3|kill myself=3|kill himself=2|kill herself=2|end it all=3|"
        "better off dead=3|want to die=3|wanted to die=3|didn't want to live=3|jump=0.5|"
        "the ledge=1.5|overdose*=1.5|pills=0.5",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Self-Harm",
        "self-harm*=3|self harm*=3|cutting=1|razor=1.5|cut herself=3|cut himself=3|"
        "cut myself=3|scars on her wrists=3|scars on his wrists=3|his wrists=0.5|"
        "her wrists=0.5|burned herself=3|burned himself=3",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Panic Attacks",
        "panic attack*=3|hyperventilat*=3|couldn't breathe=1.5|can't breathe=1.5|"
        "breathe with me=3|chest tightened=1.5|racing heart=1|panick*=1.5|panic=1",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Sickfic",
        "fever*=2|feverish=3|flu=2|sick=1|ill=1|cough*=1.5|sneez*=2|vomit*=2|threw up=2|"
        "throwing up=2|temperature=1.5|thermometer=3|tissues=1.5|soup=1|chills=1.5|"
        "runny nose=3|sore throat=3|bed rest=2|medicine=1|aspirin=1.5|paracetamol=2",
        threshold=8,
        min_distinct=3,
    ),
    trope(
        "Blood Drinking",
        "drank her blood=3|drank his blood=3|drinking blood=3|drink blood=3|drank from=2|"
        "drink from=2|fed from=2|feed from=2|feeding from=2|lapped=1|blood=1|fangs=1.5|"
        "bite=1|bit=0.5|throat=0.5|pulse=0.5|vein*=1|swallow*=0.5",
        threshold=8,
        min_distinct=3,
    ),
    trope(
        "Mind Control",
        "mind control*=3|mind-control*=3|compel*=2|compulsion=2|thrall=2|enthrall*=2|"
        "brainwash*=3|hypnot*=2|puppet=1.5|trigger phrase=3|against her will=1.5|"
        "against his will=1.5|couldn't stop himself=1|couldn't stop herself=1|controlling him=1",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Slavery",
        "slave*=2|slavery=3|enslav*=3|master=0.5|owner=1|sold=1|auction*=1.5|bought=0.5|"
        "chattel=3|manumi*=3|freedman=3",
        threshold=8,
        min_distinct=3,
    ),
    trope(
        "Threesome",
        "threesome=3|the three of them=2|both of them=1|all three=1.5|between them=1|"
        "each other=0.3",
        threshold=6,
        min_distinct=2,
        partner=SEXUAL,
    ),
    trope(
        "Oral Sex",
        "blowjob*=3|blow job*=3|sucked him=3|suck him=2|sucking him=3|sucked his cock=3|"
        "suck his cock=3|sucking his cock=3|in his mouth=1|went down on=3|go down on=3|"
        "going down on=3|cunnilingus=3|fellatio=3|licked her clit=3|her clit=1|"
        "his mouth on her=2|her mouth on him=2|tongue inside her=2|deepthroat*=3",
        threshold=5,
        min_distinct=2,
        partner=SEXUAL,
    ),
    trope(
        "Anal Sex",
        "anal=3|his arse=1.5|his ass=1.5|her arse=1|her ass=1|in the ass=2|up the arse=2|"
        "lube=2|lubricant=2|prostate=3|fucked him=2|fuck him=1|his hole=2|her hole=1|"
        "plug=1|butt plug=2",
        threshold=4,
        min_distinct=2,
        partner=SEXUAL,
    ),
    trope(
        "Masturbation",
        "masturbat*=3|touched himself=3|touched herself=3|touching himself=3|"
        "touching herself=3|wanked=3|wanking=3|jerked off=3|stroked himself=3|"
        "stroked herself=3|his own hand=2|her own hand=2|fingers between her legs=2",
        threshold=7,
        min_distinct=2,
    ),
    trope(
        "Polyamory",
        "polyamor*=3|all three of them=2|the three of them=1.5|all four of them=2|"
        "the four of them=1.5|both of them=1|share him=1.5|share her=1.5|triad=3|"
        "quad=1|their lovers=2|our lovers=2",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Infidelity",
        "cheat*=1.5|affair=2|unfaithful=3|infidelity=3|adulter*=3|mistress=1|"
        "behind his back=1.5|behind her back=1.5|his wife=0.5|her husband=0.5",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Smoking",
        "cigarette*=3|smoke=1|smoked=1.5|smoking=1.5|smoker=2|smokes=1|lighter=1|ashtray=2|"
        "cig=2|fag=1|nicotine=2|his pipe=1|smoked a pipe=3|cigar=2|cigars=2|lit up=1.5|"
        "took a drag=2|a long drag=2",
        threshold=12,
        min_distinct=3,
    ),
    trope(
        "Music",
        "guitar*=2|sang=1|sing*=1|song*=1|piano=2|music=1.5|band=1|melody=2|chord*=2|"
        "tune=1|lyrics=2|violin=2|drums=1.5|gig=1.5|record=0.5|album=1.5|strummed=2",
        threshold=12,
        min_distinct=3,
    ),
    trope(
        "Cooking",
        "cook*=1.5|recipe*=2|oven=1.5|stove=1.5|baking=2|baked=1.5|kitchen=0.5|chopp*=1|"
        "simmer*=2|frying pan=2|saucepan=2|dough=2|onions=1|garlic=1|apron=1.5",
        threshold=8,
        min_distinct=3,
    ),
    trope(
        "Dancing",
        "danc*=2|waltz*=3|tango=3|ballroom=2|dance floor=3|twirl*=1.5|spun her=1.5|"
        "ballet=2|foxtrot=3",
        threshold=10,
        min_distinct=2,
    ),
    trope(
        "Christmas",
        "christmas=3|xmas=3|mistletoe=3|santa=2|tinsel=2|stocking*=1|presents=1|"
        "yule=2|carol*=1|snow=0.5|ornament*=1.5|eggnog=3|boxing day=3",
        threshold=10,
        min_distinct=2,
    ),
    trope(
        "Halloween",
        "halloween=3|trick or treat*=3|jack-o'-lantern*=3|pumpkin*=1.5|costume*=1|"
        "candy corn=3|samhain=2",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Rain",
        "rain=2|raining=2|rained=2|rainwater=2|drizzle=2|downpour=3|umbrella=1.5|"
        "puddle*=1.5|soaked=1|drenched=1.5|storm=0.5|thunder=1",
        threshold=7,
        min_distinct=3,
    ),
    trope(
        "Snow",
        "snow=2|snowing=3|snowed=3|snowflake*=3|snowball*=3|snowman=3|blizzard=3|"
        "frost*=1|icicle*=2|sledg*=2",
        threshold=7,
        min_distinct=2,
    ),
    trope(
        "Established Relationship",
        "my wife=2|my husband=2|our bed=2|our flat=2|our house=1.5|our home=1.5|"
        "anniversary=2|years together=3|their bed=1.5|came home to=1.5|come home to=1.5|"
        "my boyfriend=1.5|my girlfriend=1.5|my partner=1.5|my lover=1.5|as they always did=2|"
        "as he always did=1|as she always did=1|their relationship=1|after all these years=2|"
        "moved in together=2|living together=2",
        threshold=7,
        min_distinct=3,
    ),
    trope(
        "Fake/Pretend Relationship",
        "fake relationship=3|fake dating=3|pretend to be my=3|pretend to be his=3|"
        "pretend to be her=3|pretending to be a couple=3|pretending to be together=3|"
        "fake boyfriend=3|fake girlfriend=3|fake fiancé*=3|our cover=2|as a couple=1|"
        "pretend*=1|for appearances=2|for the cameras=1.5",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Secret Relationship",
        "secret relationship=3|no one can know=3|nobody can know=3|keep this quiet=2|"
        "keep it quiet=1.5|keep it secret=2|our secret=2|behind closed doors=1|"
        "sneaking around=2|if anyone found out=2|no one knew=1.5",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Secret Identity",
        "secret identity=3|his real name=2|her real name=2|false name=2|"
        "assumed name=3|alias=1.5|disguise*=1.5|cover story=2|undercover=2|"
        "impersonat*=2|pretend to be=1|who he really was=2|who she really was=2|"
        "true identity=3|real identity=3",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Post-Traumatic Stress Disorder - PTSD",
        "ptsd=3|post-traumatic=3|flashback*=2|triggered=1.5|shell shock=3|shell-shock*=3|"
        "nightmare*=1|startl*=1|hypervigilan*=3|trauma*=2|flinch*=1",
        threshold=7,
        min_distinct=3,
    ),
    trope(
        "Injury",
        "injur*=2|wounded=2|wounds=2|bleeding=1.5|bandag*=2|concussion=2|broken arm=3|broken leg=3|"
        "broken rib*=3|fractur*=2|stitches=2|sprain*=2|dislocat*=2|splint*=2|sling=1",
        threshold=10,
        min_distinct=3,
    ),
    trope(
        "Recovery",
        "recover*=2|recuperat*=2|healing=1.5|healed=1.5|physiotherap*=3|physical therapy=3|"
        "rehab*=2|convalesc*=3|getting better=1.5|therapy=1",
        threshold=6,
        min_distinct=2,
    ),
    trope(
        "Character Death",
        "died=1|dead=0.5|killed=1|death=0.5|funeral=2|his body=1|her body=1|corpse=1.5|"
        "last breath=3|stopped breathing=2|no pulse=2|heart stopped=2|he was gone=2|"
        "she was gone=2|murdered=1.5",
        threshold=10,
        min_distinct=4,
    ),
]

# -- genre tags: tone over the whole story -------------------------------------------------------

# Thresholds are per 1,000 words of story, weighted like the cue table.  They were set at round
# values from the AO3-tagged corpora (see scripts/eval_tropes.py) and are meant to be read as
# "about N tone words per page".
GENRE_GROUPS: dict[str, dict[str, float]] = {
    "sad": parse_cues(SAD),
    "happy": parse_cues(HAPPY),
    "laugh": parse_cues(LAUGH),
    "love": parse_cues(LOVE),
}

# -- tags about one character: "<Prefix> <Character>" -------------------------------------------


@dataclass(frozen=True)
class CharacterTrope:
    """A state or trait of one character, tagged on AO3 as ``<prefix> <character name>``.

    ``before`` and ``after`` are regular expressions matched right before / after a mention of
    the character ("vamp Willow", "Willow's fangs"): these say it outright.  ``cues`` are words
    that count when they fall in a sentence about the character (the character is mentioned in
    it, or was the last one mentioned just before).  ``against`` words in that sentence mean the
    character acts *on* the thing ("Willow staked the vampire"), so the sentence does not count.
    ``needs_direct``: an unusual state (vampire, human, evil) needs at least one outright
    naming; a behaviour (hurt, protective) can be seen from sentence cues alone.
    """

    prefix: str
    before: str = ""
    after: str = ""
    cues: dict[str, float] = field(default_factory=dict)
    against: tuple[str, ...] = ()
    needs_direct: bool = True
    threshold: float = 6.0
    requires: tuple[str, ...] = ()  # one of these story tags must have been found first
    lead_only: bool = False  # only the character the cues cluster around (see tropes)


def ctrope(
    prefix: str,
    before: str = "",
    after: str = "",
    cues: str = "",
    against: str = "",
    needs_direct: bool = True,
    threshold: float = 6.0,
    requires: str = "",
    lead_only: bool = False,
) -> CharacterTrope:
    return CharacterTrope(
        prefix,
        before,
        after,
        parse_cues(cues),
        tuple(a for a in against.split("|") if a),
        needs_direct,
        threshold,
        tuple(r for r in requires.split("|") if r),
        lead_only,
    )


_SLAYING = "stake|staked|staking|dust|dusted|slay|slayer|slew|killed|kill|patrol|hunt|fought"

CHARACTER_TROPES: list[CharacterTrope] = [
    ctrope(
        "Vampire",
        before=r"(?:vampire|vamp)[ -]?$|vamp!$|vampiric $",
        after=(
            r"^(?:'s|s') (?:fangs|game face|vamp face|demon|bumpy face|ridges|sire|unbeating)"
            r"|^(?:,? (?:was|is|had become|became|now|the|a|who was|turned|as a|had been)"
            r"(?: now| still| already)?(?: a| an| the)? (?:vampire|vamp|undead|fledgling|"
            r"minion|childe)\b)"
            r"|^ vamped(?: out)?\b|^ (?:bared|showed|flashed|sank|sunk|extended|dropped)"
            r" (?:her|his|their) fangs"
        ),
        cues=(
            "fangs=2|fang=1.5|game face=2|vamped=2|vamp face=2|undead=1.5|sire*=1|"
            "no heartbeat=2|unbeating=2|no pulse=1|bit=0.5|bite=0.5|blood=0.5|drank=0.5|"
            "fed=0.5|feed=0.5|her demon=1|his demon=1|soulless=1.5|the thirst=1.5|"
            "sunlight=0.5|cold skin=1|cool skin=1|growled=0.5"
        ),
        against=_SLAYING,
        threshold=6,
    ),
    ctrope(
        "Human",
        before=r"(?:human|mortal)[ -]$|human!$",
        after=(
            r"^(?:,? (?:was|is|had become|became|now|as a|was now|is now|turned)"
            r"(?: now| still| once again| again)? (?:a )?(?:human|mortal)\b)"
            r"|^(?:'s|s') (?:heartbeat|heart beat|pulse)"
        ),
        cues="heartbeat=1.5|human again=3|mortal=1|breathing=0.3|pulse=0.5|sunlight=0.5|ate=0.3",
        threshold=6,
    ),
    ctrope(
        "Evil",
        before=r"evil[ -]$|evil!$",
        after=r"^(?:,? (?:was|is|had become|became|had gone|went|turned)(?: so)? evil\b)",
        cues="evil=2|cruel*=1|malic*=1.5|sadist*=2|wicked=1|villain*=1.5",
        threshold=6,
    ),
    ctrope(
        "Dark",
        before=r"dark[ -]$|dark!$",
        after=r"^(?:,? (?:had gone|went|turned|gone|going|was going)(?: all)? dark\b)"
        r"|^(?:'s|s') (?:black eyes|eyes went black|hair went black|veins)",
        cues="black eyes=2|eyes went black=3|dark magic=2|veins=1|black veins=3|flayed=2|"
        "power=0.3|evil=0.5",
        threshold=6,
    ),
    ctrope(
        "Hurt",
        after=(
            r"^(?:,? (?:was|is|had been|got|lay|lies|is lying|was lying)"
            r"(?: badly| seriously| so| still)? (?:hurt|injured|wounded|bleeding|unconscious|"
            r"shot|stabbed|bruised|concussed)\b)"
            r"|^(?:'s|s') (?:wound|wounds|injury|injuries|broken|bandage|bandages|blood|ribs|"
            r"bruises|cuts|stitches|fever|concussion)"
            r"|^ (?:winced|groaned|whimpered|bled|flinched|hissed in pain|cried out)"
        ),
        cues=(
            "injur*=2|wounded=2|wounds=2|bleeding=1.5|bled=1.5|bandag*=1.5|bruis*=1.5|concussion=2|"
            "broken rib*=2|stitch*=1|fever*=1|pain=1|winced=1|groaned=0.5|limp*=0.5|"
            "whimper*=1|flinched=1|unconscious=1.5|hurt=1|hurts=1|ached=0.5|blood=0.5|"
            "cried out=1|splint*=1.5|painkillers=1.5"
        ),
        needs_direct=False,
        threshold=4,
        # "Hurt X" is the hurt half of a hurt/comfort story, not anyone who stubs a toe.
        requires="Hurt/Comfort|Injury|Torture|Sickfic|Captivity",
        lead_only=True,
    ),
    ctrope(
        "Protective",
        after=(
            r"^ (?:stepped|moved|put (?:himself|herself)) (?:in front|between)"
            r"|^(?:,? (?:was|felt|is|being|got)(?: so| fiercely| very| always)? "
            r"(?:protective|overprotective)\b)"
        ),
        cues=(
            "protective*=3|overprotective=3|protect*=1.5|keep her safe=2|keep him safe=2|"
            "keep you safe=2|shield*=1|defend*=1|stepped in front=2|stepped between=2|"
            "won't let anyone=2|anyone hurts=2|if anyone touches=2|guard*=0.5"
        ),
        needs_direct=False,
        threshold=6,
        lead_only=True,
    ),
    ctrope(
        "Jealous",
        after=r"^(?:,? (?:was|felt|is|got|looked|sounded)(?: so| a little| a bit| very)? jealous\b)",
        cues="jealous*=3|envy=1.5|envious=2|possessive*=1|glared=0.5|scowled=0.5",
        needs_direct=False,
        threshold=6,
        lead_only=True,
    ),
    ctrope(
        "Drunk",
        before=r"drunk[ -]$|drunk!$",
        after=r"^(?:,? (?:was|is|got|had gotten|getting|looked|seemed)(?: very| so| a bit| a little| rather| quite| completely)? (?:drunk|tipsy|plastered|wasted|sloshed|pissed)\b)",
        cues="drunk=2|tipsy=2|hiccup*=1.5|slurred=2|slurring=2|sloshed=2|plastered=1.5|"
        "wasted=1|hangover=1.5|staggered=1|swayed=1",
        needs_direct=False,
        threshold=6,
        requires="Alcohol",
        lead_only=True,
    ),
    ctrope(
        "Sick",
        before=r"sick[ -]$|sick!$",
        after=r"^(?:,? (?:was|is|got|had gotten|fell|felt|looked)(?: very| so| a bit| rather)? (?:sick|ill|feverish)\b)",
        cues="fever*=2|feverish=2|flu=2|sick=1|ill=1|cough*=1.5|sneez*=1.5|vomit*=1.5|"
        "threw up=1.5|temperature=1|chills=1|shivering=0.5",
        needs_direct=False,
        threshold=6,
        requires="Sickfic",
        lead_only=True,
    ),
    ctrope(
        "Pregnant",
        before=r"pregnant[ -]$|pregnant!$",
        after=r"^(?:,? (?:was|is|had been|got|getting|became)(?: now| still| already)? pregnant\b)"
        r"|^(?:'s|s') (?:pregnancy|belly|bump|baby)",
        cues="pregnan*=3|her belly=1.5|the baby=1|baby bump=3|morning sickness=3|"
        "contractions=2|trimester=3",
        threshold=6,
    ),
    ctrope(
        "Werewolf",
        before=r"(?:werewolf|wolf)[ -]$|werewolf!$|wolf!$",
        after=r"^(?:,? (?:was|is|had become|became|the|a)(?: a| an| the)? (?:werewolf|wolf)\b)"
        r"|^(?:'s|s') (?:wolf|inner wolf)",
        cues="werewolf=3|full moon=1.5|the wolf=1|howl*=1|fur=0.5|claws=0.5|shifted=1",
        threshold=6,
    ),
    ctrope(
        "Demon",
        before=r"demon[ -]$|demon!$",
        after=r"^(?:,? (?:was|is|had become|became|the|a)(?: a| an| the)? demon\b)"
        r"|^(?:'s|s') (?:demon face|horns|true form)",
        cues="horns=1.5|demon form=2|true form=1.5|demonic=1.5|hell=0.3",
        against=_SLAYING,
        threshold=6,
    ),
    ctrope(
        "Ghost",
        before=r"ghost[ -]$|ghost!$",
        after=r"^(?:,? (?:was|is|had become|became|the|a)(?: a| an| the)? ghost\b)"
        r"|^(?:'s|s') ghost",
        cues="ghost=2|translucent=2|passed through=1.5|haunt*=1|dead=0.5",
        threshold=6,
    ),
]
