import Scenario
import Stochastics

extension RandomStream {
    /// Draws one value of a scenario distribution with GSL's samplers.
    public func sample(_ distribution: Distribution) -> Double {
        switch distribution {
        case .constant(let v): return v
        case .lognormal(let median, let sigma): return lognormal(zeta: log(median), sigma: sigma)
        case .pareto(let scale, let shape): return pareto(shape: shape, scale: scale)
        case .uniform(let lo, let hi): return hi > lo ? uniform(lo, hi) : lo
        case .gamma(let mean, let shape): return gamma(shape: shape, scale: mean / shape)
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
