/// Small English word lists the verifier's lexical features read.
///
/// General vocabulary, not fitted to any test set: function words, negators,
/// common antonym pairs, opposite directions and units of measure. A pair of
/// questions that differ by one of these words is the case embeddings miss.
package enum EnglishWords {
    /// Words that carry grammar rather than topic; alignment and overlap
    /// ignore them (negators and directions have features of their own).
    package static let functionWords: Set<String> = [
        "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "doing",
        "have", "has", "had", "having", "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "you",
        "your", "yours", "he", "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs",
        "this", "that", "these", "those", "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
        "and", "or", "but", "if", "then", "so", "than", "as", "of", "at", "by", "for", "in", "on", "to", "from",
        "with", "about", "into", "onto", "up", "down", "out", "off", "over", "under", "can", "could", "will",
        "would", "shall", "should", "may", "might", "must", "there", "here", "some", "any", "all", "each",
        "just", "also", "very", "too", "really", "get", "got", "one", "ones", "s", "t", "way", "ways", "best",
        "good", "much", "many", "anyone", "someone", "something", "anything", "thing", "things", "please",
        "tell", "know", "possible", "like", "use", "using", "make", "go",
    ]

    /// Words that negate a clause ("n't" endings are recognised separately).
    package static let negators: Set<String> = [
        "not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "cannot", "cant", "wont",
        "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "shouldnt", "wouldnt", "couldnt",
    ]

    /// Pairs of words of opposite meaning, both ways round.
    package static let antonyms: [String: Set<String>] = symmetric([
        ("good", "bad"), ("better", "worse"), ("best", "worst"), ("big", "small"), ("large", "small"),
        ("bigger", "smaller"), ("larger", "smaller"), ("biggest", "smallest"), ("largest", "smallest"),
        ("high", "low"), ("higher", "lower"), ("highest", "lowest"), ("long", "short"), ("longer", "shorter"),
        ("longest", "shortest"), ("tall", "short"), ("taller", "shorter"), ("fast", "slow"), ("faster", "slower"),
        ("fastest", "slowest"), ("quick", "slow"), ("hot", "cold"), ("warm", "cool"), ("hotter", "colder"),
        ("heavy", "light"), ("heavier", "lighter"), ("hard", "easy"), ("harder", "easier"), ("difficult", "easy"),
        ("hard", "soft"), ("old", "new"), ("older", "newer"), ("old", "young"), ("older", "younger"),
        ("oldest", "youngest"), ("rich", "poor"), ("richer", "poorer"), ("cheap", "expensive"),
        ("cheaper", "expensive"), ("cheapest", "expensive"), ("strong", "weak"), ("stronger", "weaker"),
        ("safe", "dangerous"), ("safe", "unsafe"), ("healthy", "unhealthy"), ("legal", "illegal"),
        ("possible", "impossible"), ("happy", "sad"), ("happy", "unhappy"), ("love", "hate"), ("like", "dislike"),
        ("win", "lose"), ("won", "lost"), ("winning", "losing"), ("gain", "lose"), ("gain", "loss"),
        ("profit", "loss"), ("buy", "sell"), ("buying", "selling"), ("bought", "sold"), ("import", "export"),
        ("imports", "exports"), ("importing", "exporting"), ("increase", "decrease"), ("increase", "reduce"),
        ("increasing", "decreasing"), ("raise", "lower"), ("rise", "fall"), ("open", "close"), ("open", "closed"),
        ("opening", "closing"), ("start", "stop"), ("start", "end"), ("begin", "end"), ("beginning", "end"),
        ("first", "last"), ("early", "late"), ("earlier", "later"), ("before", "after"), ("past", "future"),
        ("yesterday", "tomorrow"), ("morning", "evening"), ("day", "night"), ("summer", "winter"),
        ("spring", "autumn"), ("north", "south"), ("east", "west"), ("northern", "southern"),
        ("eastern", "western"), ("left", "right"), ("top", "bottom"), ("front", "back"), ("inside", "outside"),
        ("internal", "external"), ("inner", "outer"), ("upper", "lower"), ("max", "min"), ("maximum", "minimum"),
        ("more", "less"), ("more", "fewer"), ("most", "least"), ("many", "few"), ("all", "none"),
        ("always", "never"), ("add", "remove"), ("adding", "removing"), ("add", "subtract"),
        ("install", "uninstall"), ("enable", "disable"), ("enabled", "disabled"), ("connect", "disconnect"),
        ("encrypt", "decrypt"), ("encode", "decode"), ("compress", "decompress"), ("upload", "download"),
        ("uploading", "downloading"), ("send", "receive"), ("sending", "receiving"), ("push", "pull"),
        ("input", "output"), ("enter", "exit"), ("arrive", "leave"), ("arrival", "departure"),
        ("come", "go"), ("give", "take"), ("lend", "borrow"), ("accept", "reject"), ("allow", "forbid"),
        ("agree", "disagree"), ("true", "false"), ("right", "wrong"), ("correct", "incorrect"),
        ("positive", "negative"), ("pros", "cons"), ("advantages", "disadvantages"), ("benefits", "drawbacks"),
        ("benefits", "risks"), ("male", "female"), ("men", "women"), ("man", "woman"), ("boy", "girl"),
        ("boys", "girls"), ("husband", "wife"), ("father", "mother"), ("son", "daughter"), ("brother", "sister"),
        ("king", "queen"), ("he", "she"), ("his", "her"), ("him", "her"), ("mr", "mrs"), ("alive", "dead"),
        ("live", "die"), ("birth", "death"), ("wet", "dry"), ("full", "empty"), ("thick", "thin"),
        ("wide", "narrow"), ("deep", "shallow"), ("near", "far"), ("nearest", "farthest"), ("clean", "dirty"),
        ("dark", "light"), ("black", "white"), ("sweet", "sour"), ("loud", "quiet"), ("public", "private"),
        ("online", "offline"), ("wireless", "wired"), ("manual", "automatic"), ("digital", "analog"),
        ("physical", "virtual"), ("natural", "artificial"), ("organic", "inorganic"), ("acid", "base"),
        ("acidic", "alkaline"), ("diesel", "petrol"), ("diesel", "gasoline"), ("iphone", "android"),
        ("windows", "mac"), ("windows", "linux"), ("mac", "linux"), ("ios", "android"), ("democrat", "republican"),
        ("democrats", "republicans"), ("liberal", "conservative"), ("capitalism", "socialism"),
        ("introvert", "extrovert"), ("introverts", "extroverts"), ("vegetarian", "vegan"), ("cat", "dog"),
        ("cats", "dogs"), ("tea", "coffee"), ("sunrise", "sunset"), ("success", "failure"),
        ("successful", "unsuccessful"), ("pass", "fail"), ("passed", "failed"), ("friend", "enemy"),
        ("teacher", "student"), ("employer", "employee"), ("buyer", "seller"), ("landlord", "tenant"),
        ("parent", "child"), ("parents", "children"), ("guilty", "innocent"), ("win", "loss"), ("major", "minor"),
        ("junior", "senior"), ("beginner", "expert"), ("beginners", "experts"), ("amateur", "professional"),
        ("addition", "subtraction"), ("multiplication", "division"), ("horizontal", "vertical"),
        ("row", "column"), ("rows", "columns"), ("client", "server"), ("frontend", "backend"),
        ("sync", "async"), ("synchronous", "asynchronous"), ("static", "dynamic"), ("mutable", "immutable"),
        ("uppercase", "lowercase"), ("ascending", "descending"), ("encryption", "decryption"),
        ("credit", "debit"), ("asset", "liability"), ("assets", "liabilities"), ("income", "expense"),
        ("income", "expenses"), ("revenue", "cost"), ("deposit", "withdraw"), ("deposit", "withdrawal"),
        ("borrower", "lender"), ("maximize", "minimize"), ("overweight", "underweight"),
        ("overestimate", "underestimate"), ("overrated", "underrated"), ("same", "different"),
        ("similar", "different"), ("similarities", "differences"), ("cause", "effect"), ("causes", "effects"),
        ("question", "answer"), ("questions", "answers"), ("ask", "answer"), ("win", "draw"),
    ])

    /// Directions and relations that reverse a question's sense ("jump
    /// onto" against "jump off"), both ways round.
    package static let oppositeRelations: [String: Set<String>] = symmetric([
        ("in", "out"), ("into", "out"), ("onto", "off"), ("on", "off"), ("up", "down"), ("above", "below"),
        ("over", "under"), ("before", "after"), ("with", "without"), ("to", "from"), ("toward", "away"),
        ("towards", "away"), ("forward", "backward"), ("forwards", "backwards"), ("upstairs", "downstairs"),
        ("uphill", "downhill"), ("upward", "downward"), ("inbound", "outbound"), ("incoming", "outgoing"),
        ("inside", "outside"), ("within", "outside"), ("for", "against"), ("pro", "anti"), ("plus", "minus"),
        ("since", "until"), ("ahead", "behind"),
    ])

    /// Units of measure, currencies and numbered parts, by what they
    /// measure: each unit's words under one name. Two units of one dimension
    /// ("km" and "miles", "episode" and "season") make different questions.
    package static let unitsByDimension: [String: [(unit: String, words: [String])]] = [
        "data": [
            ("kb", ["kb", "kilobyte", "kilobytes"]), ("mb", ["mb", "megabyte", "megabytes"]),
            ("gb", ["gb", "gigabyte", "gigabytes"]), ("tb", ["tb", "terabyte", "terabytes"]),
        ],
        "mass": [
            ("mg", ["mg", "milligram", "milligrams"]), ("g", ["gram", "grams"]),
            ("kg", ["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"]), ("lb", ["lb", "lbs", "pound", "pounds"]),
            ("oz", ["oz", "ounce", "ounces"]), ("ton", ["ton", "tons", "tonne", "tonnes"]),
        ],
        "length": [
            ("mm", ["mm", "millimeter", "millimeters", "millimetre", "millimetres"]),
            ("cm", ["cm", "centimeter", "centimeters", "centimetre", "centimetres"]),
            ("m", ["meter", "meters", "metre", "metres"]),
            ("km", ["km", "kms", "kilometer", "kilometers", "kilometre", "kilometres"]), ("in", ["inch", "inches"]),
            ("ft", ["ft", "foot", "feet"]), ("yd", ["yard", "yards"]), ("mi", ["mile", "miles"]),
        ],
        "speed": [("mph", ["mph"]), ("kmh", ["kmh", "kph"])],
        "volume": [
            ("ml", ["ml", "milliliter", "milliliters", "millilitre", "millilitres"]),
            ("l", ["liter", "liters", "litre", "litres"]), ("gal", ["gallon", "gallons"]), ("cup", ["cup", "cups"]),
            ("tbsp", ["tablespoon", "tablespoons", "tbsp"]), ("tsp", ["teaspoon", "teaspoons", "tsp"]),
        ],
        "temperature": [("c", ["celsius", "centigrade"]), ("f", ["fahrenheit"]), ("k", ["kelvin"])],
        "time": [
            ("s", ["second", "seconds", "sec", "secs"]), ("min", ["minute", "minutes", "mins"]),
            ("h", ["hour", "hours", "hr", "hrs"]), ("day", ["day", "days"]), ("week", ["week", "weeks"]),
            ("month", ["month", "months"]), ("year", ["year", "years", "yr", "yrs"]),
        ],
        "currency": [
            ("usd", ["dollar", "dollars", "usd"]), ("eur", ["euro", "euros", "eur"]), ("gbp", ["gbp", "sterling"]),
            ("inr", ["rupee", "rupees", "inr"]), ("jpy", ["yen", "jpy"]), ("btc", ["bitcoin", "bitcoins", "btc"]),
        ],
        "power": [("w", ["watt", "watts"]), ("kw", ["kw", "kilowatt", "kilowatts"])],
        "frequency": [("hz", ["hz", "hertz"]), ("mhz", ["mhz", "megahertz"]), ("ghz", ["ghz", "gigahertz"])],
        "part": [
            ("episode", ["episode", "episodes"]), ("season", ["season", "seasons"]),
            ("chapter", ["chapter", "chapters"]), ("page", ["page", "pages"]), ("verse", ["verse", "verses"]),
            ("level", ["level", "levels"]), ("round", ["round", "rounds"]), ("part", ["part", "parts"]),
        ],
        "schooling": [
            ("grade", ["grade", "grades"]), ("semester", ["semester", "semesters"]),
            ("class", ["class", "standard"]),
        ],
    ]

    /// Each unit word's dimension and unit name.
    package static let units: [String: (dimension: String, unit: String)] = {
        var units: [String: (dimension: String, unit: String)] = [:]
        for (dimension, list) in unitsByDimension {
            for (unit, words) in list { for word in words { units[word] = (dimension, unit) } }
        }
        return units
    }()

    private static func symmetric(_ pairs: [(String, String)]) -> [String: Set<String>] {
        var map: [String: Set<String>] = [:]
        for (a, b) in pairs {
            map[a, default: []].insert(b)
            map[b, default: []].insert(a)
        }
        return map
    }
}
