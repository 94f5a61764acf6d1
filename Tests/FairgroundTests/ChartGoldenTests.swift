import Foundation
import Testing
@testable import Reporting
import Stochastics

/// Golden-file checks of the SVG chart module on fixed data. Output must be byte-identical to
/// the recorded files; after an intended change, re-record with
/// `FAIRGROUND_RECORD_GOLDEN=1 swift test --filter ChartGoldenTests` (which writes the files and
/// fails, so a record run can never pass for a check), review the diff, and run again without it.
@Suite("Reporting: SVG charts (golden files)")
struct ChartGoldenTests {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("Tests/FairgroundTests/Golden")

    func check(_ name: String, _ svg: String) throws {
        let url = Self.folder.appendingPathComponent("\(name).svg")
        if ProcessInfo.processInfo.environment["FAIRGROUND_RECORD_GOLDEN"] == "1" {
            try svg.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("recorded \(name).svg (FAIRGROUND_RECORD_GOLDEN=1): review the diff, then run without the variable")
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(svg == expected, "\(name).svg differs from its golden file; re-record if the change is intended")
    }

    func e(_ mean: Double, _ half: Double) -> Estimate { Estimate(mean: mean, lower: mean - half, upper: mean + half, count: 5) }

    @Test func lineChartWithBands() throws {
        let series = [
            LineSeries(name: "large", color: Palette.color(0), points: (0..<8).map { LinePoint(x: Double($0), y: 0.6 - 0.02 * Double($0), lower: 0.55 - 0.02 * Double($0), upper: 0.65 - 0.02 * Double($0)) }),
            LineSeries(name: "small", color: Palette.color(1), points: (0..<8).map { LinePoint(x: Double($0), y: 0.4 + 0.02 * Double($0)) }),
        ]
        try check("line", Chart.line(title: "Exposure share over time", x: AxisSpec("day"), y: AxisSpec("share", format: .percent, fixed: 0...1), series: series))
    }

    @Test func groupedBarsWithWhiskers() throws {
        try check("bars", Chart.bars(title: "Spend delivery by tier", categories: ["large", "small", "new"], y: AxisSpec("spend ÷ budget", format: .percent),
                                     series: [("global", Palette.color(0), [e(0.8, 0.05), e(0.6, 0.04), e(0.5, 0.1)]),
                                              ("oracle", Palette.color(1), [e(0.78, 0.05), e(0.8, 0.03), nil])]))
    }

    @Test func scatterWithTwoWayWhiskers() throws {
        try check("scatter", Chart.scatter(title: "Revenue against small-tier delivery", x: AxisSpec("delivery", format: .percent),
                                           y: AxisSpec("revenue", format: .money),
                                           points: [("global", Palette.color(0), e(0.64, 0.04), e(141_000, 4000)),
                                                    ("oracle", Palette.color(2), e(0.81, 0.03), e(147_000, 4500))]))
    }

    @Test func forestPlotOfPairedDifferences() throws {
        try check("intervals", Chart.intervals(title: "Paired change vs global", x: AxisSpec("percentage points", format: .points),
                                               groups: [("small tier: delivery", [("explore", Palette.color(1), e(0.012, 0.004)), ("oracle", Palette.color(2), e(0.03, 0.005))]),
                                                        ("new ads with a click", [("explore", Palette.color(1), e(-0.01, 0.02))])]))
    }

    @Test func stepLorenzWithReference() throws {
        // By hand: cumulative shares of 1, 1, 2, 4, 8 (total 16) are 1/16, 2/16, 4/16, 8/16, 1; the
        // Gini is Σ|xᵢ − xⱼ| / (2n²x̄) = 136 / (2·25·3.2) = 0.425.
        #expect(Inequality.lorenz([1, 1, 2, 4, 8]) == [0.0625, 0.125, 0.25, 0.5, 1])
        #expect(abs(Inequality.gini([1, 1, 2, 4, 8]) - 0.425) < 1e-12)
        let points = Inequality.lorenz([1, 1, 2, 4, 8]).enumerated().map { LinePoint(x: Double($0.offset + 1) / 5, y: $0.element) }
        try check("lorenz", Chart.line(title: "Lorenz curve", x: AxisSpec("advertisers", format: .percent, fixed: 0...1),
                                       y: AxisSpec("exposure", format: .percent, fixed: 0...1),
                                       series: [LineSeries(name: "policy (Gini 0.425)", color: Palette.color(0), points: [LinePoint(x: 0, y: 0)] + points)],
                                       step: true, reference: [LinePoint(x: 0, y: 0), LinePoint(x: 1, y: 1)]))
    }

    @Test func textIsEscaped() {
        let svg = Chart.bars(title: "A & B <c>", categories: ["x"], y: AxisSpec("y"), series: [("\"q\"", Palette.color(0), [e(1, 0.1)])])
        #expect(svg.contains("A &amp; B &lt;c&gt;") && svg.contains("&quot;q&quot;") && !svg.contains("<c>"))
    }

    @Test func niceTicks() {
        let scale = LinearScale(covering: [0.013, 0.87], range: (0, 100))
        #expect(scale.domain == 0...1)
        #expect(scale.ticks == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
    }
}
