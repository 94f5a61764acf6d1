/// A table of a report: what a chart shows, as numbers.
public struct ReportTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    public init(header: [String], rows: [[String]]) { self.header = header; self.rows = rows }
}

/// One chart of a report, saved as charts/<file>.svg beside summary.md.
public struct ReportFigure: Sendable {
    public var file: String
    public var title: String
    public var svg: String
    public init(file: String, title: String, svg: String) { self.file = file; self.title = title; self.svg = svg }
}

/// A section of the report: a heading, a sentence saying how to read it, figures and tables.
public struct ReportSection: Sendable {
    public var id: String
    public var title: String
    public var lead: String
    public var figures: [ReportFigure]
    public var tables: [ReportTable]
}
