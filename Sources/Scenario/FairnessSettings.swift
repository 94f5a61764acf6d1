/// Where merit comes from for the FairCo controller.
public enum MeritSource: String, Sendable, CaseIterable, Codable {
    /// The true expected value per impression (known only to the simulator).
    case `true`
    /// The ranker's estimate (what a platform actually has).
    case estimated
}

/// A fairness control applied on top of a policy's ranker (and explorer).
///
/// Encoded in metrics.json as `{"kind": "fairco", "lambda": …, "merit": …}` and so on.
public enum FairnessControl: Sendable, Equatable, Codable {
    /// Keep `group` (a tier name or "new") at ≥ `share` of position-weighted exposure over a
    /// sliding window of `windowHours`, boosting its best candidates into the lowest slots needed.
    case exposureFloor(group: String, share: Double, windowHours: Double)
    /// FairCo (Morik et al. 2020) adapted to auctions: score + λ · s̄ · err(group), where err grows
    /// with the group's accumulated exposure-to-merit disparity and s̄ is the request's mean score.
    case fairco(lambda: Double, merit: MeritSource)
    /// Multiply each tier's predicted click rates by observed ÷ predicted clicks on its impressions
    /// (shrunk toward 1 by `priorClicks` pseudo-clicks), refreshed every pacing interval.
    case tierCalibrated(priorClicks: Double)

    public var kind: String {
        switch self {
        case .exposureFloor: return "exposure-floor"
        case .fairco: return "fairco"
        case .tierCalibrated: return "tier-calibrated"
        }
    }

    private enum Keys: String, CodingKey { case kind, group, share, windowHours, lambda, merit, priorClicks }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "exposure-floor":
            self = .exposureFloor(group: try c.decode(String.self, forKey: .group), share: try c.decode(Double.self, forKey: .share),
                                  windowHours: try c.decode(Double.self, forKey: .windowHours))
        case "fairco":
            self = .fairco(lambda: try c.decode(Double.self, forKey: .lambda), merit: try c.decode(MeritSource.self, forKey: .merit))
        default:
            self = .tierCalibrated(priorClicks: try c.decode(Double.self, forKey: .priorClicks))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .exposureFloor(let group, let share, let window):
            try c.encode(group, forKey: .group); try c.encode(share, forKey: .share); try c.encode(window, forKey: .windowHours)
        case .fairco(let lambda, let merit):
            try c.encode(lambda, forKey: .lambda); try c.encode(merit, forKey: .merit)
        case .tierCalibrated(let prior):
            try c.encode(prior, forKey: .priorClicks)
        }
    }
}
