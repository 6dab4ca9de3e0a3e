"""English lexicons (US, UK and the internet's own dialect).

Folded form: lower case, "don't" -> "do not", "can't" -> "can not", so negations read as "not".
"""

KIN = ("dad|father|mom|mum|mother|grandpa|grandfather|grandma|grandmother|uncle|aunt|cousin|"
       "brother|sister|son|daughter|husband|wife|friend|neighbor|neighbour|boyfriend|"
       "girlfriend|roommate|boss|buddy|bro")
PROFESSION = ("police|cop|officer|lawyer|attorney|judge|prosecutor|journalist|reporter|nurse|"
              "doctor|firefighter|paramedic|sheriff|detective")
ORDINAL = "second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|6th"

POSITIVE: dict[str, list[str]] = {
    "authority_mention": [
        "ftc", "bbb", "better business bureau", "cfpb", "fcc", "fda", "osha", "ofcom", "ofgem",
        "attorney general", "state ag", "the ag", "ombudsman", "consumer protection",
        "consumer affairs", "trading standards", "citizens advice", "health department",
        "health inspector", "department of health", "public utilities commission", "puc",
        "faa", "regulator", "regulators", "small claims", "in court", "to court",
        "see you in court", "court date", "sue", "suing", "sued", "lawsuit", "lawsuits",
        "class action", "legal action", "take legal", "my lawyer", "a lawyer", "our lawyer",
        "lawyer up", "my attorney", "an attorney", "our attorney", "to a lawyer",
        "contacted my|a|our lawyer|attorney", "talking to a lawyer|attorney",
        "police report", "called the police|cops", "call the police|cops", "reporting|reported|report|reports to the police|cops",
        "filed a report|complaint|case|lawsuit", "filing with", "filing with the", "file a complaint", "formal complaint",
        "escalated my complaint", "escalating to", "reporting you to", "reporting them to",
        "reported you to",
        "papers are filed", "subpoena", "police", "cops",
    ],
    "media_mention": [
        "news", "local news", "the news", "reporter", "reporters", "journalist", "journalists",
        "the press", "social media", "tv station", "channel <num>", "news channel", "the media",
        "go viral", "going viral", "make this viral", "make it viral", "make this go viral",
        "goes viral", "viral until", "tiktok about", "posting this everywhere", "post this",
        "everyone needs to see", "everyone should see", "spread the word", "share this",
        "retweet", "rt", "rts", "tagging", "influencer", "youtuber", "streamer",
        "sending it to", "sending pics to", "sending this to", "come see", "look at how",
        "look what",
    ],
    "health_safety": [
        "food poisoning", "poisoning", "poisoned", "allergic reaction", "allergic",
        "anaphylaxis", "anaphylactic", "epipen", "hospital", "hospitalized", "the er", "in er",
        "emergency room", "urgent care", "ambulance", "injured", "injury", "injuries", "got|get|was|were|getting hurt",
        "bleeding", "blood", "stitches", "broke her|his|my|their wrist|arm|leg|ankle|hip|nose",
        "broken wrist|arm|leg|ankle|hip|bone", "burns", "burned", "burnt", "caught fire",
        "on fire", "a fire", "house fire", "exploded", "explosion", "blew up", "sparks", "electrocuted", "live wire", "gas leak", "carbon monoxide", "glass in", "piece of glass|plastic|metal", "band-aid", "bandaid", "band aid", "cockroach", "cockroaches", "roach",
        "roaches", "bed bugs", "bedbugs", "maggots", "worm", "hair in", "mold", "moldy",
        "expired", "rotten", "spoiled", "threw up", "vomiting", "vomit", "got sick",
        "is|are|all|was|were sick", "made me|us|him|her|them sick",
        "choked", "choking", "almost choked", "swallowed", "dangerous", "unsafe", "hazard",
        "could have killed", "could have died", "nearly killed", "almost killed", "someone is "
        "going to get hurt", "drunk", "swerving", "collapsed", "fell on", "slipped", "fell",
        "wrong medication", "wrong dose", "wrong meds", "wrong prescription",
        "someone else s medication|medicine|meds|pills|prescription|blood", "swells", "swelling", "harassed", "harassment", "assaulted",
        "groped", "stalking", "brown water", "contaminated", "health code", "safety",
    ],
    "fraud_fact": [
        "this is fraud", "that is fraud", "that is fraud", "it is fraud", "is a scam",
        "straight up scam", "total scam", "this is a scam", "scam", "scammed", "scamming",
        "fraud", "fraudulent", "ripoff", "rip off", "ripped off", "stole", "stealing",
        "theft", "stolen", "identity theft", "unauthorized", "unauthorised", "never authorized",
        "data breach", "breach", "data leak", "leaked", "privacy breach", "exposed my",
        "sold my", "selling my", "my data", "my ssn", "my address and", "hacked", "phishing",
        "malware", "spyware", "crypto miner", "false advertising", "bait and switch",
        "fake fee|fees|charge|charges|maintenance", "pocketed", "discrimination", "discriminated",
        "discriminating", "racism", "racist", "racial", "sexist", "homophobic", "transphobic",
        "because of my race|skin|accent|disability|wheelchair|religion|service|guide",
        "because i am black|gay|trans|muslim|jewish|disabled|mexican|latina|latino|asian",
        "because she|he|they s|is|are|re wearing", "wearing a hijab", "service dog", "guide dog",
        "wheelchair", "go back to your country", "speaking spanish", "for speaking",
        "refused entry|service to", "denied entry", "kicked us out because",
        "pay their workers", "wage theft",
    ],
    "collective": [
        "not the only one", "i am not the only", "we are not the only", "we are not the only",
        "we are hundreds", "we are thousands", "we are all", "we are all", "all of us",
        "hundreds of", "thousands of", "dozens of", "<num> of us", "<num> other",
        "at least <num>", "everyone i know", "everyone on", "the whole block|street|"
        "neighborhood|neighbourhood|building|town|city|east|west|north|south|floor|class",
        "neighbors", "neighbours", "all affected", "others should", "anyone else",
        "class action", "petition", "sign the", "join up", "join us", "boycott",
        "boycotting", "do not buy", "dont buy", "do not shop", "do not order", "do not fly",
        "do not use", "do not book", "stay away", "avoid", "delete the app", "delete your",
        "be careful everyone", "warn everyone", "everyone be careful", "people should",
        "other customers", "other guests", "other passengers", "so did",
    ],
    "violence_threat": [
        "i|we will|gonna|would break|burn|stab|shoot|kill|hurt|punch|beat|smash|torch|strangle",
        "i|we am|are going to break|burn|stab|shoot|kill|hurt|punch|beat|smash|torch",
        "break his|her|your|their face|jaw|neck|legs|nose", "breaking his|her|your jaw|face",
        "burn it down", "burn down", "burn in", "hope u|you all burn", "with everyone inside",
        "with the managers inside", "torch your", "stab him|her|you|them", "stab",
        "shoot him|her|you|them|up", "kill him|her|you|them|someone", "hurt someone",
        "hurt him|her|you", "getting punched", "punched in the face", "punch him|her|you",
        "beat him|her|you|them up", "watch his|your|her|their back", "better watch out",
        "coming for him|you|her|them", "i know where", "see what happens",
        "will not see it coming", "not see it coming", "gas can",
        "bring a gun", "my gun", "with a bat", "pull up on",
    ],
    "threat": [
        "you will regret", "you ll regret", "will regret", "or else", "watch yourselves",
        "this is not over", "you will pay", "you ll pay for", "mark my words",
    ],
    "profanity": [
        "fuck", "fucking", "fucked", "fuckin", "fck", "fk", "wtf", "shit", "shitty",
        "bullshit", "bs", "crap", "crappy", "damn", "goddamn", "hell", "af", "ass", "asses",
        "piss", "pissed", "screw you", "sucks", "suck", "stfu", "omfg", "ffs", "bloody",
    ],
    "insult": [
        "idiot", "idiots", "moron", "morons", "stupid", "dumb", "dumbass", "clown", "clowns",
        "joke", "loser", "losers", "pathetic", "trash", "garbage", "scumbag", "scumbags",
        "crook", "crooks", "thieves", "incompetent", "useless", "braindead", "brain-dead",
        "brain dead", "brain cell", "brain cells", "muppets", "donkeys", "imbecile",
        "imbeciles", "jackass", "asshole", "assholes", "bastard", "bastards", "piece of shit",
        "creep", "parasites", "vultures", "greedy", "goblin", "bootlicker", "nerd", "cringe",
        "cringiest", "shut up", "log off", "ratio", "mid", "slop", "bunch of", "zombies",
        "monkeys", "rudest", "miserable", "meatheads", "cope", "u suck", "you suck",
        "worst company", "worst airline", "worst bank", "0 iq", "no brain", "scammers",
        "liars", "frauds", "a fraud", "snakes", "rats", "pigs", "animals", "sellout",
        "sellouts", "clowns all", "run by clowns", "overrated", "tacky", "try-hard", "lame",
        "losers lol", "hope you go bankrupt", "go bankrupt", "close the studio",
        "fire everyone", "embarrassing", "disgrace", "a joke",
    ],
    "mockery": [
        "lol", "haha", "lmao", "smh", "congrats on|to", "congratulations on", "great job",
        "truly impressive", "love that for me", "good job", "well done", "bravo", "champions",
        "olympic", "imagine", "so professional", "thanks for nothing", "as always", "wow",
        "amazing how", "love paying",
    ],
    "churn_threat": [
        "switching", "switching to", "switch providers", "switch to the competition", "switching providers", "i am switching",
        "cancelling", "canceling", "cancel my", "i am cancelling", "i am canceling",
        "will cancel", "going to cancel", "gonna cancel", "never buying|ordering|flying|"
        "using|staying|shopping|booking", "never again", "last time i", "done with you",
        "i am done", "deleting the app", "deleting my account", "closing my", "close my account",
        "taking my business", "booking elsewhere", "order elsewhere", "not coming back",
        "won't be back", "will not be back", "find another", "another store|bank|provider|"
        "airline|carrier|gym", "the competition", "unsubscribing", "enjoy ur|your",
    ],
    "repeated_problem": [
        "again", "once again", "yet again", f"{ORDINAL} time", f"{ORDINAL} call",
        "three|four|five|six|3|4|5|6|7|8|9|10 times", "every time", "every single time", "every other day",
        "for weeks", "for days", "for months", "weeks now", "days now", "still no", "still not",
        "still nothing", "still waiting", "still charging", "still billing", "still charged", "nobody answers", "nobody responds", "nobody picks", "nobody came",
        "nobody shows", "nobody fixes", "nobody ever", "nobody", "no one answers",
        "no one responds", "no one", "no reply", "no replies", "<num> replies", "no response",
        "heard nothing", "no call back", "no callback", "been waiting", "been emailing",
        "been calling", "keeps expiring", "already reported",
        "reported this", "i have emailed", "i have called", "i have emailed", "i have called",
        "<num> emails", "<num> calls", "<num> techs", "no-shows", "no shows", "hung up",
        "on hold", "since monday|tuesday|wednesday|thursday|friday|saturday|sunday|last",
        "weeks ago", "days later",
    ],
    "praise": [
        "thanks", "thank you", "love", "loved", "amazing", "awesome", "great", "best",
        "excellent", "fantastic", "perfect", "shoutout", "shout out", "killed it",
        "killing it", "slaps", "sick", "fire", "obsessed", "impressed", "10/10", "5 stars",
        "deserves a raise", "congrats", "congratulations", "appreciated", "appreciate",
        "life saver", "lifesaver", "national treasure", "happy", "proud", "beautiful",
        "lovely", "wonderful", "the best", "highly recommend", "recommend", "outdid",
        "unreal", "insane", "killer", "criminally good", "witchcraft", "impressive",
    ],
    "spam": [
        "dm me", "dm for", "link in bio", "in my bio", "follow back", "follow4follow",
        "followers", "free followers", "check out my", "my channel", "subscribe",
        "giveaway", "click here", "crypto tips", "working from home", "work from home",
        "make money", "cheap", "promo code", "discount code", "use my code",
        "bucks", "legit", "no scam", "first", "win a",
    ],
    "claim": [
        "charged", "charge", "charges", "refund", "refunded", "bill", "billing", "billed",
        "order", "fee", "fees", "not working", "does not work", "did not work", "broken",
        "down", "outage", "delay", "delayed", "late", "cancelled", "canceled", "lost",
        "missing", "damaged", "can not", "will not", "error", "declined", "locked", "never arrived",
        "still says", "overcharged", "double", "twice", "wrong", "cold", "fix", "fix it",
    ],
    "question": [
        "how", "when", "where", "why", "what", "can i", "can you", "can someone", "is there",
        "do you", "does the", "any update", "any eta", "which", "who",
    ],
}

