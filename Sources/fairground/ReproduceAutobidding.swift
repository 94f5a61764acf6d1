import ArgumentParser
import Foundation
import Marketplace
import Reporting

/// Prints `AutobiddingReproduction` checks (a table, or JSON) and exits 1 when one fails.
func printChecks(_ checks: [AutobiddingReproduction.Check], json: Bool) throws {
    if json {
        struct Output: Encodable { var checks: [AutobiddingReproduction.Check]; var passed: Bool }
        print(try MetricsJSON.encode(Output(checks: checks, passed: checks.allSatisfy(\.pass))), terminator: "")
    } else {
        print("check | measured (95% CI) | rule | result")
        for c in checks {
            print(String(format: "%@ | %.4f (%.4f–%.4f) | %@ | %@", c.name, c.measured.mean, c.measured.lower, c.measured.upper,
                         c.rule, c.pass ? "pass" : "FAIL"))
        }
        print("\(checks.filter(\.pass).count) of \(checks.count) checks pass")
    }
    if !checks.allSatisfy(\.pass) { throw ExitCode(1) }
}

/// The options both autobidding reproductions take.
struct QuickSeedJSON: ParsableArguments {
    @Flag(help: "Shorter streams or runs, and 5 runs (for tests).")
    var quick = false

    @Option(help: "Seed.")
    var seed: UInt64 = 2026

    @Flag(help: "Print JSON.")
    var json = false
}

struct ReproduceAutobidding: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autobidding",
        abstract: "Autobidding strategies against known optima: max-conversions vs the offline knapsack, target CPA in a truthful auction.",
        discussion: """
            Max-conversions: 10⁵ opportunities (--quick: 2·10⁴), conversion probability U(0, 0.1), highest competing bid \
            U(0, 1), second price, budget 0.01 per opportunity; the offline optimum in hindsight is the fractional knapsack \
            (by conversion probability per price). Checks: conversions ≥ 95% of it, budget spent ≥ 95% and never over. \
            Target CPA 5 with the true pCVR U(0.01, 0.2) in a single-slot second-price auction: realised CPA within 5% of \
            the target. 20 runs (--quick: 5); intervals over runs.
            """)

    @OptionGroup var options: QuickSeedJSON

    func run() throws {
        let T = options.quick ? 20_000 : 100_000, runs = options.quick ? 5 : 20
        try printChecks(AutobiddingReproduction.maxConversions(opportunities: T, runs: runs, seed: options.seed)
                        + AutobiddingReproduction.targetCPA(opportunities: T, runs: runs, seed: options.seed), json: options.json)
    }
}

struct ReproducePacing: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacing",
        abstract: "Adaptive pacing's fixed point (Balseiro & Gur): ρ = 1/24 per auction ⇒ multiplier μ* = 1, utility 1/8.",
        discussion: """
            Value U[0, 1], highest competing bid U[0, 1], second price, step 0.05; 400,000 auctions per run (--quick: \
            100,000), the multiplier averaged over each run's second half; 20 runs (--quick: 5).
            """)

    @OptionGroup var options: QuickSeedJSON

    func run() throws {
        try printChecks(AutobiddingReproduction.pacing(auctions: options.quick ? 100_000 : 400_000, runs: options.quick ? 5 : 20,
                                                       seed: options.seed), json: options.json)
    }
}
