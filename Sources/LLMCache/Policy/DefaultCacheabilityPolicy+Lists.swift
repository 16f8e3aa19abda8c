extension DefaultCacheabilityPolicy {
    /// "my", "our".
    public static let defaultPossessives: Set<String> = ["my", "our"]

    /// One user's own records: what "my …" must be followed by to be personal.
    /// "My code", "my essay" are left out: such text comes with the prompt,
    /// so its fingerprint already differs per user.
    public static let defaultPersonalNouns: Set<String> = [
        "account", "order", "balance", "password", "pin", "subscription", "bill", "invoice", "payment", "refund",
        "delivery", "package", "parcel", "shipment", "booking", "reservation", "appointment", "card", "profile",
        "plan", "ticket", "claim", "statement", "transaction", "username", "login", "membership", "loan",
        "mortgage", "deposit", "salary", "paycheck", "cart", "wallet", "inbox", "prescription", "score", "points",
    ]

    /// Personal questions without a possessive.
    public static let defaultPersonalPhrases: [String] = [
        "do i owe", "did i order", "i ordered", "have i paid", "did i pay", "was i charged", "i was charged",
    ]

    /// How-to openings, after which "my …" asks for instructions, not records.
    public static let defaultHowToOpenings: [String] = [
        "how do i", "how can i", "how should i", "how would i", "how to", "how do you", "how does one",
        "how can you", "what is the way to", "what's the way to", "steps to", "is it possible to", "where can i",
        "where do i",
    ]

    /// About the present. "Now" alone is left out ("now, explain…"), as are
    /// weekdays ("black monday").
    public static let defaultTimeSensitivePhrases: [String] = [
        "today", "tonight", "tomorrow", "yesterday", "right now", "as of now", "just now", "at the moment",
        "current", "currently", "latest", "newest", "most recent", "recently", "up to date", "breaking news",
        "this morning", "this afternoon", "this evening", "this week", "this weekend", "this month", "this year",
        "this quarter", "next week", "next weekend", "next month", "next year", "last night", "last week",
        "last weekend", "last month", "last year",
    ]

    /// Where "current" is a physical quantity or a fixed term, not "now".
    public static let defaultTimeSensitiveExceptions: [String] = [
        "alternating current", "direct current", "electric current", "electrical current", "eddy current",
        "rip current", "ocean current", "current density", "current source", "current flow", "current divider",
        "current account deficit", "current account surplus", "current assets", "current liabilities",
    ]
}
