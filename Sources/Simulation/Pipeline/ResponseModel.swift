import Marketplace
import Stochastics

/// The response stage: the hidden truth users react with — who clicks, who converts and when.
///
/// The contract: outcomes depend only on (replicate, request, ad) through keyed uniforms, never on
/// the policy, so two policies that show the same ad to the same user in the same slot see the
/// same response (common random numbers). Nothing here is visible to the learners except through
/// the outcomes.
protocol ResponseModel {
    /// The true click logit of the ad at retrieval `position` for `user`, its advertiser's drift included.
    func clickLogit(position: Int, user: UnsafeBufferPointer<Double>, drift: Double) -> Double
    /// The probability that a click by `user` (of `cohort`) on the ad at retrieval `position` converts.
    func conversionProbability(position: Int, user: UnsafeBufferPointer<Double>, cohort: Int) -> Double
    /// Whether the user of request `request` clicks `ad`, shown where it is clicked with `probability`.
    func clicks(request: UInt64, ad: Int, probability: Double) -> Bool
    /// Whether that click converts, given its conversion probability.
    func converts(request: UInt64, ad: Int, probability: Double) -> Bool
    /// The value of that conversion (an order) for advertiser `adv` and a user of `cohort`.
    func orderValue(request: UInt64, ad: Int, advertiser adv: Int, cohort: Int) -> Double
    /// Seconds from that click to its conversion.
    func conversionDelay(request: UInt64, ad: Int) -> Double
}

extension ResponseModel {
    /// What follows a click by `user` (of `cohort`) on `ad` at retrieval `position` in request
    /// `request`: its conversion's delay and order value, or nil when it does not convert.
    @inline(__always)
    func conversion(request: UInt64, ad: Int, position: Int, advertiser adv: Int, user: UnsafeBufferPointer<Double>,
                    cohort: Int) -> (delay: Double, value: Double)? {
        guard converts(request: request, ad: ad, probability: conversionProbability(position: position, user: user, cohort: cohort)) else { return nil }
        return (conversionDelay(request: request, ad: ad), orderValue(request: request, ad: ad, advertiser: adv, cohort: cohort))
    }
}

/// Purposes of counter-based uniforms, mixed into the ad counter so they never collide.
enum UniformPurpose: UInt64 {
    case click = 0, conversion = 1, conversionDelay = 2, throttle = 3
}

/// The generated world's true model: a logistic click model with per-advertiser interaction
/// weights (`World.truth`), conversion rates per advertiser, cohort and user × ad interaction,
/// lognormal order values, exponential conversion delays.
struct TrueResponseModel: ResponseModel {
    let world: World
    let uniforms: CounterUniform
    /// Order values' own keyed draws, so that adding them shifted no other outcome.
    let valueUniforms: CounterUniform
    /// Mean click-to-conversion delay in seconds.
    let delayMean: Double

    /// Calls `body` with the retrieval-order truth table (`World.truth`).
    @inline(__always)
    func withTruth<T>(_ body: (UnsafeBufferPointer<Double>) -> T) -> T { world.truth.withUnsafeBufferPointer(body) }

    func clickLogit(position: Int, user: UnsafeBufferPointer<Double>, drift: Double) -> Double {
        withTruth { World.trueLogit(position: position, truth: $0, user: user, drift: drift, dimension: world.dimension) }
    }

    @inline(__always)
    func conversionProbability(position: Int, user: UnsafeBufferPointer<Double>, cohort: Int) -> Double {
        world.conversionProbability(position: position, user: user, cohort: cohort)
    }

    @inline(__always)
    func clicks(request: UInt64, ad: Int, probability: Double) -> Bool {
        uniforms.uniform(request, UInt64(ad) << 2 | UniformPurpose.click.rawValue) < probability
    }

    @inline(__always)
    func converts(request: UInt64, ad: Int, probability: Double) -> Bool {
        uniforms.uniform(request, UInt64(ad) << 2 | UniformPurpose.conversion.rawValue) < probability
    }

    @inline(__always)
    func orderValue(request: UInt64, ad: Int, advertiser adv: Int, cohort: Int) -> Double {
        guard world.orderValueSigma > 0 else { return world.expectedOrderValue(advertiser: adv, cohort: cohort) }
        return world.orderValue(advertiser: adv, cohort: cohort, standardNormal: valueUniforms.gaussian(request, UInt64(ad)))
    }

    @inline(__always)
    func conversionDelay(request: UInt64, ad: Int) -> Double {
        uniforms.exponential(mean: delayMean, request, UInt64(ad) << 2 | UniformPurpose.conversionDelay.rawValue)
    }
}
