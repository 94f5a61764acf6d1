import Stochastics

/// What traffic one cell saw, for checking common random numbers: every request's arrival time,
/// cohort, user features and retrieval start, and every impression's click uniform.
///
/// Policies of one replicate are compared on the same traffic (the traffic stream and the
/// response uniforms are seeded by scenario seed and replicate, never by policy), so two
/// policies' request lists are identical, and an ad shown in the same request under both is
/// decided by the same click uniform. Recorded only when a cell is given a trace (tests);
/// otherwise the engine pays one nil check per request and per impression.
final class TrafficTrace {
    struct Request: Equatable {
        var id: UInt64
        var arrival: Double
        var cohort: Int
        var start: Int
        var user: [Double]
    }

    struct Impression: Equatable {
        var request: UInt64
        var ad: Int
        var clickUniform: Double
    }

    private(set) var requests: [Request] = []
    private(set) var impressions: [Impression] = []

    init() {}

    func record(request id: UInt64, arrival: Double, cohort: Int, start: Int, user: UnsafeMutableBufferPointer<Double>) {
        requests.append(Request(id: id, arrival: arrival, cohort: cohort, start: start, user: Array(user)))
    }

    func record(impression request: UInt64, ad: Int, clickUniform: Double) {
        impressions.append(Impression(request: request, ad: ad, clickUniform: clickUniform))
    }
}
