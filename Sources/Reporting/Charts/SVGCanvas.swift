import Foundation

/// Accumulates the SVG markup of one chart: frame, axes, legend and marks.
///
/// Output is deterministic (fixed number formatting, no ids from counters shared across
/// charts), so golden-file tests can compare it byte for byte.
struct SVGCanvas {
    static let width = 560.0, height = 340.0
    static let plotLeft = 64.0, plotRight = 398.0, plotTop = 44.0, plotBottom = 290.0
    private(set) var body = ""
    private(set) var marks = ""
    /// The x axis's domain, written on the `<svg>` as `data-x-domain` so a test can check that a
    /// time axis ends at the horizon.
    var xDomain: ClosedRange<Double>?

    static func n(_ x: Double) -> String { String(format: "%.1f", x) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    mutating func text(_ s: String, x: Double, y: Double, anchor: String = "start", size: Int = 12, weight: String = "normal", rotate: Bool = false) {
        let transform = rotate ? " transform=\"rotate(-90 \(Self.n(x)) \(Self.n(y)))\"" : ""
        body += "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" text-anchor=\"\(anchor)\"\(transform)>\(Self.escape(s))</text>\n"
    }

    mutating func mark(_ element: String) { marks += element + "\n" }

    /// Title, axis titles, gridlines and tick labels.
    mutating func frame(title: String, xLabel: String, yLabel: String, x: LinearScale?, y: LinearScale?, xFormat: ValueFormat, yFormat: ValueFormat) {
        text(title, x: 12, y: 22, size: 14, weight: "bold")
        for t in y?.ticks ?? [] {
            let y = y!
            let py = y(t)
            body += "<line x1=\"\(Self.n(Self.plotLeft))\" y1=\"\(Self.n(py))\" x2=\"\(Self.n(Self.plotRight))\" y2=\"\(Self.n(py))\" stroke=\"#e3e3e3\"/>\n"
            text(yFormat.string(t), x: Self.plotLeft - 6, y: py + 4, anchor: "end", size: 11)
        }
        if let x {
            for t in x.ticks {
                let px = x(t)
                body += "<line x1=\"\(Self.n(px))\" y1=\"\(Self.n(Self.plotBottom))\" x2=\"\(Self.n(px))\" y2=\"\(Self.n(Self.plotBottom + 4))\" stroke=\"#555\"/>\n"
                text(xFormat.string(t), x: px, y: Self.plotBottom + 17, anchor: "middle", size: 11)
            }
        }
        body += "<line x1=\"\(Self.n(Self.plotLeft))\" y1=\"\(Self.n(Self.plotBottom))\" x2=\"\(Self.n(Self.plotRight))\" y2=\"\(Self.n(Self.plotBottom))\" stroke=\"#555\"/>\n"
        body += "<line x1=\"\(Self.n(Self.plotLeft))\" y1=\"\(Self.n(Self.plotTop))\" x2=\"\(Self.n(Self.plotLeft))\" y2=\"\(Self.n(Self.plotBottom))\" stroke=\"#555\"/>\n"
        text(xLabel, x: (Self.plotLeft + Self.plotRight) / 2, y: Self.height - 14, anchor: "middle")
        text(yLabel, x: 16, y: (Self.plotTop + Self.plotBottom) / 2, anchor: "middle", rotate: true)
    }

    /// Legend entries in the column right of the plot.
    mutating func legend(_ entries: [(name: String, color: String, dash: String?)], note: String? = nil) {
        var y = Self.plotTop + 6
        for e in entries {
            if let dash = e.dash {
                body += "<path d=\"M\(Self.n(Self.plotRight + 14)) \(Self.n(y - 3))h16\" stroke=\"\(e.color)\" stroke-width=\"2.5\" stroke-dasharray=\"\(dash)\" fill=\"none\"/>\n"
            } else {
                body += "<rect x=\"\(Self.n(Self.plotRight + 16))\" y=\"\(Self.n(y - 9))\" width=\"12\" height=\"12\" fill=\"\(e.color)\"/>\n"
            }
            let lines = Self.wrap(e.name, width: 22)
            for (i, line) in lines.enumerated() { text(line, x: Self.plotRight + 34, y: y + 1 + Double(i) * 14, size: 11) }
            y += 20 + Double(lines.count - 1) * 14
        }
        if let note {
            for line in Self.wrap(note, width: 23) { text(line, x: Self.plotRight + 16, y: y + 4, size: 11); y += 14 }
        }
    }

    static func wrap(_ s: String, width: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in s.split(separator: " ") {
            if !current.isEmpty && current.count + word.count + 1 > width { lines.append(current); current = "" }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }

    /// The finished SVG document; marks sit in `<g class="plot">` so a browser can measure them.
    func svg(title: String) -> String {
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\"\(xDomain.map { " data-x-domain=\"\(String(format: "%g", $0.lowerBound)) \(String(format: "%g", $0.upperBound))\"" } ?? "") width=\"\(Self.n(Self.width))\" height=\"\(Self.n(Self.height))\" viewBox=\"0 0 \(Self.n(Self.width)) \(Self.n(Self.height))\" role=\"img\" aria-label=\"\(Self.escape(title))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "<title>\(Self.escape(title))</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
            + body + "<g class=\"plot\">\n" + marks + "</g>\n</svg>\n"
    }
}
