/// The headline numbers of a run: every figure a mean over replicates with a 95% interval.
///
/// This is the schema of `metrics.json` (documented in README.md). Paired differences use the
/// first policy as the baseline: both policies saw the same users and response uniforms in
/// each replicate, so the per-replicate difference removes most of the traffic noise.
public struct RunSummary: Sendable, Codable {
    public var tool: ToolInfo
    public var scenario: ScenarioInfo
    public var policies: [PolicySummary]
}
