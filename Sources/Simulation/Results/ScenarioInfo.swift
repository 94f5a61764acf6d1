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
}
