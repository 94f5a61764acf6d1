/// Logged impressions in struct-of-arrays form: what a ranker is trained on.
///
/// Rows hold the ad, the user's feature vector and cohort, the examination probability of the
/// slot it was shown in, and the outcomes. Appending reuses capacity after `removeAll(keepingCapacity:)`.
public struct InteractionLog: Sendable {
    public let dimension: Int
    public private(set) var ad: [Int32] = []
    public private(set) var user: [Double] = []
    public private(set) var examination: [Double] = []
    public private(set) var clicked: [Bool] = []
    public private(set) var converted: [Bool] = []
    public private(set) var cohort: [Int32] = []

    public init(dimension: Int, capacity: Int = 0) {
        self.dimension = dimension
        ad.reserveCapacity(capacity)
        user.reserveCapacity(capacity * dimension)
        examination.reserveCapacity(capacity)
        clicked.reserveCapacity(capacity)
        converted.reserveCapacity(capacity)
        cohort.reserveCapacity(capacity)
    }

    public var count: Int { ad.count }

    /// Appends one impression; `userFeatures` must hold `dimension` values.
    public mutating func append(ad a: Int, user userFeatures: UnsafeBufferPointer<Double>, cohort k: Int, examination e: Double,
                                clicked c: Bool, converted v: Bool = false) {
        ad.append(Int32(a))
        user.append(contentsOf: userFeatures)
        examination.append(e)
        clicked.append(c)
        converted.append(v)
        cohort.append(Int32(k))
    }

    public mutating func removeAll() {
        ad.removeAll(keepingCapacity: true)
        user.removeAll(keepingCapacity: true)
        examination.removeAll(keepingCapacity: true)
        clicked.removeAll(keepingCapacity: true)
        converted.removeAll(keepingCapacity: true)
        cohort.removeAll(keepingCapacity: true)
    }
}
