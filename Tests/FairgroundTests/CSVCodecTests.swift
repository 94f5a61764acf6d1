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

    @Test func randomFieldsRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "b", ",", "\"", "\n", "\r", " ", "é", "1"]
        for _ in 0..<300 {
            let width = Int.random(in: 1...5, using: &generator)
            let rows = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                (0..<width).map { _ in String((0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
            }
            let header = (0..<width).map { "c\($0)" }
            let text = ([header] + rows).map { $0.map(CSVField.encode).joined(separator: ",") + "\n" }.joined()
            let table = try CSVTable(text, file: "t.csv")
            #expect(table.header == header)
            #expect(table.rows == rows, "\(text.debugDescription)")
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
