/// Inequality indices used as fairness metrics across advertisers.
public enum Inequality {
    /// Gini coefficient Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean), computed in O(n log n) on the sorted values.
    ///
    /// 0 means perfect equality; (n−1)/n means one holder has everything. Returns 0 for an empty
    /// sample or a zero total.
    public static func gini(_ xs: [Double]) -> Double {
        let n = xs.count
        let total = xs.reduce(0, +)
        guard n > 0, total > 0 else { return 0 }
        let sorted = xs.sorted()
        // Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − n − 1) x₍ᵢ₎ with 1-based ranks on ascending values.
        var weighted = 0.0
        for (i, x) in sorted.enumerated() { weighted += Double(2 * (i + 1) - n - 1) * x }
        return weighted / (Double(n) * total)
    }

    /// Jain's fairness index (Σx)² / (n Σx²): 1 when equal, 1/n when one holder has everything.
    public static func jain(_ xs: [Double]) -> Double {
        let sumSquares = xs.reduce(0) { $0 + $1 * $1 }
        guard !xs.isEmpty, sumSquares > 0 else { return 1 }
        let total = xs.reduce(0, +)
        return total * total / (Double(xs.count) * sumSquares)
    }

    /// Points of the Lorenz curve: cumulative share of the total held by the poorest k holders.
    public static func lorenz(_ xs: [Double]) -> [Double] {
        let total = xs.reduce(0, +)
        guard total > 0 else { return xs.map { _ in 0 } }
        var running = 0.0
        return xs.sorted().map { running += $0; return running / total }
    }

    /// The Lorenz curve of `xs` at population shares `grid` (each in 0…1), linear between holders;
    /// the diagonal when `xs` is empty.
    public static func lorenz(_ xs: [Double], at grid: [Double]) -> [Double] {
        guard !xs.isEmpty else { return grid }
        let cumulative = [0] + lorenz(xs), n = Double(xs.count)
        return grid.map { p in
            let position = p * n, i = min(Int(position), xs.count - 1)
            return cumulative[i] + (position - Double(i)) * (cumulative[i + 1] - cumulative[i])
        }
    }
}
