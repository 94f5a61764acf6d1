public struct ScenarioInfo: Sendable, Codable {
    public var name: String
    public var seed: UInt64
    public var replicates: Int
    public var days: Double
    public var requestsPerDay: Double
    public var slots: Int
    public var mechanism: String
    public var pacing: String
    public var tiers: [String]
    /// The unit money is shown in (display only).
    public var currency: String?
    /// Entrants per day, and the share of all advertisers they are expected to make up by the
    /// end of the horizon (ignoring churn); `requestedShare` when the scenario gave the share.
    public var newAdvertisers: EntrantsInfo?
    /// Identifies the resolved scenario, and its world and traffic alone (`compare` pairs two runs
    /// by replicate when their `world` fingerprints match).
    public var fingerprint: ScenarioFingerprint?
}

public struct EntrantsInfo: Sendable, Codable {
    public var perDay: Double
    public var expectedShare: Double
    public var requestedShare: Double?
}
