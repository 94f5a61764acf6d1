import Stochastics

/// Request arrivals: a non-homogeneous Poisson process whose rate follows the hourly diurnal
/// profile (piecewise constant), sampled exactly by inverting the integrated rate.
public struct ArrivalProcess: Sendable {
    /// Requests per second in each hour of the day.
    public let hourlyRate: [Double]

    /// `diurnal` holds 24 weights with mean 1.
    public init(requestsPerDay: Double, diurnal: [Double]) {
        hourlyRate = diurnal.map { $0 * requestsPerDay / 86_400 }
    }

    /// The next arrival after `time`, consuming one Exp(1) variate from `stream`.
    public func next(after time: Double, _ stream: RandomStream) -> Double {
        var remaining = stream.exponential(mean: 1)
        var t = time
        // Walk hour by hour, spending the exponential mass; a full day without traffic is impossible
        // because the profile has a positive sum.
        while true {
            let hourIndex = Int(t / 3600)
            let rate = hourlyRate[hourIndex % 24]
            let boundary = Double(hourIndex + 1) * 3600
            let mass = (boundary - t) * rate
            if rate > 0 && mass >= remaining { return t + remaining / rate }
            remaining -= mass
            t = boundary
        }
    }

    /// Expected share of a day's traffic falling in [start, end) seconds (times of day may span days).
    public func share(from start: Double, to end: Double) -> Double {
        var total = 0.0, t = start
        while t < end {
            let hourIndex = Int(t / 3600)
            let boundary = min(end, Double(hourIndex + 1) * 3600)
            total += (boundary - t) * hourlyRate[hourIndex % 24]
            t = boundary
        }
        let perDay = hourlyRate.reduce(0, +) * 3600
        return perDay > 0 ? total / perDay : 0
    }
}
