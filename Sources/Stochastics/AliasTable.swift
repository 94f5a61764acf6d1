/// Walker's alias method in Vose's construction: O(n) to build from weights, O(1) per draw.
///
/// Draws take two uniforms supplied by the caller, so they can be keyed (counter-based) uniforms.
public struct AliasTable: Sendable {
    public private(set) var probability: [Double] = []
    public private(set) var alias: [Int32] = []
    public private(set) var totalWeight = 0.0

    public init() {}

    /// Builds the table for non-negative weights (all zero: an empty table).
    public init(weights: [Double]) {
        let n = weights.count
        totalWeight = weights.reduce(0, +)
        guard n > 0, totalWeight > 0 else { return }
        probability = weights.map { $0 * Double(n) / totalWeight }
        alias = Array(repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for (i, p) in probability.enumerated() { if p < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            alias[s] = Int32(l)
            probability[l] -= 1 - probability[s]
            if probability[l] < 1 { large.removeLast(); small.append(l) }
        }
        for i in large + small { probability[i] = 1 }
    }

    public var isEmpty: Bool { probability.isEmpty }

    /// The index drawn by uniforms `u1` (which column) and `u2` (column or its alias) in [0, 1).
    @inlinable
    public func draw(_ u1: Double, _ u2: Double) -> Int {
        let column = min(Int(u1 * Double(probability.count)), probability.count - 1)
        return u2 < probability[column] ? column : Int(alias[column])
    }
}