INNOCENT: dict[str, list[str]] = {
    "authority_mention": [
        f"my|his|her|our {KIN} [is|was|has been|works as] [a|an] {PROFESSION}",
        f"my {KIN} is|was [a|an] [_] {PROFESSION}", f"i am [a|an] {PROFESSION}",
        f"my {PROFESSION} friend", f"[a] {PROFESSION} friend", "sat next to a lawyer",
        "police academy", "police station", "police officer for", "my lawyer needs",
        "for my lawyer", "for the lawyer", "lawyer friend", "the one by the police",
        "police and firefighters", "a lawyer on the train", "legal department",
        "my lawyer recommended", "my lawyer said",
    ],
    "media_mention": [
        "went viral", "ad went viral", "going viral in", "viral in our", "that viral",
        "the viral", "viral video", "good news", "in the news that", "saw on the news",
        "news is", "news that", "tiktok ad", "ur tiktok", "your tiktok", "like rt follow",
        "like + rt", "rt + follow", "press the", "press play", "look at how good",
        "look what they did for", "come see us",
    ],
    "health_safety": [
        "nurse at the hospital", "at the hospital who", "lobby of", "hospital 30", "born at",
        "sick!!", "is sick", "this is sick", "so sick", "sick af", "sick 🔥", "sick season",
        "season is sick", "fire 🔥", "is fire", "on fire today", "this is fire", "killed it",
        "nurse on", "i am a nurse", "doctor s orders", "doctors orders", "my therapist",
        "ruined my diet", "crime against my", "the er", "glass of", "shot glass",
        "the fire stick", "safety features", "sick of", "sick and tired", "fell asleep",
        "fell in love", "fell apart", "hurt my feelings", "my feelings are hurt",
        "the burns night", "drunk in love",
    ],
    "fraud_fact": [
        "no scam", "not a scam", "legit no scam", "is that actually", "or phishing",
        "is this a scam", "is this phishing", "is this legit", "anti fraud", "fraud alert",
        "fraud prevention", "my data plan", "data plan", "my data roaming", "service dog?",
        "bring my service dog", "can i bring my",
    ],
    "collective": [
        "anyone else watching", "anyone else playing", "anyone else going", "anyone else love",
        "anyone else obsessed", "avoid the traffic", "avoid delays", "whole class",
        "our whole class", "hundreds of dollars", "thousands of dollars", "at least <num> min",
        "at least <num> minutes|hours|days|weeks", "to avoid", "customers service",
        "customers like", "so did i love", "do not buy anything else",
    ],
    "violence_threat": [
        "killed it", "killing it", "i will kill for", "would kill for", "kill for a",
        "i know where to", "shoot me a", "shoot a message", "shoot an email", "burn in hell",
    ],
    "churn_threat": [
        "switching to dark mode", "just switched to", "switched all", "switch to the new",
        "never again will i doubt", "last time i checked", "the competition is",
    ],
    "repeated_problem": [
        "again 😍", "order again", "stay again", "fly again", "come again", "again soon",
        "back again", "nobody asked", "no one asked", "no one does it better",
        "every time i visit", "every time i come", "every single time i order",
    ],
}

NEGATORS = frozenset({"not", "never", "no", "without", "nobody", "nor"})
CONDITIONALS = frozenset({"if", "unless", "whether"})
SCOPE_BREAKERS = frozenset({"and", "but", "so", "or", "then", "because", "cause"})

MEDIA_HANDLE_PARTS = ("news", "cnn", "nbc", "abc7", "cbs", "foxnews", "bbc", "reuters",
                      "journal", "reporter", "channel", "consumerreports", "consumerwatch", "_tv",
                      "tvnews", "mkbhd", "insideedition", "tmz", "buzzfeed")
AUTHORITY_HANDLE_PARTS = ("ftc", "bbb", "cfpb", "fcc", "ombudsman", "attorneygeneral",
                          "consumerprotection", "nypd", "lapd", "police")
CAMPAIGN_HASHTAG_PARTS = ("boycott", "scam", "fraud", "lies", "liars", "down", "fail",
                          "ripoff", "shame", "justicefor", "deleteyour", "delete", "sucks",
                          "theft", "thieves")
