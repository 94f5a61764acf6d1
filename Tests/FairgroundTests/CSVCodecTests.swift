import CSV
import Foundation
import Testing
@testable import Reporting

/// The one CSV codec: what CSVField writes, CSVTable reads back, field for field and line for line.
@Suite("CSV codec: RFC 4180 quoting, row widths, line numbers")
struct CSVCodecTests {
    @Test func plainFieldsAreWrittenAsTheyAre() {
        for name in ["global", "small", "global (weekly retraining)", "глобальный", "a b", "x;y", ""] {
            #expect(CSVField.encode(name) == name)
        }
        #expect(CSVField.encode("a,b") == "\"a,b\"")
        #expect(CSVField.encode("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVField.encode("two\nlines") == "\"two\nlines\"")
    }

    /// A random table of awkward fields (commas, quotes, CR, LF, spaces, non-ASCII) as CSVField writes it.
    static func randomTable(_ generator: inout SplitMix64) -> (header: [String], rows: [[String]], text: String) {
        let alphabet: [Character] = ["a", "b", ",", "\"", "\n", "\r", " ", "é", "1", "\r\n"]
        let width = Int.random(in: 1...5, using: &generator)
        let rows = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
            (0..<width).map { _ in String((0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        }
        let header = (0..<width).map { "c\($0)" }
        let text = ([header] + rows).map { $0.map(CSVField.encode).joined(separator: ",") + "\n" }.joined()
        return (header, rows, text)
    }

    @Test func randomFieldsRoundTrip() throws {
        var generator = SplitMix64(seed: 4180)
        for _ in 0..<500 {
            let (header, rows, text) = Self.randomTable(&generator)
            let table = try CSVTable(text, file: "t.csv")
            #expect(table.header == header)
            #expect(table.rows == rows, "\(text.debugDescription)")
        }
    }

    /// Our reader is held to a well-kept library (yaslab/CSV.swift) on well-formed input: every
    /// table CSVField writes reads the same, field for field, with both. (The library accepts
    /// malformed input silently — an unclosed quote runs to the end of the file, text after a
    /// closing quote is kept — and numbers no lines, which is why `report` does not use it.)
    @Test func readsWhatTheCSVLibraryReads() throws {
        var generator = SplitMix64(seed: 2016)
        for _ in 0..<500 {
            let (header, rows, text) = Self.randomTable(&generator)
            let library = try CSVReader(string: text, hasHeaderRow: true)
            var libraryRows: [[String]] = []
            while let row = library.next() { libraryRows.append(row) }
            let ours = try CSVTable(text, file: "t.csv")
            #expect(library.headerRow == header && ours.header == header)
            #expect(ours.rows == libraryRows, "\(text.debugDescription)")
            #expect(libraryRows == rows)
        }
        // Why `report` does not use the library: damaged input it reads without complaint, ours refuses.
        for damaged in ["a,b\n\"x,1\n2,3\n", "a,b\n\"x\"y,1\n", "a,b\nx\"y,1\n"] {
            let library = try CSVReader(string: damaged, hasHeaderRow: true)
            while library.next() != nil {}
            #expect(library.error == nil)
            #expect(throws: ReportInputError.self) { try CSVTable(damaged, file: "t.csv") }
        }
        // The files a run writes (a tier name with a comma, so some fields are quoted), read both ways.
        let out = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let scenario = Fixtures.repositoryRoot.appendingPathComponent("Tests/FairgroundTests/Hostile/scenarios/tier-name-comma.yaml").path
        let result = try Fixtures.runCLI(["run", scenario, "--out", out.path + "/r", "--jobs", "1", "--quiet"])
        try #require(result.status == 0, "\(result.stderr)")
        let run = out.path + "/r"
        for name in ["advertisers.csv", "timeseries.csv", "ramp.csv", "calibration.csv"] {
            let text = try String(contentsOfFile: (run as NSString).appendingPathComponent(name), encoding: .utf8)
            let library = try CSVReader(string: text, hasHeaderRow: true)
            var libraryRows: [[String]] = []
            while let row = library.next() { libraryRows.append(row) }
            let ours = try CSVTable(text, file: name)
            #expect(ours.header == library.headerRow! && ours.rows == libraryRows, "\(name)")
            if name == "advertisers.csv" || name == "timeseries.csv" { #expect(!libraryRows.isEmpty, "\(name) has rows") }
        }
    }

    @Test func lineNumbersCountLineBreaksInsideQuotes() throws {
        let text = "a,b\n\"x\ny\",1\n2\n"
        #expect(throws: ReportInputError.self) { try CSVTable(text, file: "t.csv") }
        do { _ = try CSVTable(text, file: "t.csv") } catch {
            #expect(error.line == 4, "the short row starts on line 4 (line 2 holds a line break)")
            #expect(error.description == "t.csv: expected 2 fields (as in the header), got 1 (line 4)")
        }
        let crlf = try CSVTable("a,b\r\n1,2\r\n", file: "t.csv")
        #expect(crlf.header == ["a", "b"] && crlf.rows == [["1", "2"]])
    }
}
