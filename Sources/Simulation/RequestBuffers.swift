/// The request path's scratch memory, allocated once per simulation and freed with it.
///
/// The simulation holds the buffer pointers as `let` properties: writing a candidate's score is a
/// plain store, without the uniqueness check (and, in the struct's mutating methods, the
/// exclusivity bookkeeping) that an array property costs on every write.
final class RequestBuffers {
    let candidates: UnsafeMutableBufferPointer<Int>
    let positions: UnsafeMutableBufferPointer<Int>
    let bids: UnsafeMutableBufferPointer<Double>
    let quality: UnsafeMutableBufferPointer<Double>
    let predicted: UnsafeMutableBufferPointer<Double>
    let trueRate: UnsafeMutableBufferPointer<Double>
    let predictedCVR: UnsafeMutableBufferPointer<Double>
    let user: UnsafeMutableBufferPointer<Double>
    /// Per group (tiers, then new advertisers): the request's true merit, estimated merit and
    /// candidate count, `groups` values each.
    let merit: UnsafeMutableBufferPointer<Double>

    init(capacity: Int, dimension: Int, groups: Int) {
        func doubles(_ n: Int) -> UnsafeMutableBufferPointer<Double> {
            let p = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
            p.initialize(repeating: 0)
            return p
        }
        candidates = .allocate(capacity: capacity)
        candidates.initialize(repeating: 0)
        positions = .allocate(capacity: capacity)
        positions.initialize(repeating: 0)
        bids = doubles(capacity)
        quality = doubles(capacity)
        predicted = doubles(capacity)
        trueRate = doubles(capacity)
        predictedCVR = doubles(capacity)
        user = doubles(dimension)
        merit = doubles(3 * groups)
    }

    deinit {
        for p in [bids, quality, predicted, trueRate, predictedCVR, user, merit] { p.deallocate() }
        candidates.deallocate()
        positions.deallocate()
    }
}
