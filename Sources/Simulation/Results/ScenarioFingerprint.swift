import Foundation
import Scenario

/// Two hashes of a resolved scenario: all of it, and the part that fixes each replicate's world
/// and traffic (everything but the name, replicate count, currency and policies).
///
/// FNV-1a (64 bit) over the scenario's Swift description: an identity check between runs of the
/// same Fairground version, not a cryptographic digest; a new version may hash differently.
public struct ScenarioFingerprint: Sendable, Codable, Equatable {
    public var scenario: String
    public var world: String

    public init(_ s: Scenario) {
        scenario = Self.fnv1a(Self.text(s))
        var world = s
        world.name = ""
        world.replicates = 1
        world.currency = ""
        world.policies = []
        self.world = Self.fnv1a(Self.text(world))
    }

    /// The scenario's description without the settings later versions added at their defaults
    /// (fixed-CPC bidding, no overrides, one adgroup per ad, no advertiser dynamics, no tier features, the click-only conversion and order-value model), so a scenario that does not use
    /// them keeps the fingerprint it had before they existed.
    static func text(_ s: Scenario) -> String {
        String(describing: s)
            .replacingOccurrences(of: ", bidding: \(String(reflecting: Bidding.fixedCPC)))", with: ")")
            .replacingOccurrences(of: ", bidding: [:])", with: ")")
            .replacingOccurrences(of: ", adgroupsPerAdvertiser: 0, adgroupBudgetShares: []", with: "")
            .replacingOccurrences(of: ", advertiserDynamics: nil)", with: ")")
            .replacingOccurrences(of: ", conversionModel: \(String(reflecting: ConversionModelKind.counts)), conversionWindowHours: 24.0", with: "")
            .replacingOccurrences(of: ", tierFeatures: false)", with: ")")
            .replacingOccurrences(of: ", objective: nil)", with: ")")
            .replacingOccurrences(of: ", conversionBlocks: false", with: "")
            .replacingOccurrences(of: ", taskSampling: \(String(reflecting: TaskSampling.uniform)))", with: ")")
            .replacingOccurrences(of: ", conversionShift: 0.0, orderValueScale: 1.0)", with: ")")
            .replacingOccurrences(of: ", conversionInteraction: 0.0, orderValueSigma: 0.0, orderValueDeviation: 0.0)", with: ")")
    }

    static func fnv1a(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
