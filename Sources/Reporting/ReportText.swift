import Simulation

/// Sentences shared by the HTML report, summary.md and the terminal.
public enum ReportText {
    public static func scenarioLine(_ s: RunSummary) -> String {
        let sc = s.scenario
        var line = "\(sc.replicates) replicates × \(Format.number(sc.days)) days × \(Format.grouped(sc.requestsPerDay)) requests/day; "
            + "\(sc.slots) slots, \(sc.mechanism) auction, \(sc.pacing) pacing; seed \(sc.seed). "
        if let e = sc.newAdvertisers {
            line += "New advertisers: \(String(format: "%.3g", e.perDay)) per day, \(Format.percent(e.expectedShare, digits: 0)) of all advertisers by the end"
                + (e.requestedShare != nil ? " (the scenario's newAdvertisers.share)" : "") + ". "
        }
        return line + "Money in \(sc.currency ?? "money units"), totals over the run. Every figure is a mean over replicates with its 95% confidence interval in brackets."
    }

    /// Whether advertisers entered during the run (by the scenario's rate, or, for runs of earlier
    /// versions that did not record it, by the `new` group's advertisers).
    public static func hasEntrants(_ s: RunSummary) -> Bool {
        (s.scenario.newAdvertisers?.perDay ?? 0) > 0 || s.policies.contains { ($0.tiers[RunSummary.newGroup]?.advertisers.mean ?? 0) > 0 }
    }

    /// The tier the report is about: "small" if there is one, else the last tier.
    public static func focusTier(_ s: RunSummary) -> String {
        s.scenario.tiers.contains("small") ? "small" : (s.scenario.tiers.last ?? RunSummary.newGroup)
    }

    /// The findings split for display: the top few about deployable policies, the rest of theirs,
    /// and those about reference policies (the oracle).
    public static func findings(_ s: RunSummary) -> (top: [String], more: [String], reference: [String]) {
        let ranked = Findings.ranked(s)
        let deployable = ranked.filter { !$0.reference }.map(\.text), reference = ranked.filter(\.reference).map(\.text)
        if deployable.isEmpty && reference.isEmpty {
            return ([s.scenario.replicates < 2 ? "One replicate gives no intervals, so no difference can be called a change: run with --replicates 2 or more."
                     : "No policy differs from the baseline by more than the noise of the replicates."], [], [])
        }
        return (Array(deployable.prefix(Findings.shown)), Array(deployable.dropFirst(Findings.shown)), reference)
    }

    /// The verdict section's words when there is nothing to compare.
    public static func noVerdict(_ s: RunSummary) -> String {
        s.policies.count < 2
            ? "This scenario has one policy: there is nothing to compare it with. Add a second policy to get a verdict."
            : "No deployable policy besides the baseline \(s.policies[0].name): the others use the oracle ranker, a reference that knows the true click rates."
    }

    public static let howToRead = [
        "**Verdict**: each deployable policy against the first policy listed (the baseline), paired on the same simulated traffic (common random numbers). A change is called better or worse only when its 95% interval excludes zero; otherwise it is **inconclusive**, with the replicates that would tell a change of the observed size from zero.",
        "**Reference (not deployable)**: the oracle ranker knows the true click and conversion rates and order values; it shows how far a policy is from the best a ranker could do.",
        "**New advertisers** are inside the tiers: the tier columns add up to 100% of exposure, and `new` overlaps them.",
        "Definitions of every metric: the glossary. Data: `metrics.json` (all figures), `replicates.csv` (headline values per replicate), `advertisers.csv`, `timeseries.csv`, `ramp.csv`, `calibration.csv`.",
    ]
}
