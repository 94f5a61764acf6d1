import ArgumentParser
import Foundation
import Marketplace
import Scenario

struct AuctionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auction",
        abstract: "Allocation and prices of one position auction: what the simulator would charge.",
        discussion: """
            Bids are listed by bidder (0-based), slot weights (--ctrs) in slot order. Payment = price per click \
            × slot weight × quality. Bidders below the reserve are not allocated.
            Example: fairground auction --mechanism gsp --ctrs 0.5,0.3,0.1 --bids 5,4,3,2
            """)

    @Option(help: "gsp | vcg | second-price | first-price")
    var mechanism: String = "gsp"

    @Option(help: "Comma-separated slot weights (click-through rates or examination probabilities), best slot first.")
    var ctrs: String

    @Option(help: "Comma-separated bids per click, one per bidder.")
    var bids: String

    @Option(help: "Comma-separated quality factors, one per bidder (default all 1).")
    var quality: String?

    @Option(help: "Reserve price per click.")
    var reserve: Double = 0

    @Flag(help: "Print JSON.")
    var json = false

    func parsedMechanism() throws -> Mechanism {
        guard let m = Mechanism(rawValue: mechanism) else {
            throw ValidationError("--mechanism: '\(mechanism)' is not one of gsp | vcg | second-price | first-price")
        }
        return m
    }

    static func list(_ text: String, _ name: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var values: [Double] = []
        for (i, part) in parts.enumerated() {
            guard let x = Double(part.trimmingCharacters(in: .whitespaces)), x.isFinite, x >= 0 else {
                throw ValidationError("--\(name): item \(i + 1) ('\(part)') is not a non-negative number")
            }
            values.append(x)
        }
        return values
    }

    func validate() throws {
        _ = try parsedMechanism()
        let w = try Self.list(ctrs, "ctrs"), b = try Self.list(bids, "bids")
        if w.isEmpty || b.isEmpty { throw ValidationError("--ctrs and --bids need at least one value each") }
        if let quality, try Self.list(quality, "quality").count != b.count {
            throw ValidationError("--quality needs one value per bidder (\(b.count))")
        }
        if !reserve.isFinite || reserve < 0 { throw ValidationError("--reserve must be a non-negative number") }
        if zip(w, w.dropFirst()).contains(where: { $0 < $1 }) {
            throw ValidationError("--ctrs must not increase from one slot to the next (best slot first)")
        }
    }

    func run() throws {
        let b = try Self.list(bids, "bids")
        let q = try quality.map { try Self.list($0, "quality") }
        let awards = PositionAuction.awards(try parsedMechanism(), reserve: reserve, bids: b, quality: q,
                                            weights: try Self.list(ctrs, "ctrs"))
        let revenue = awards.reduce(0) { $0 + $1.payment }
        guard revenue.isFinite, awards.allSatisfy({ $0.payment.isFinite && $0.pricePerClick.isFinite }) else {
            throw ValidationError("--bids, --ctrs and --quality are so large that prices or payments overflow to infinity; use smaller values (the products must stay below 1.8e308)")
        }
        if json {
            struct Output: Encodable { var allocation: [SlotAward]; var revenue: Double }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(Output(allocation: awards, revenue: revenue)), as: UTF8.self))
            return
        }
        print("slot  bidder  price/click  payment")
        for a in awards {
            print(String(format: "%4d  %6d  %11.4f  %7.4f", a.slot, a.bidder, a.pricePerClick, a.payment))
        }
        print(String(format: "revenue %.4f (%@ auction, reserve %.4g)", revenue, mechanism, reserve))
    }
}
