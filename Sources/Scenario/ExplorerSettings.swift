/// The bandit algorithm an explorer uses (names match the Exploration module's).
public enum ExplorerAlgorithm: String, Sendable, CaseIterable, Codable {
    case thompson, ucb1, klUCB = "kl-ucb", epsilonGreedy = "epsilon-greedy", softmax
}

/// Which ads an explorer may show.
public enum ExplorerPool: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Ads of advertisers that entered during the run.
    case new
    /// Ads of one tier (by name).
    case tier(String)
    /// Ads with fewer than this many logged impressions (history plus the run so far).
    case under(Int)
    /// Every ad.
    case all

    public var description: String {
        switch self {
        case .new: return "new"
        case .tier(let t): return t
        case .under(let n): return "under-\(n)"
        case .all: return "all"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch text {
        case "new": self = .new
        case "all": self = .all
        default:
            if text.hasPrefix("under-"), let n = Int(text.dropFirst(6)) { self = .under(n) } else { self = .tier(text) }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// What an explorer learns to find (the names of the cohorts' objectives).
public enum ExplorerObjective: String, Sendable, CaseIterable, Codable {
    /// Clicks per examined impression (a click arrives at the impression's instant).
    case clicks
    /// Conversions per examined impression: the reward arrives with the conversion's delay.
    case conversions
    /// Conversions per examined impression, each arm's sample weighted by its advertiser's value
    /// per conversion when choosing.
    case orderValue = "order-value"
}

/// What an explored impression is charged per click.
public enum ExplorerPricing: String, Sendable, CaseIterable, Codable {
    /// The price per click the auction set for the slot taken (at most the ad's bid).
    case auction
    /// The reserve price (at most the ad's bid).
    case reserve
    /// Nothing: the platform pays for exploration.
    case free
}

/// When an ad leaves the exploration pool. Encoded as `{"impressions": N}` or `{"relativeError": r}`.
public enum Graduation: Sendable, Equatable, Codable {
    /// After this many examined impressions (Σ examination probability) during the run.
    case impressions(Double)
    /// When the posterior standard deviation of its click rate falls below this share of the mean.
    case relativeError(Double)

    private enum Keys: String, CodingKey { case impressions, relativeError }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if let n = try c.decodeIfPresent(Double.self, forKey: .impressions) { self = .impressions(n) } else {
            self = .relativeError(try c.decode(Double.self, forKey: .relativeError))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .impressions(let n): try c.encode(n, forKey: .impressions)
        case .relativeError(let r): try c.encode(r, forKey: .relativeError)
        }
    }
}

/// A top-of-funnel explorer: a share of requests in which one slot goes to a bandit's choice
/// among the request's candidates from the pool.
public struct ExplorerSettings: Sendable, Equatable, Codable {
    public var algorithm: ExplorerAlgorithm
    /// Share of requests in which the explorer claims a slot.
    public var rate: Double
    /// 1-based slot the explored ad takes.
    public var slot: Int
    public var pool: ExplorerPool
    public var pricing: ExplorerPricing
    public var graduation: Graduation
    /// What the bandit's reward counts; nil: clicks.
    public var objective: ExplorerObjective?
}
