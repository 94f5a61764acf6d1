import Stochastics

/// Paired comparisons of two cells of one sweep: every cell runs the same seeds, so replicate r
/// of both faces the same traffic and world draws, and the per-replicate difference cancels that
/// shared noise (a far tighter interval than comparing two cells' own intervals).
public enum PairedDifference {
    /// b − a, per replicate, with its 95% t-interval; nil when either lacks the metric or their
    /// replicate counts differ.
    public static func absolute(_ a: SweepCellResult, _ b: SweepCellResult, _ metric: String) -> Estimate? {
        guard let x = a.values(metric), let y = b.values(metric), x.count == y.count, !x.isEmpty else { return nil }
        return Statistics.pairedDifference(x, y)
    }

    /// (b − a) / a, per replicate (replicates where a is not positive are left out).
    public static func relative(_ a: SweepCellResult, _ b: SweepCellResult, _ metric: String) -> Estimate? {
        guard let x = a.values(metric), let y = b.values(metric), x.count == y.count, !x.isEmpty else { return nil }
        return Statistics.estimate(zip(x, y).compactMap { $0 > 0 ? ($1 - $0) / $0 : nil })
    }

    /// Whether b cannot be told apart from a on the metric: the paired interval includes zero
    /// (or cannot be formed: one replicate, or values missing).
    public static func indistinguishable(_ a: SweepCellResult, _ b: SweepCellResult, _ metric: String) -> Bool {
        guard let d = absolute(a, b, metric), d.count > 1, d.lower.isFinite, d.upper.isFinite else { return true }
        return !d.excludesZero
    }
}
