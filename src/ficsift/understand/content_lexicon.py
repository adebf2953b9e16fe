"""Cue lexicons for :mod:`ficsift.understand.content` (rating, archive warnings, trigger labels).

Each :class:`Block` gives a set of cue phrases and the labels they count toward, with a weight
(roughly: 3 = the cue names the thing outright, 2 = strong, 1 = suggestive, below 1 = colour).
One phrase may feed several labels ("blood" is graphic violence for the rating *and* the
``blood-gore`` trigger label); blocks that name the same phrase are merged, keeping the larger
weight per label.

Phrase syntax (compiled into one regex by :func:`compile_lexicon` at the end of this module):

* ``{a,b,}`` expands to alternatives (``kill{,s,ed,ing}`` → kill, kills, killed, killing);
* a trailing ``*`` matches any word ending (``fuck*``) — used only where no innocent word
  shares the stem;
* a space matches any run of whitespace, a hyphen matches hyphen, space or nothing
  (``non-con`` also finds "non con" and "noncon"), an apostrophe matches ' or ’;
* matching is case-insensitive and on whole words.

Flags: ``n`` — negatable ("no blood", "didn't kill" do not count); ``h`` — also hedgeable
("nearly died", "I could kill him", "if she dies" do not count); ``s`` — only near explicit
sexual content (a rope, a leash or kneeling are kink only in a sex scene); ``l`` — only in lower case
(keeps "Dick Grayson" or "Will" out); ``x`` — a stop phrase: it is matched so that it wins
over the shorter cue inside it ("bloody hell" is swearing, "blood pressure" is not gore),
and counts toward only the labels it lists (often none).

Label names: ``r.*`` feed the rating, ``a.*`` the archive warnings, and bare names are the
fine trigger labels of Wiegmann et al. (ACL 2023), ``/work/shared/ontology/trigger-warnings``;
the cue lists for those were written from the institutional descriptions in
``institutional-sources-merged.csv`` (e.g. "Self-harming behavior (suicide, self-inflicted
injuries)", "gore, blood and body horror", "Hateful language directed at religious groups").
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

# A warning tag's label when it is one of ficsift's fine content labels, not one of AO3's four
# archive warnings (label "archive"): every place a reader sees warnings shows the two apart.
CONTENT_LABEL = "trigger"

# The fine content labels below are slugs; readers see these names (AO3's wording where AO3 has one).
TRIGGER_LABELS = {
    "homophobia": "Homophobia", "transphobia": "Transphobia", "classism": "Classism",
    "sexism": "Sexism", "racism": "Racism",
    "religious-discrimination": "Religious Discrimination", "ableism": "Ableism",
    "body-shaming": "Body Shaming", "other-discrimination": "Other Discrimination",
    "violence": "Violence", "kidnapping": "Kidnapping", "death": "Death",
    "collective-violence": "War and Mass Violence", "other-aggression": "Other Aggression",
    "abuse": "Abuse", "sexual-abuse": "Sexual Abuse", "child-abuse": "Child Abuse",
    "animal-abuse": "Animal Abuse", "abusive-language": "Abusive Language",
    "other-abuse": "Other Abuse", "miscarriage": "Miscarriage", "abortion": "Abortion",
    "childbirth": "Childbirth", "other-pregnancy": "Other Pregnancy Themes",
    "blood-gore": "Blood and Gore", "procedures": "Medical Procedures",
    "other-medical": "Other Medical Themes", "dysmorphia": "Body Dysmorphia",
    "self-harm": "Self-Harm", "suicide": "Suicide", "mental-illness": "Mental Illness",
    "addiction": "Addiction", "other-mental-health": "Other Mental Health Themes",
    "pornography": "Sexual Content", "incest": "Incest", "other-sexual": "Other Sexual Content",
}  # fmt: skip


def trigger_label(slug: str) -> str:
    """``blood-gore`` → ``Blood and Gore`` (an unknown slug: its words capitalised)."""
    return TRIGGER_LABELS.get(slug) or " ".join(w.capitalize() for w in slug.split("-"))


@dataclass(frozen=True)
class Block:
    labels: dict[str, float]
    flags: str
    phrases: tuple[str, ...]


def _b(labels: dict[str, float], flags: str, *phrases: str) -> Block:
    return Block(labels, flags, phrases)


SUBJ = "{him,her,me,you,them,us}"

# fmt: off
BLOCKS: tuple[Block, ...] = (
    # ---- sexual content ------------------------------------------------------------------
    # r.explicit: anatomical and sex-act words; they also count toward r.sexual (all sexual
    # content) and the "pornography" trigger label.
    _b({"r.explicit": 3, "r.sexual": 3, "pornography": 3}, "",
       "cock{,s}", "cockhead", "penis{,es}", "vagina{,s}", "clit{,s}",
       "clitoris", "labia", "vulva", "cum", "cumming", "semen", "ejaculat*", "orgasm{,s,ed,ing,ic}",
       "erection{,s}", "{a,his,her,my,your,their,own} hard-on{,s}", "testicles", "scrotum", "foreskin", "blow{-job,-jobs}",
       "hand-job{,s}", "fellatio", "cunnilingus", "prostate", "dildo{,s}", "vibrator",
       "strap-on", "rimming", "rimmed", "lube", "lubed", "lubricant", "lubricated",
       "{her,my,your} cunt", "{her,my,your} pussy", "pussy", "{her,my,your} clit",
       "{his,my,your} balls", "{his,my,your} dick", "{his,my,your} prick",
       "fucked {him,her,me,you,them} {hard,deep,open,senseless,raw}",
       "fuck{,ed,ing,s} {into,inside} " + SUBJ, "fuck{ed,ing} {her,him} {hard,deep,slowly,slow}",
       "sucked {him,me} off", "suck{,s,ed,ing} {him,me} off", "go{,es,ing} down on " + SUBJ,
       "went down on " + SUBJ, "came {inside,in} {him,her,me,you}", "come {inside,in} {me,you}",
       "came hard", "{his,her,my} arousal",
       "spread {her,his} legs", "{her,his} thighs apart", "{her,his} slick {folds,heat,hole,entrance}",
       "{his,her} hole",
       "fingers inside {him,her,me}", "finger{s,ed} {her,him} {open,slowly}", "fingered {her,him}",
       "slid into {her,him,me}", "pushed into {her,him,me}", "thrust into {her,him,me}",
       "thrusting into {her,him,me}", "buried himself in {her,him}",
       "precome", "pre-come", "precum", "nipple clamps", "arse{hole} {tightened,clenched}",
       "cunt{s} clench*", "fucking {him,her}", "fucked {him,her,me}", "fuck {him,her} {hard,open}",
       "anal", "tits", "{her,his} wetness", "{his,her} shaft"),
    _b({"r.explicit": 2, "r.sexual": 2, "pornography": 2}, "",
       "{his,her} length", "wet heat", "{her,his} folds", "{his,her} release", "{her,his} entrance",
       "spurt{,ed,ing} {over,across,into,inside}",
       "took {him,her} {in,into} {his,her,my} mouth",
       "came {hard,apart,undone,all over,with a {cry,shout,groan,moan,gasp,sob}}",
       "made {him,her,me} come", "make {him,her,me} come",
       "{come,came,coming} in {his,her,my} {pants,hand,mouth}", "frottage",
       "rut{,s,ted,ting} against", "took {him,her} deep", "took {her,him} {hard,roughly,from behind}",
       "finger{,s} {up,inside} {him,her,me}", "all the way inside", "two fingers inside",
       "{his,her} mouth on {his,her} {cock,cunt,clit,prick}"),
    _b({"r.sexual": 2}, "",
       "nipple{,s}", "arousal", "aroused", "erect", "climax{,ed,ing}", "thrust{,s,ed,ing}",
       "had sex", "having sex", "have sex", "make love", "made love", "making love",
       "lovemaking", "love-making", "shag{,s,ged,ging}", "bucked", "straddl*",
       "between {her,his,my} legs", "between {her,his,my} thighs", "{his,her} hips bucked",
       "writhed beneath", "writhing beneath", "moan{,s,ed,ing} {his,her} name",
       "{his,her} naked body", "naked body", "naked bodies", "{her,his} breasts", "breasts",
       "tongue {in,into} {his,her} mouth", "licked {his,her} {way,nipple,neck,throat}",
       "sucked {his,her} {nipple,neck,fingers,tongue}", "ground {against,into} {him,her}",
       "grinding against", "boobs", "spanked", "debauched", "{her,his} groin", "sex",
       "come for me", "{his,her} mouth on {him,her}", "{he,she} came$", "inside {her,him}",
       "half-hard", "achingly hard",
       "when {he,she} came$", "{he's,she's} coming$", "{he,she} {was,is} coming$",
       "about to come", "let me come", "bulge in {his,her} {trousers,jeans,pants}",
       "erotic{,ally,a}",
       "took {him,her} to bed", "went to bed together", "fumbled with {his,her} {belt,fly,zip,zipper,flies}",
       "{his,her} trousers down", "nookie", "in rut"),
    _b({"r.sexual": 1}, "",
       "naked", "nude", "undress{,ed,ing}", "moan{,s,ed,ing}", "wetter",
       "breast", "thighs", "slick", "licked", "lick{,s,ing}", "sucked", "lust{,ed,ing,ful}",
       "seduc*", "sleep{,s,ing} with {him,her,me,you}", "slept with {him,her,me,you}",
       "in bed together", "whimper{,s,ed,ing}", "bare skin", "foreplay", "afterglow",
       "caress{,ed,es,ing}", "dick", "prick", "loins", "sexual", "sexually", "sexy", "horny",
       "randy", "{her,his} bra", "knickers", "panties", "lovers", "in heat",
       "{on,to} {his,her,my} knees", "celibacy", "celibate", "in {her,his} mouth", "seed",
       "got off on"),
    _b({"r.sexual": 0.5}, "",
       "unbutton{,ed,ing}", "{his,her,their} bodies", "pleasure", "panting", "desire",
       "flushed", "underwear", "stripped", "kinky"),
    _b({"r.romance": 1}, "",
       "kiss{,ed,es,ing}", "snog{,s,ged,ging}", "make out", "made out", "making out",
       "cuddl*", "flirt*", "in love"),
    _b({"r.romance": 0.5}, "", "embrace{,d}", "date", "blush{,ed,es,ing}"),
    # Stop phrases: innocent senses of sexual words.
    _b({}, "x",
       "breast pocket", "chicken breast", "turkey breast", "climax of", "seed{,s} of",
       "sunflower seeds", "seeds", "the sex of", "opposite sex", "fairer sex", "same sex",
       "desire to", "pleasure to", "my pleasure", "a pleasure", "with pleasure",
       "guilty pleasure", "lick of", "slick with {blood,sweat,rain,oil}", "naked eye",
       "naked blade", "naked sword", "naked flame", "naked truth", "erect posture",
       "thrust of {his,her,the} argument", "date of", "to date", "up to date", "out of date",
       "expiry date", "dick around", "the underwear drawer", "pleasure cruise",
       "cock-up{,s}", "cock up",
       "cock{,s,ed,ing} {his,her,their,my,your,its} head", "cock{,s,ed,ing} {an,one,his,her} eyebrow",
       "cock{,s,ed,ing} {an,his,her,one} ear", "cock{,s,ed,ing} {the,a} {gun,pistol,rifle,hammer}",
       "{slid,pushed,thrust,thrusting,fingers} {into,inside} {her,his,my} {hand,hands,arms,lap,seat,chair,coat,jacket,pocket,pockets,car,room,bed,shoes,boots,bag,head,mind,place,way}",
       "inside {her,his,my} {head,bag,pocket,coat,jacket,mind,chest,house,room,car,skull,body,heart}", "anal-retentive", "anally retentive", "pussy cat",
       "pussycat", "pussy-whipped",
       "{something,somewhere,everything,lurking,stirred,stirring,sparked,coiled,welled up,welling up,bubbled up,bubbling up,bubbles up,rose up,rising up} inside {him,her}", "made {his,her} entrance", "{his,her} grand entrance",
       "fucked {him,her,me,us,them,you,it} up", "fucked {him,her,me,us,them,you} over",
       "{his,her} release from", "seed of doubt", "got off on the {wrong,right} foot"),
    # Kink and other sexual content.
    _b({"other-sexual": 2, "r.sexual": 1.5}, "",
       "bondage", "bdsm", "safeword{,s}", "safe word{,s}", "blindfold{,ed}", "spank{,s,ed,ing}",
       "flogg{er,ed,ing}", "tied to the bed", "handcuffed to the bed", "orgasm denial",
       "submissive", "{his,her} dom", "sub-space", "subspace", "kink{,s,y}", "fetish{,es}",
       "riding crop", "nipple clamp{,s}", "gagged", "ball gag", "cock ring", "chastity",
       "edging", "dirty talk", "rope marks", "daddy kink", "collar{ed} and leash{ed}",
       "bound and", "wax play", "knife play", "knifeplay", "bloodplay", "watersports",
       "exhibitionis*", "voyeur*", "threesome", "foursome", "orgy", "orgies",
       "roleplay", "role-play", "pegging", "pegged", "aftercare", "domme", "hot wax", "welts",
       "tied {him,her,me} {up,down,to}", "bound {his,her,my} {wrists,hands}",
       "{wrists,hands} bound", "paddl{e,ed,ing} {him,her,me}", "cropp{ed,ing} {him,her,me}"),
    # … words with everyday senses too (a climbing rope, a dog's leash): sexual only near sex.
    _b({"other-sexual": 1, "r.sexual": 0.5}, "s",
       "tied up", "restraint{,s}", "restrained", "handcuff{,s,ed}", "cuffs", "leash{,ed}",
       "collar", "latex", "leather", "kneel{,s,ing}", "knelt", "obey{,ed}", "good boy", "good girl",
       "punish{,ed,ment}", "discipline{,d}", "dominat{e,ed,ing,ion}", "submi{t,tted,ssion}",
       "rope{,s}", "whip{,ped,ping}", "cane{,d}", "piercing{,s}", "plug", "gag"),
    _b({"incest": 3}, "", "incest{,uous}"),
    # ---- non-consent and sexual abuse --------------------------------------------------
    _b({"a.noncon": 3, "sexual-abuse": 3}, "n",
       "rape{,s,d}", "raping", "rapist{,s}", "non-con", "non-consensual{,ly}", "nonconsensual",
       "sexual assault{,s}", "sexually assault{ed,ing}",
       "molest{,s,ed,ing,ation,er}", "forced himself on", "forced herself on",
       "forced {himself,herself} {into,inside} {her,him,me}",
       "without {her,his,my} consent", "didn't consent", "did not consent",
       "couldn't consent", "could not consent", "can't consent", "cannot consent",
       "too drunk to consent", "date rape", "roofie{,d,s}", "drugged {her,him} drink"),
    # Dubious consent is a trigger label, but authors on AO3 seldom give it the Rape/Non-Con
    # archive warning (they choose not to warn, or warn for it in their notes).
    _b({"a.noncon": 1, "sexual-abuse": 3}, "n", "dub-con", "dubcon", "dubious consent"),
    # A plain statement of the act is enough for the trigger label on its own.
    _b({"a.noncon": 4.5, "sexual-abuse": 4.5}, "n",
       "raped {me,him,her,them,you}", "{was,been,being,got} raped"),
    # Supporting cues: struggle and coercion, which also happen outside sex ("forced him to
    # resign"); they add to a naming cue but cannot fire a label alone.
    _b({"a.noncon": 1, "sexual-abuse": 1}, "n",
       "{she,he,I} said no", "told {him,her} no", "begged {him,her} to stop",
       "against {her,his,my} will",
       "{she,he} tried to push {him,her} away", "pinned {her,him} down",
       "held {her,him} down", "groped", "grop{e,ing}", "violated", "assaulted",
       "abused {her,him} sexually", "forced {her,him} to", "coerc*", "{her,his} attacker",
       "unwanted touch*", "sexual harassment", "sexually harassed"),
    # Stop: rape used as an insult or figure of speech (still counts as abusive language).
    _b({"abusive-language": 1}, "x", "bum-raping", "bum-rape", "rape {the,this} {market,country}"),
    # Underage: these words, and ages under 18 (a separate pattern), count toward the Underage
    # warning only near a sexual passage.
    _b({"a.underage": 3, "child-abuse": 2}, "n",
       "underage", "under-age", "jailbait", "statutory", "paedophil*", "pedophil*",
       "paedo{,s}", "pedo{,s}", "child molester", "child porn*", "grooming {her,him}",
       "groomed {her,him}", "age of consent", "minor{,s} {sexually,in a sexual}"),
    _b({}, "x", "underage drinking", "underage drinker{,s}"),
    # ---- violence -----------------------------------------------------------------------
    # r.gore: graphic detail (blood, wounds, gore, torture).  It also feeds "blood-gore".
    _b({"r.gore": 1, "blood-gore": 1.5, "r.violence": 1, "violence": 1}, "n",
       "blood", "bleeding", "bleed{,s}", "bled", "bloodied", "bloodstained", "blood-stained",
       "blood-soaked", "bloodsoaked", "blood-spattered", "bloody {nose,lip,hands,mess,knife,wound,stump,pulp}",
       "wound{,s}", "gash{,es,ed}", "laceration{,s}", "lacerated"),
    _b({}, "x", "wound up", "wound {around,round,through,tight,tightly}", "tightly wound",
       "wound the", "had wound", "tree stump", "stump speech"),
    _b({"r.gore": 2, "blood-gore": 2, "r.violence": 2, "violence": 2}, "n",
       "pool of blood", "pools of blood", "blood {spurted,sprayed,gushed,poured,pooled,spattered,splattered,welled,seeped,dripped,streamed,trickled,everywhere}",
       "bled out", "bleeding out", "bled to death", "bleed to death", "gouts of blood",
       "gunshot wound{,s}", "bullet wound{,s}", "stab wound{,s}", "open wound{,s}",
       "flesh wound{,s}", "blood loss", "splatter{,ed}", "bone{,s} {broke,cracked}",
       "broken bones"),
    _b({"r.gore": 3, "blood-gore": 3, "r.violence": 2, "violence": 2}, "n",
       "gore", "gory", "entrails", "intestines", "innards", "viscera", "disembowel*", "eviscerat*",
       "dismember*", "decapitat*", "beheaded", "beheading", "mutilat*", "flay{,ed,ing}",
       "skinned alive", "burned alive", "burnt alive", "gouged out", "eye socket{,s}",
       "brain matter", "brains {splattered,spattered,blown}", "blew {his,her,their} brains out",
       "skull {cracked,shattered,caved,split}", "caved-in skull", "crushed skull",
       "bone{,s} {snapped,shattered,splintered,crunched}", "compound fracture",
       "bone protruding", "jutting bone", "exposed bone", "spine snapped",
       "throat {torn,ripped,slit,cut}", "{slit,cut,tore,ripped} {his,her,their} throat{,s}",
       "severed {head,arm,hand,leg,limb,limbs,finger,fingers}",
       "tortured", "torturing", "torturer{,s}", "impale{,d}", "impaling",
       "ripped out {his,her,their} throat", "flesh {tore,ripped,torn,split,sizzled,burned}",
       "charred {flesh,body,bodies,remains}", "rotting {corpse,body,flesh}", "maggots",
       "decompos{ing,ed}", "carnage", "blood and {gore,guts,bone}",
       "beaten to death", "beat {him,her,them} to death", "stabbed to death",
       "hacked {at,apart}", "hacked {his,her} {arm,head,leg,hand} off",
       "bludgeon*", "pulped", "mangled", "crushed {his,her} {skull,throat,windpipe}",
       "waterboard*", "pulled out {his,her} {fingernails,teeth,nails}", "branded {him,her}",
       "whipped {him,her} bloody"),
    _b({"r.gore": 1.5, "blood-gore": 1.5, "r.violence": 1, "violence": 1.5}, "n",
       "torn {open,apart}", "ripped {open,apart}", "tore {him,her,them} apart", "torture{,s}"),
    # Burns and injuries inflicted and shown on the body (torture scenes describe them so).
    _b({"r.gore": 2, "blood-gore": 2, "r.violence": 1.5, "violence": 1.5}, "n",
       "{burnt,burned,burning,charred,seared,scorched} {flesh,skin}",
       "smell of {burnt,burned,burning,singed} {flesh,skin,hair}",
       "{burned,burnt,seared,scorched,branded} {her,his,their,my} {skin,flesh,arm,arms,forearm,"
       "hand,hands,face,chest,back,leg,legs,thigh,thighs,stomach,palm,palms,wrist,wrists,fingers}",
       "{skin,flesh} {blistered,bubbled,charred,peeled,sizzled,blackened}",
       "blister{,s} {rose,burst,split,popped,wept}", "cigarette burn{,s}",
       "cut {her,his,their,my} {knees,arm,arms,face,hand,hands,cheek,skin,chest,back} open",
       "kicked {him,her,them} in the {ribs,stomach,face,head,gut}",
       "{rib,ribs} {cracked,broke,snapped}", "worn {the,her,his,their} skin raw",
       "skin {raw,rubbed raw} and bleeding", "raw and bleeding"),
    _b({"r.gore": 1, "blood-gore": 1, "r.violence": 0.5, "violence": 0.5}, "n",
       "pus", "blister{,s,ed}", "dried blood", "crusted blood", "caked blood",
       "blood {crusted,caked,matted}", "{screamed,shrieked,howled} in pain",
       "{bloody,bloodied} {mouth,face,knees,fingers,back}"),
    _b({"r.violence": 1.5, "violence": 1.5, "r.gore": 0.5}, "h",
       "stab{,s,bed,bing}", "slash{ed,ing} at", "shot {him,her,them,me} {in,through,dead}",
       "strangl{e,ed,es,ing}", "throttl{e,ed,ing}", "beat {him,her,them} up", "beaten up",
       "beat the shit out of", "beating {him,her,them}", "punched {him,her,me,them}",
       "kicked {him,her,me,them}", "murder{,s,ed,ing}", "murderer{,s}", "murderous",
       "stomped on", "smashed {his,her} {face,head}", "broke {his,her} {nose,jaw,arm,leg,neck,ribs}",
       "snapped {his,her} neck", "bruise{,s,d}", "bruising", "black eye", "split lip",
       "broken nose", "broken ribs", "choked {him,her}", "assault{ed,ing}", "violently",
       "violence", "violent", "brutal{ly}", "brutaliz*", "brutalis*", "massacre{,d,s}",
       "slaughter{,ed,ing}", "executed {him,her,them}", "execution{,s}", "shot dead", "gunned down",
       "opened fire", "ambush{,ed}"),
    _b({"r.violence": 1, "violence": 1}, "h",
       "kill{,s,ed,ing}", "killer{,s}", "punch{,ed,es,ing}", "slap{,s,ped,ping}",
       "attack{,s,ed,ing}", "hit {him,her,me,them}", "shoot{,s,ing}", "shot", "gunshot{,s}",
       "gunfire", "grenade{,s}", "brawl{,s}", "scuffle", "choke{,d}", "injur{ed,ies,y}",
       "slain"),
    _b({"r.violence": 0.5, "violence": 0.5}, "h",
       "fight{,s,ing}", "fought", "kick{,ed,ing}", "bullet{,s}", "knife", "knives", "dagger",
       "sword{,s}", "blade", "gun{,s}", "pistol", "rifle", "weapon{,s}", "wrestled", "shoved",
       "tackled", "hurt {him,her,them}", "slay{,s,ing}", "dusted", "staked"),
    # Figures of speech that contain violent words.
    _b({}, "x",
       "killing me", "kill me now", "kill for", "killed for", "killing time", "kill time", "killer instinct",
       "dressed to kill", "killer heels", "to die for", "dying to", "dead tired",
       "dead serious", "drop dead gorgeous", "dead ringer", "dead end", "dead-end", "deadline",
       "bad blood", "blood pressure", "blood sugar", "blood type", "blood test{,s}",
       "blood relative{,s}", "blood bank", "blood bag{,s}", "pig's blood", "blood orange{,s}",
       "bloodline{,s}", "flesh and blood", "blood brother{,s}", "blue blood", "blood money",
       "in cold blood", "first blood", "new blood", "blood runs cold", "blood ran cold",
       "blood boil{,s,ed}", "blood rushed", "blood rushing", "the blood drained",
       "wounded pride", "old wounds", "fight or flight", "shot glass", "shot{,s} of {whisky,whiskey,vodka,tequila,espresso,rum,gin}",
       "long shot", "big shot", "mug shot", "snap shot", "screenshot", "shot a glance",
       "shot {him,her,me} a {look,glance,grin,smile}", "shot back", "shot up", "a shot at",
       "hit the road", "hit it off", "hit on", "punch line", "punchline", "fruit punch",
       "killer whale", "attack of nerves", "heart attack", "panic attack{,s}", "asthma attack",
       "anxiety attack{,s}", "fight back tears", "fighting back tears", "pillow fight",
       "food fight", "snowball fight", "slap-dash", "slapdash", "grave danger", "gravely",
       "butter knife", "knife and fork", "blade of grass", "stab at", "take a stab",
       "kick{,ed} off", "kicked out", "kick back", "kicks in", "kicked in", "gun it",
       "torture device", "injury time", "dead heat", "brutally honest",
       "violently ill", "killing it", "killed it", "it hit {him,her,me,them}",
       "hit {him,her,me,them} {then,that,like,hard that}", "choked up", "choked back",
       "choked on", "choke back", "bored to death", "scared to death", "worried to death",
       "sick to death", "death glare", "death stare", "death wish", "near-death", "death star",
       "kicked off {his,her,my,their} shoes", "it was torture", "sheer torture"),
    # ---- profanity ------------------------------------------------------------------------
    _b({"r.swear": 2}, "",
       "fuck*", "motherfuck*", "fuckwit{,s}", "cunt{,s,ish}", "twat{,s}"),
    _b({"r.swear": 1}, "",
       "shit{,s,ty,ting,e,head,heads,less}", "bullshit", "bastard{,s}", "bitch{,es,ing,y}",
       "arse", "arsehole{,s}", "asshole{,s}", "dickhead{,s}", "wanker{,s}", "wank{,ing,ed}",
       "bollocks", "tosser{,s}", "piss{,ed,ing} off", "pissed", "goddamn*", "prick{,s}",
       "slut{,s}", "whore{,s}", "jackass", "dipshit", "douche*"),
    _b({"r.swear": 0.5}, "l",
       "damn{,ed,it}", "bloody", "bugger{,ed}", "crap{,py}", "piss{,ing}", "ass", "hell"),
    _b({"r.swear": 0.5}, "x", "bloody hell", "what the hell", "go to hell", "bloody well",
       "hell of a", "the hell"),
    # ---- death (Major Character Death and the "death" trigger label) ---------------------
    # a.death cues are checked for a named subject before they count toward MCD.
    _b({"a.death": 2, "death": 2}, "h",
       "died", "dies", "dying", "is dead", "was dead", "were dead", "had died", "has died",
       "was killed", "were killed", "been killed", "is killed", "got killed", "killed {him,her}",
       "killed in action", "passed away", "passed on", "stopped breathing", "no pulse",
       "breathed {his,her,their} last", "last breath", "time of death", "bled out",
       "was murdered", "been murdered", "murdered {him,her}", "was executed", "been executed",
       "dead body", "lifeless", "drowned", "death"),
    # A longer phrase hides the labels of the words inside it, so violent deaths say both.
    _b({"r.violence": 1, "violence": 1}, "h",
       "was killed", "were killed", "been killed", "is killed", "got killed", "killed {him,her}",
       "killed in action", "was murdered", "been murdered", "murdered {him,her}",
       "was executed", "been executed"),
    _b({"a.death": 3, "death": 3}, "n",
       "funeral", "corpse{,s}", "coffin", "casket", "eulogy",
       "obituary", "mourn{,s,ed,ing}", "mourners", "widow{,ed,er}", "grieving", "autopsy",
       "post-mortem", "body bag", "the deceased", "memorial service", "in memoriam",
       "buried {him,her}", "burial", "cremat*", "ashes were scattered", "gravestone",
       "headstone", "tombstone", "rest in peace", "condolences"),
    _b({"death": 1}, "h", "dead", "death{,s}", "kill{ed,ing}", "graveyard", "cemetery", "grief"),
    # ---- other trigger labels -----------------------------------------------------------
    _b({"kidnapping": 3}, "n",
       "kidnap{,s,ped,ping,per,pers}", "abduct{,s,ed,ing,ion,or,ors}", "held hostage",
       "taken hostage", "hostage{,s}", "ransom", "held captive", "taken captive",
       "held prisoner", "taken prisoner", "captor{,s}", "snatched {him,her}"),
    _b({"kidnapping": 1}, "n", "captive", "captivity", "prisoner{,s}", "blindfolded",
       "gagged", "zip ties", "bound {hand and foot,and gagged}", "imprisoned",
       "locked {him,her} in", "chained {him,her}"),
    _b({"collective-violence": 2, "r.violence": 0.5}, "n",
       "war", "wars", "warfare", "battle{,s}", "battlefield", "massacre{,s,d}", "genocide",
       "bomb{,s,ed,ing,ings}", "bombard*", "air raid{,s}", "airstrike{,s}", "terroris*",
       "riot{,s,ing}", "atrocit{y,ies}", "ethnic cleansing", "slaughter of", "invasion",
       "casualties", "artillery", "firefight", "insurgen*", "war crime{,s}", "pogrom{,s}",
       "concentration camp{,s}", "death camp{,s}", "holocaust", "mass grave{,s}", "shelling",
       "exterminat*", "police brutality"),
    _b({"collective-violence": 1}, "n",
       "invaded", "civilian{,s}", "troops", "soldiers", "front line{,s}", "army", "armies"),
    _b({"other-aggression": 2}, "n",
       "slave{,s,ry}", "enslav*", "bully{,ing}", "bullied", "bullies", "harass*",
       "stalk{,ed,ing,er,ers}", "blackmail*", "extort*", "human trafficking", "trafficked"),
    _b({"other-aggression": 1}, "n", "intimidat*", "threaten{,ed,ing,s}", "menac{e,ed,ing}"),
    _b({"abuse": 3}, "n",
       "abuse{,d,s}", "abusing", "abusive", "abuser{,s}", "domestic violence",
       "battered", "gaslight{,ing,ed}", "wife-beat*", "beat {his,her} wife",
       "hit {his,her} wife", "emotional abuse"),
    _b({"abuse": 1}, "n", "controlling", "manipulat*", "cowered", "flinched"),
    _b({"child-abuse": 3}, "n",
       "child abuse", "abused as a child", "abused child", "beat {him,her} as a {boy,girl,child,kid}",
       "{beat,hit} {him,her,me} as a {boy,girl,child,kid}",
       "{his,her,my} {father,da,dad,mother,mum,mam,mom} {beat,hit,hurt,used to beat,used to hit} {him,her,me}",
       "{his,her,my} {father,da,dad,mother,mum,mam,mom} {beating,hitting} {him,her,me}",
       "beat the child", "neglected child",
       "child neglect", "child {was,were} beaten", "took the belt to", "child protective services"),
    _b({"child-abuse": 1}, "n", "foster care", "social services", "orphanage", "neglect{,ed}"),
    _b({"other-abuse": 3}, "n",
       "coercive control", "financial abuse", "emotional blackmail", "revenge porn",
       "isolated {her,him} from", "elder abuse", "spiritual abuse", "verbal abuse",
       "verbally abus{ed,ive}", "psychological abuse", "hazing"),
    _b({"animal-abuse": 3}, "n",
       "animal cruelty", "cruelty to animals", "kicked the {dog,cat,puppy,kitten}",
       "drowned the {kitten,kittens,puppy,puppies,cat,dog}", "tortured {animals,the cat,the dog}",
       "killed the {dog,cat,horse,puppy,kitten}", "shot the {dog,horse}",
       "dead {dog,cat,horse,puppy,kitten,bird,rabbit}", "the {dog,cat,horse} died"),
    _b({"abusive-language": 2}, "",
       "slur{,s}", "worthless {piece,bitch,whore,boy,girl,child}", "useless {piece,cunt,bitch,idiot}",
       "stupid {bitch,whore,cunt,slut}", "you {whore,slut,cunt,bitch}", "piece of shit",
       "hate speech", "filthy {whore,animal,mudblood}", "mudblood"),
    _b({"homophobia": 3, "abusive-language": 1}, "",
       "faggot{,s}", "dyke{,s}", "homophob*", "poof{,s}", "poofter{,s}",
       "queer-bash*", "gay-bash*", "conversion therapy", "sodomite{,s}", "batty boy"),
    # British "fag" is a cigarette; "pansy" a flower.
    _b({"homophobia": 1}, "", "fag", "pansy"),
    _b({"transphobia": 3, "abusive-language": 1}, "",
       "tranny", "trannies", "transphob*", "deadnam{e,ed,ing}", "shemale", "she-male"),
    _b({"classism": 2}, "",
       "classis*", "white trash", "trailer trash", "riff-raff", "guttersnipe{,s}", "chav{,s}",
       "gutter rat", "pleb{,s}"),
    _b({"classism": 0.5}, "", "lower class{,es}", "peasant{,s}", "commoner{,s}", "upper class",
       "working class"),
    _b({"sexism": 2}, "",
       "sexis*", "misogyn*", "chauvinis*", "weaker sex", "women belong", "a woman's place",
       "like a girl", "little lady", "hysterical woman", "slut-sham*"),
    _b({"racism": 3, "abusive-language": 1}, "",
       "racis*", "racial slur{,s}", "nigger{,s}", "chink{,s}", "gook{,s}", "spic{,s}",
       "wetback{,s}", "kike{,s}", "raghead{,s}", "paki{,s}", "sambo", "golliwog",
       "segregat*", "white supremac*", "n-word", "apartheid", "jim crow",
       "lynch{,ed,ing,ings}", "lynch mob"),
    _b({}, "x", "chink of", "chink in"),
    _b({"religious-discrimination": 3}, "",
       "antisemit*", "anti-semit*", "islamophob*", "christ-killer{,s}", "burn the witch"),
    _b({"religious-discrimination": 1}, "", "infidel{,s}", "heathen{,s}", "heretic{,s}",
       "heresy", "blasphem*", "inquisition", "persecut*"),
    _b({"ableism": 3, "abusive-language": 1}, "l",
       "retard{,s,ed}", "cripple{,s,d}", "spastic", "spaz", "ableis*", "mongoloid"),
    _b({"ableism": 1}, "l", "handicapped", "freak{,s}", "lunatic{,s}"),
    _b({"body-shaming": 3}, "",
       "fatso", "fatty", "fat pig", "fat cow", "lardass", "lard-arse", "fat-shaming",
       "body-shaming", "too fat", "so fat", "ugly cow", "beanpole", "flat-chested"),
    _b({"other-discrimination": 2}, "",
       "bigot{,s,ed,ry}", "prejudice{,d}", "discriminat*", "xenophob*", "stereotyp*",
       "hate crime{,s}", "second-class citizen{,s}", "half-breed{,s}", "mudblood{,s}",
       "ageis*"),
    _b({"miscarriage": 3, "other-pregnancy": 1}, "n",
       "miscarr{y,ied,iage,iages}", "stillborn", "stillbirth", "lost the baby",
       "lose the baby", "losing the baby"),
    _b({"abortion": 3, "other-pregnancy": 1}, "n",
       "abortion{,s}", "abort the {baby,pregnancy,child}", "terminate the pregnancy",
       "terminated the pregnancy", "morning-after pill", "planned parenthood"),
    _b({"childbirth": 3, "other-pregnancy": 1}, "n",
       "gave birth", "giving birth", "give birth", "in labour", "in labor", "went into labo{u,}r",
       "{her,my} water{,s} broke", "midwife", "midwives", "delivery room",
       "maternity ward", "c-section", "caesarean", "cesarean", "afterbirth", "umbilical cord",
       "birthing", "epidural"),
    _b({"childbirth": 1}, "n", "contractions", "newborn{,s}"),
    _b({"other-pregnancy": 3}, "n",
       "pregnant", "pregnancy", "pregnancies", "morning sickness", "trimester", "ultrasound",
       "prenatal", "antenatal", "expecting a baby", "baby bump", "with child", "infertil*",
       "ivf", "mpreg"),
    _b({"procedures": 2, "other-medical": 1}, "n",
       "surgery", "surgeries", "surgeon{,s}", "surgical", "operating {room,table,theatre}",
       "scalpel{,s}", "stitches", "stitched {up,the}", "suture{,s,d}", "amputat*", "dissect*",
       "autopsy", "biopsy", "incision{,s}", "anaesthe*", "anesthe*", "syringe{,s}",
       "injection{,s}", "iv drip", "catheter", "intubat*", "transfusion", "chemotherapy",
       "chemo", "defibrillat*", "cpr", "tourniquet", "cauteri*", "electroshock", "lobotom*",
       "vivisect*", "medical experiment*"),
    _b({"procedures": 1}, "n", "splint{,ed}", "needle{,s}", "sedat{e,ed,ive,ion}", "x-ray{,s}",
       "mri", "bandage{,s,d}"),
    _b({"other-medical": 2}, "n",
       "hospital{,s,ised,ized}", "intensive care", "icu", "emergency room", "ambulance{,s}",
       "paramedic{,s}", "cancer", "tumour{,s}", "tumor{,s}", "leukaemia", "leukemia",
       "terminally ill", "illness", "pneumonia", "sepsis", "coma", "comatose", "seizure{,s}",
       "heart attack", "cardiac arrest", "concussion", "dialysis", "paralys*", "paralyz*",
       "dying of", "car crash"),
    _b({"other-medical": 1}, "n",
       "disease{,s}", "infection{,s}", "infected", "fever{,ish}", "diagnos{is,ed,es}",
       "vomit{,ed,ing}", "threw up", "throwing up", "unconscious", "delirious", "plague",
       "pandemic", "epidemic", "virus", "wheelchair", "flu", "accident{,s}", "sick"),
    _b({"dysmorphia": 3, "mental-illness": 1}, "n",
       "anorexi*", "bulimi*", "eating disorder{,s}", "disordered eating", "binge{,d} and purge{,d}",
       "starv{ed,ing} {himself,herself,myself}", "counting calories",
       "hated {her,his,my} body", "body dysmorphi*", "dysmorphi*", "thinspiration",
       "pro-ana", "dysphori*"),
    _b({"dysmorphia": 1}, "n", "calories", "too thin", "skin and bones", "purg{e,ed,ing}",
       "weigh{,ed} {herself,himself,myself}"),
    _b({"self-harm": 3, "mental-illness": 1}, "n",
       "self-harm{,ed,ing}", "self-injur*", "self-mutilat*", "cut {herself,himself,myself}",
       "cutting {herself,himself,myself}", "cuts on {her,his,my} {arms,wrists,thighs}",
       "scars on {her,his,my} {arms,wrists,thighs}", "burned {herself,himself,myself}",
       "hurt {herself,himself,myself} on purpose"),
    _b({"self-harm": 1}, "n", "razor blade{,s}", "self-destructive"),
    _b({"suicide": 3, "mental-illness": 1}, "n",
       "suicid{e,es,al,ally}", "kill {herself,himself,myself,themselves}",
       "killed {herself,himself,themselves}", "killing {herself,himself,myself,themselves}",
       "take {her,his,my,their} own life", "took {her,his,their} own life",
       "end {it,things} all", "end {her,his,my} life", "ended {her,his,their} life",
       "hanged {herself,himself}", "hung {herself,himself}", "slit {her,his,my} wrists",
       "jump{,ed} off the {bridge,roof}", "want{,ed} to die", "wanted to be dead",
       "better off dead", "no reason to live", "suicide note"),
    _b({"suicide": 1}, "n", "overdose{,d}", "noose", "sleeping pills"),
    _b({}, "x", "suicide mission", "suicide run", "suicide squad", "political suicide",
       "career suicide", "suicidally brave", "social suicide"),
    _b({"mental-illness": 3}, "n",
       "depression", "depressed", "depressive", "ptsd", "post-traumatic", "shell shock{,ed}",
       "panic attack{,s}", "anxiety attack{,s}", "anxiety disorder", "schizophreni*",
       "bipolar", "psychosis", "psychotic", "hallucinat*", "nervous breakdown",
       "mental illness", "mentally ill", "mental health", "ocd", "obsessive-compulsive",
       "dissociat*", "psychiatric", "psychiatrist", "antidepressant{,s}", "catatoni*",
       "suicidal ideation", "mania"),
    _b({"mental-illness": 1}, "n",
       "flashback{,s}", "asylum", "therapist", "therapy", "trauma", "traumati*", "paranoi*",
       "delusion{,s,al}", "insomnia", "nightmare{,s}", "hopeless", "manic"),
    _b({"addiction": 3}, "n",
       "addict{,s,ed,ion,ive}", "alcoholic{,s}", "alcoholism",
       "heroin", "cocaine", "junkie{,s}", "overdos{e,ed,ing}", "rehab", "sobriety",
       "aa meeting{,s}", "twelve steps", "detox", "opioid{,s}", "opiate{,s}", "needle marks",
       "track marks", "binge drinking", "drinking problem", "quit drinking", "hit the bottle"),
    _b({"addiction": 1}, "n", "sober", "morphine", "drug{,s}", "drugged", "stoned", "high on",
       "hangover", "hungover", "meth", "withdrawal", "relapse{,d}"),
    _b({"addiction": 0.3}, "n", "drunk", "wasted", "whisky", "whiskey", "vodka",
       "cigarette{,s}"),
    _b({}, "x", "drunk on {love,power}", "wasted time", "wasted no time"),
    _b({"other-mental-health": 2}, "n",
       "amnesia", "memory loss", "lost {his,her,my} memory", "self-loathing", "self-hatred",
       "hyperventilat*", "burnout", "breakdown", "despair"),
    _b({"other-mental-health": 1}, "n",
       "grief", "grieving", "numb", "lonely", "loneliness", "isolation", "worthless", "guilt",
       "couldn't breathe"),
    _b({"other-mental-health": 0.3}, "n",
       "sob{,s,bed,bing}", "tears", "crying", "trembling", "shaking", "stress{,ed}",
       "exhaust{ed,ion}"),
)
# fmt: on

# Words for ages under 18, looked for only near sexual passages (the Underage warning).
UNDER_AGE_WORDS = "eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|1[1-7]"

# Fine trigger label → coarse label: ``map-fine-to-coarse.json`` of the taxonomy (see above).
COARSE: dict[str, str] = {
    "homophobia": "discrimination",
    "transphobia": "discrimination",
    "classism": "discrimination",
    "sexism": "discrimination",
    "racism": "discrimination",
    "religious-discrimination": "discrimination",
    "ableism": "discrimination",
    "body-shaming": "discrimination",
    "other-discrimination": "discrimination",
    "violence": "aggression",
    "kidnapping": "aggression",
    "death": "aggression",
    "collective-violence": "aggression",
    "other-aggression": "aggression",
    "abuse": "abuse",
    "sexual-abuse": "abuse",
    "child-abuse": "abuse",
    "animal-abuse": "abuse",
    "abusive-language": "abuse",
    "other-abuse": "abuse",
    "miscarriage": "pregnancy",
    "abortion": "pregnancy",
    "childbirth": "pregnancy",
    "other-pregnancy": "pregnancy",
    "blood-gore": "medical",
    "procedures": "medical",
    "other-medical": "medical",
    "dysmorphia": "mental-health",
    "self-harm": "mental-health",
    "suicide": "mental-health",
    "mental-illness": "mental-health",
    "addiction": "mental-health",
    "other-mental-health": "mental-health",
    "pornography": "sexual-content",
    "incest": "sexual-content",
    "other-sexual": "sexual-content",
}

# Capitalised words that are not character names (Major Character Death looks for names).
NOT_NAMES = (
    "The A An He She It They We You I His Her Their Its My Your Our This That These Those "
    "There Then When What Why How Who Where Which And But Or So If As At In On Of For To "
    "With From By After Before Now Not No Yes Oh Well Just Still Even Only All Some One "
    "God Lord Mr Mrs Ms Miss Dr Sir Madam Doctor Captain Chapter Part Because While Once"
)


@dataclass(frozen=True, slots=True)
class Cue:
    phrase: str
    labels: tuple[tuple[str, float], ...]
    flags: str


# ---- the compiler ---------------------------------------------------------------------------


def expand(phrase: str) -> list[str]:
    """``kill{,s,ed}`` → kill, kills, killed (nested groups are not needed, so not supported)."""
    m = re.search(r"\{([^{}]*)\}", phrase)
    if not m:
        return [phrase]
    head, tail = phrase[: m.start()], phrase[m.end() :]
    return [x for alt in m.group(1).split(",") for x in expand(head + alt + tail)]


def _key(s: str) -> str:
    """Lookup key of a phrase or a matched string: case, spacing, hyphens and quotes folded."""
    return re.sub(r"[\s\-]+", "", s.lower().replace("’", "'"))


# How a lexicon character is matched; "$" ends a phrase that must be followed by punctuation
# or the end of the text ("she came." but not "she came home").
_PIECE = {" ": r"\s+", "-": r"[-\s]?", "'": "['’]", "$": r"(?=\s*(?:[^\w\s]|$))"}


def _trie_regex(phrases: Iterable[str]) -> str:
    trie: dict[str, dict] = {}
    for p in phrases:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [
            _PIECE.get(ch, re.escape(ch)) + emit(child)
            for ch, child in node.items()
            if ch and ch != "*"
        ]
        if "*" in node:  # wildcard ending: tried after the literal continuations
            alts.append(r"\w*")
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@dataclass(frozen=True)
class Lexicon:
    regex: re.Pattern[str]
    exact: dict[str, Cue]
    stems: dict[str, Cue]  # wildcard cues by key of their stem

    def cue(self, matched: str) -> Cue | None:
        key = _key(matched)
        found = self.exact.get(key)
        if found is not None:
            return found
        for n in range(len(key), 0, -1):
            found = self.stems.get(key[:n])
            if found is not None:
                return found
        return None


def compile_lexicon(blocks: Sequence[Block]) -> Lexicon:
    merged: dict[str, tuple[str, dict[str, float], set[str]]] = {}
    for block in blocks:
        for phrase in block.phrases:
            for p in expand(phrase.lower()):
                k = _key(p.rstrip("*$")) + ("*" if p.endswith("*") else "")
                _, labels, flags = merged.setdefault(k, (p, {}, set()))
                for label, w in block.labels.items():
                    labels[label] = max(w, labels.get(label, 0.0))
                flags.update(block.flags)
    exact: dict[str, Cue] = {}
    stems: dict[str, Cue] = {}
    for k, (p, labels, flags) in merged.items():
        cue = Cue(p.rstrip("*$"), tuple(labels.items()), "".join(sorted(flags)))
        (stems if k.endswith("*") else exact)[k.rstrip("*")] = cue
    pattern = _trie_regex(p for p, _, _ in merged.values())
    # Matched against the lower-cased text (textops.lower_aligned): the phrases are lower
    # case, and a case-sensitive scan is 2.4x faster than re.I.
    return Lexicon(re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"), exact, stems)


LEXICON_CACHE = "content-lexicon"


@cache
def lexicon() -> Lexicon:
    """The lexicon of :data:`BLOCKS`, its built form (the merged cues and the pattern's text,
    0.14 s to build) kept in the derived cache, keyed on this module's source: a one-shot
    command pays only the pattern's compiling."""
    from ficsift import derived_cache

    key = derived_cache.make_key("content lexicon", derived_cache.sources(__name__))
    kept = derived_cache.read(LEXICON_CACHE, key)
    if kept is not None:
        try:
            return _restored(kept)
        except Exception:  # an entry of another shape: built again
            pass
    built = compile_lexicon(BLOCKS)
    if derived_cache.writable():
        state = (built.regex.pattern, built.exact, built.stems)
        derived_cache.write(LEXICON_CACHE, key, pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
    return built


def _restored(blob: memoryview) -> Lexicon:
    pattern, exact, stems = pickle.loads(blob)
    if not (isinstance(pattern, str) and isinstance(exact, dict) and isinstance(stems, dict)):
        raise ValueError("a cached lexicon of another shape")
    return Lexicon(re.compile(pattern), exact, stems)
