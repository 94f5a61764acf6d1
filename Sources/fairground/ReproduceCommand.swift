import ArgumentParser
import Foundation
import Marketplace

struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Check the simulator against published closed forms.",
        subcommands: [ReproduceAuction.self])
}

struct ReproduceAuction: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auction",
        abstract: "Monte Carlo auction revenue against closed forms (second price, Myerson reserve, first price, VCG = GSP).")

    @Option(help: "Auctions per check.")
    var samples: Int = 200_000

    @Option(help: "Seed.")
    var seed: UInt64 = 2024

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if samples < 100 { throw ValidationError("--samples must be at least 100") }
    }

    func run() throws {
        let checks = AuctionReproduction.run(samples: samples, seed: seed)
        if json {
            struct Output: Encodable { var checks: [ReproductionCheck]; var passed: Bool }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(Output(checks: checks, passed: checks.allSatisfy(\.pass))), as: UTF8.self))
        } else {
            print("check | measured (95% CI) | expected | result")
            for c in checks {
                print(String(format: "%@ | %.5f (%.5f–%.5f) | %.5f | %@", c.name, c.measured.mean, c.measured.lower,
                             c.measured.upper, c.expected, c.pass ? "pass" : "FAIL"))
            }
            print("\(checks.filter(\.pass).count) of \(checks.count) checks pass (tolerance: \(Int(AuctionReproduction.tolerance)) standard errors)")
        }
        if !checks.allSatisfy(\.pass) { throw ExitCode(1) }
    }
}
