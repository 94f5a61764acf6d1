import Foundation
import Stochastics

/// One point of a line series, with an optional confidence band.
public struct LinePoint: Sendable, Equatable {
    public var x: Double, y: Double
    public var lower: Double?, upper: Double?
    /// Text drawn beside the point when its series has markers (e.g. a sweep cell's values).
    public var label: String?
    public init(x: Double, y: Double, lower: Double? = nil, upper: Double? = nil, label: String? = nil) {
        self.x = x; self.y = y; self.lower = lower; self.upper = upper; self.label = label
    }
}

/// A vertical line across the plot at `x`, labelled (e.g. a constraint's bound).
public struct VerticalRule: Sendable, Equatable {
    public var x: Double
    public var label: String
    public init(x: Double, label: String) { self.x = x; self.label = label }
}

public struct LineSeries: Sendable {
    public var name: String
    public var color: String
    public var points: [LinePoint]
    /// Draw dots (with vertical whiskers from the bands) instead of a line.
    public var markers: Bool
    /// A stroke-dasharray for the line ("6 3"), so series can be told apart without colour, or a
    /// group that is not a peer of the others (new advertisers inside the tiers) is set apart.
    public var dash: String?
    public init(name: String, color: String, points: [LinePoint], markers: Bool = false, dash: String? = nil) {
        self.name = name; self.color = color; self.points = points; self.markers = markers; self.dash = dash
    }
}

/// An axis: its title and how values are printed; `fixed` pins the domain.
public struct AxisSpec: Sendable {
    public var label: String
    public var format: ValueFormat
    public var fixed: ClosedRange<Double>?
    public init(_ label: String, format: ValueFormat = .plain, fixed: ClosedRange<Double>? = nil) {
        self.label = label; self.format = format; self.fixed = fixed
    }
}

/// Our SVG charts: line (optionally stepped, with bands), grouped bars with whiskers, scatter
/// with two-way whiskers. Each returns a standalone `<svg class="chart">` document.
public enum Chart {
    /// Lines with optional 95% bands; `step` draws a step function (Lorenz curves);
    /// `reference` draws a dashed grey line (e.g. the diagonal of perfect equality).
    public static func line(title: String, x: AxisSpec, y: AxisSpec, series: [LineSeries], step: Bool = false,
                            reference: [LinePoint] = [], rule: VerticalRule? = nil, note: String? = nil) -> String {
        let all = series.flatMap(\.points) + reference
        let xs = LinearScale(covering: all.map(\.x) + (rule.map { [$0.x] } ?? []), range: (SVGCanvas.plotLeft, SVGCanvas.plotRight), fixed: x.fixed)
        let ys = LinearScale(covering: all.flatMap { [$0.y, $0.lower ?? $0.y, $0.upper ?? $0.y] },
                             range: (SVGCanvas.plotBottom, SVGCanvas.plotTop), fixed: y.fixed)
        var c = SVGCanvas()
        c.xDomain = xs.domain
        c.frame(title: title, xLabel: x.label, yLabel: y.label, x: xs, y: ys, xFormat: x.format, yFormat: y.format)
        if let rule {
            let px = SVGCanvas.n(xs(rule.x))
            c.mark("<path d=\"M\(px) \(SVGCanvas.n(SVGCanvas.plotTop))V\(SVGCanvas.n(SVGCanvas.plotBottom))\" stroke=\"#b00\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\" fill=\"none\"/>")
            c.text(rule.label, x: xs(rule.x) + 4, y: SVGCanvas.plotTop + 12, size: 11)
        }
        for s in series where s.markers {
            for p in s.points {
                let px = xs(p.x), py = ys(p.y)
                if let lo = p.lower, let hi = p.upper {
                    c.mark("<path d=\"M\(SVGCanvas.n(px)) \(SVGCanvas.n(ys(lo)))V\(SVGCanvas.n(ys(hi)))\" stroke=\"\(s.color)\" stroke-width=\"1.2\" fill=\"none\"/>")
                }
                c.mark("<circle cx=\"\(SVGCanvas.n(px))\" cy=\"\(SVGCanvas.n(py))\" r=\"4.5\" fill=\"\(s.color)\" stroke=\"#222\"/>")
                if let label = p.label { c.text(label, x: px + 7, y: py - 6, size: 11) }
            }
        }
        for s in series where !s.points.isEmpty && !s.markers {
            let banded = s.points.filter { $0.lower != nil && $0.upper != nil }
            if banded.count > 1 {
                let top = banded.map { "\(SVGCanvas.n(xs($0.x))),\(SVGCanvas.n(ys($0.upper!)))" }
                let bottom = banded.reversed().map { "\(SVGCanvas.n(xs($0.x))),\(SVGCanvas.n(ys($0.lower!)))" }
                c.mark("<polygon fill=\"\(s.color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\((top + bottom).joined(separator: " "))\"/>")
            }
            let dash = s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            c.mark("<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash) points=\"\(path(s.points, xs, ys, step: step))\"/>")
        }
        // The reference goes on top, so no series hides it.
        if !reference.isEmpty {
            c.mark("<polyline fill=\"none\" stroke=\"#444\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\" points=\"\(path(reference, xs, ys, step: false))\"/>")
        }
        c.legend(series.map { ($0.name, $0.color, $0.dash) }, note: note)
        return c.svg(title: title)
    }

