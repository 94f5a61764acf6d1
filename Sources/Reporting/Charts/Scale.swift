import Foundation

/// A linear map from data values to canvas coordinates, with "nice" ticks (1, 2, 5 × 10ᵏ).
struct LinearScale {
    let domain: ClosedRange<Double>
    /// Canvas coordinates of the domain's lower and upper bound (y runs downwards, so `from > to` there).
    let range: (from: Double, to: Double)

    /// A scale whose domain covers `values` (plus `include`), widened to nice tick boundaries.
    init(covering values: [Double], include: [Double] = [], range: (from: Double, to: Double), fixed: ClosedRange<Double>? = nil) {
        self.range = range
        if let fixed { domain = fixed; return }
        let all = (values + include).filter(\.isFinite)
        var lo = all.min() ?? 0, hi = all.max() ?? 1
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let step = LinearScale.niceStep((hi - lo) / 5)
        domain = (floor(lo / step) * step)...(ceil(hi / step) * step)
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, floor(log10(raw)))
        let f = raw / power
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power
    }

    func callAsFunction(_ x: Double) -> Double {
        let t = (x - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        return range.from + t * (range.to - range.from)
    }

    /// Tick values inside the domain, about five of them.
    var ticks: [Double] {
        let step = LinearScale.niceStep((domain.upperBound - domain.lowerBound) / 5)
        var out: [Double] = []
        var t = ceil(domain.lowerBound / step - 1e-9) * step
        while t <= domain.upperBound + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }
}

/// How an axis labels its values.
public enum ValueFormat: Sendable {
    case plain, percent, money
    /// A difference of shares in percentage points: "+2", "−0.5".
    case points

    func string(_ x: Double) -> String {
        switch self {
        case .percent:
            let v = x * 100
            return abs(v - v.rounded()) < 1e-9 ? String(format: "%.0f%%", v) : String(format: "%.1f%%", v)
        case .points:
            let v = x * 100
            if abs(v) < 1e-12 { return "0" }
            return abs(v - v.rounded()) < 1e-9 ? String(format: "%+.0f", v) : String(format: "%+.1f", v)
        case .money: return abs(x) >= 10_000 ? String(format: "%.0fk", x / 1000) : String(format: "%.0f", x)
        case .plain:
            if abs(x) >= 1000 { return String(format: "%.0f", x) }
            return x == x.rounded() ? String(format: "%.0f", x) : String(format: "%.2g", x)
        }
    }
}
