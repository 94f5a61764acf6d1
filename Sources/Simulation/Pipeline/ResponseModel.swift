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
    /// The probability that a click on an ad of advertiser `adv` converts.
    func conversionProbability(advertiser adv: Int) -> Double
    /// Whether the user of request `request` clicks `ad`, shown where it is clicked with `probability`.
    func clicks(request: UInt64, ad: Int, probability: Double) -> Bool
    /// Whether that click converts.
    func converts(request: UInt64, ad: Int, advertiser: Int) -> Bool
    /// Seconds from that click to its conversion.
    func conversionDelay(request: UInt64, ad: Int) -> Double
}

/// Purposes of counter-based uniforms, mixed into the ad counter so they never collide.
enum UniformPurpose: UInt64 {
    case click = 0, conversion = 1, conversionDelay = 2, throttle = 3
}

/// The generated world's true model: a logistic click model with per-advertiser interaction
/// weights (`World.truth`), per-advertiser conversion rates, exponential conversion delays.
struct TrueResponseModel: ResponseModel {
    let world: World
    let uniforms: CounterUniform
    /// Mean click-to-conversion delay in seconds.
    let delayMean: Double

    /// Calls `body` with the retrieval-order truth table (`World.truth`).
    @inline(__always)
    func withTruth<T>(_ body: (UnsafeBufferPointer<Double>) -> T) -> T { world.truth.withUnsafeBufferPointer(body) }

    func clickLogit(position: Int, user: UnsafeBufferPointer<Double>, drift: Double) -> Double {
        withTruth { World.trueLogit(position: position, truth: $0, user: user, drift: drift, dimension: world.dimension) }
    }

    @inline(__always)
    func conversionProbability(advertiser adv: Int) -> Double { world.conversionProbability(advertiser: adv) }

    @inline(__always)
    func clicks(request: UInt64, ad: Int, probability: Double) -> Bool {
        uniforms.uniform(request, UInt64(ad) << 2 | UniformPurpose.click.rawValue) < probability
    }

    @inline(__always)
    func converts(request: UInt64, ad: Int, advertiser: Int) -> Bool {
        uniforms.uniform(request, UInt64(ad) << 2 | UniformPurpose.conversion.rawValue) < conversionProbability(advertiser: advertiser)
    }

    @inline(__always)
    func conversionDelay(request: UInt64, ad: Int) -> Double {
        uniforms.exponential(mean: delayMean, request, UInt64(ad) << 2 | UniformPurpose.conversionDelay.rawValue)
    }
}