    private static func path(_ points: [LinePoint], _ xs: LinearScale, _ ys: LinearScale, step: Bool) -> String {
        var coords: [String] = []
        for (i, p) in points.enumerated() {
            if step && i > 0 { coords.append("\(SVGCanvas.n(xs(p.x))),\(SVGCanvas.n(ys(points[i - 1].y)))") }
            coords.append("\(SVGCanvas.n(xs(p.x))),\(SVGCanvas.n(ys(p.y)))")
        }
        return coords.joined(separator: " ")
    }

    /// Grouped bars: one group per category, one bar per series, 95% whiskers from each estimate.
    public static func bars(title: String, categories: [String], y: AxisSpec,
                            series: [(name: String, color: String, values: [Estimate?])], note: String? = nil) -> String {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        let ys = LinearScale(covering: values.flatMap { [$0.mean, $0.lower, $0.upper] }, include: [0],
                             range: (SVGCanvas.plotBottom, SVGCanvas.plotTop), fixed: y.fixed)
        var c = SVGCanvas()
        c.frame(title: title, xLabel: "", yLabel: y.label, x: nil, y: ys, xFormat: .plain, yFormat: y.format)
        let groupWidth = (SVGCanvas.plotRight - SVGCanvas.plotLeft) / Double(max(categories.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        for (g, category) in categories.enumerated() {
            let left = SVGCanvas.plotLeft + Double(g) * groupWidth + groupWidth * 0.1
            c.text(category, x: left + groupWidth * 0.4, y: SVGCanvas.plotBottom + 17, anchor: "middle", size: 11)
            for (s, entry) in series.enumerated() {
                guard g < entry.values.count, let e = entry.values[g] else { continue }
                let x = left + Double(s) * barWidth
                let top = ys(max(e.mean, 0)), base = ys(0)
                c.mark("<rect x=\"\(SVGCanvas.n(x + 1))\" y=\"\(SVGCanvas.n(min(top, base)))\" width=\"\(SVGCanvas.n(barWidth - 2))\" height=\"\(SVGCanvas.n(abs(base - top)))\" fill=\"\(entry.color)\"/>")
                let mid = x + barWidth / 2
                c.mark("<path d=\"M\(SVGCanvas.n(mid)) \(SVGCanvas.n(ys(e.lower)))V\(SVGCanvas.n(ys(e.upper)))M\(SVGCanvas.n(mid - 4)) \(SVGCanvas.n(ys(e.lower)))h8M\(SVGCanvas.n(mid - 4)) \(SVGCanvas.n(ys(e.upper)))h8\" stroke=\"#222\" stroke-width=\"1.2\" fill=\"none\"/>")
            }
        }
        c.legend(series.map { ($0.name, $0.color, nil) }, note: note ?? "whiskers: 95% CI")
        return c.svg(title: title)
    }

    /// Points with 95% whiskers on both axes, one per labelled item.
    public static func scatter(title: String, x: AxisSpec, y: AxisSpec,
                               points: [(name: String, color: String, x: Estimate, y: Estimate)]) -> String {
        let xs = LinearScale(covering: points.flatMap { [$0.x.lower, $0.x.upper] }, range: (SVGCanvas.plotLeft, SVGCanvas.plotRight), fixed: x.fixed)
        let ys = LinearScale(covering: points.flatMap { [$0.y.lower, $0.y.upper] }, range: (SVGCanvas.plotBottom, SVGCanvas.plotTop), fixed: y.fixed)
        var c = SVGCanvas()
        c.frame(title: title, xLabel: x.label, yLabel: y.label, x: xs, y: ys, xFormat: x.format, yFormat: y.format)
        for p in points {
            let px = xs(p.x.mean), py = ys(p.y.mean)
            c.mark("<path d=\"M\(SVGCanvas.n(xs(p.x.lower))) \(SVGCanvas.n(py))H\(SVGCanvas.n(xs(p.x.upper)))M\(SVGCanvas.n(px)) \(SVGCanvas.n(ys(p.y.lower)))V\(SVGCanvas.n(ys(p.y.upper)))\" stroke=\"\(p.color)\" stroke-width=\"1.5\" fill=\"none\"/>")
            c.mark("<circle cx=\"\(SVGCanvas.n(px))\" cy=\"\(SVGCanvas.n(py))\" r=\"5\" fill=\"\(p.color)\" stroke=\"#222\"/>")
        }
        // Each point named beside it; labels that would overlap are pushed down a line.
        var placed: [(x: Double, y: Double)] = []
        for p in points.sorted(by: { ys($0.y.mean) < ys($1.y.mean) }) {
            let px = xs(p.x.mean) + 8
            var py = ys(p.y.mean) - 7
            while placed.contains(where: { abs($0.y - py) < 13 && abs($0.x - px) < 90 }) { py += 13 }
            placed.append((px, py))
            c.text(p.name, x: px, y: py, size: 11)
        }
        c.legend(points.map { ($0.name, $0.color, nil) }, note: "whiskers: 95% CI")
        return c.svg(title: title)
    }

    /// A forest plot: one row per (group, series) with the estimate's 95% interval as a
    /// horizontal whisker, a dashed line at zero, groups labelled above their rows.
    public static func intervals(title: String, x: AxisSpec, groups: [(label: String, rows: [(name: String, color: String, value: Estimate)])],
                                 note: String? = nil) -> String {
        let values = groups.flatMap { $0.rows.map(\.value) }.filter { $0.mean.isFinite }
        let xs = LinearScale(covering: values.flatMap { [$0.lower, $0.upper] }, include: [0], range: (SVGCanvas.plotLeft, SVGCanvas.plotRight), fixed: x.fixed)
        var c = SVGCanvas()
        c.xDomain = xs.domain
        let slots = groups.reduce(0) { $0 + $1.rows.count + 1 }
        let step = (SVGCanvas.plotBottom - SVGCanvas.plotTop) / Double(max(slots, 1))
        c.frame(title: title, xLabel: x.label, yLabel: "", x: xs, y: nil, xFormat: x.format, yFormat: .plain)
        let zero = SVGCanvas.n(xs(0))
        c.mark("<path d=\"M\(zero) \(SVGCanvas.n(SVGCanvas.plotTop))V\(SVGCanvas.n(SVGCanvas.plotBottom))\" stroke=\"#444\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\" fill=\"none\"/>")
        var y = SVGCanvas.plotTop
        for group in groups {
            c.text(group.label, x: SVGCanvas.plotLeft - 56, y: y + step * 0.75, size: 11, weight: "bold")
            y += step
            for row in group.rows {
                let cy = y + step / 2
                y += step
                guard row.value.mean.isFinite else { continue }
                c.mark("<path d=\"M\(SVGCanvas.n(xs(row.value.lower))) \(SVGCanvas.n(cy))H\(SVGCanvas.n(xs(row.value.upper)))\" stroke=\"\(row.color)\" stroke-width=\"2.5\" fill=\"none\"/>")
                c.mark("<circle cx=\"\(SVGCanvas.n(xs(row.value.mean)))\" cy=\"\(SVGCanvas.n(cy))\" r=\"4.5\" fill=\"\(row.color)\" stroke=\"#222\"/>")
            }
        }
        var seen: [String] = []
        var legend: [(String, String, String?)] = []
        for row in groups.flatMap(\.rows) where !seen.contains(row.name) { seen.append(row.name); legend.append((row.name, row.color, nil)) }
        c.legend(legend, note: note ?? "bars: 95% CI of the paired difference; dashed: no change")
        return c.svg(title: title)
    }
}
