import Foundation

/// MovieLens-100K as RecBole ships it (`ml-100k.inter`, `ml-100k.item`): ratings as positives and
/// negatives, each movie's genres and release-year bucket.
///
/// Both files are tab-separated with a typed header (`user_id:token`, …). A rating of 4 or 5 is a
/// positive. A release year that is not a number (the shipped file has `unkonwn` and `V`) puts the
/// movie in the "unknown" year bucket; anything else malformed is an error naming file and line.
public struct MovieLensData: Sendable {
    /// One rating: dense user and item indices, the label and the time.
    public struct Rating: Sendable {
        public var user: Int32
        public var item: Int32
        public var positive: Bool
        public var time: Double
    }

    public private(set) var ratings: [Rating] = []
    public private(set) var userCount = 0
    /// Genre names, sorted; `genres[item]` holds indices into it.
    public private(set) var genreNames: [String] = []
    public private(set) var genres: [[Int]] = []
    /// Index into `yearBucketNames`.
    public private(set) var yearBucket: [Int] = []
    public var itemCount: Int { genres.count }

    /// Release-year buckets: before 1960, the 1960s, 70s, 80s, 1990–94, 1995 on, and unknown.
    public static let yearBucketNames = ["<1960", "1960s", "1970s", "1980s", "1990-94", "1995+", "unknown"]
    static func bucket(year: Int?) -> Int {
        guard let year else { return 6 }
        return [1960, 1970, 1980, 1990, 1995].firstIndex { year < $0 } ?? 5
    }

    /// A file that is missing (exit 66) or damaged (exit 65).
    public struct LoadError: Error, CustomStringConvertible {
        public var missing: Bool
        public var description: String
    }

    /// Reads `ml-100k.item` and `ml-100k.inter` from `directory`.
    public static func load(directory: String) throws -> MovieLensData {
        var data = MovieLensData()
        var itemIndex: [String: Int] = [:], userIndex: [String: Int] = [:], genreIndex: [String: Int] = [:]
        var itemGenres: [[String]] = [], itemYears: [Int?] = []
        try readTable(directory, "ml-100k.item", columns: ["item_id", "release_year", "class"]) { fields, at in
            let id = fields[0]
            guard !id.isEmpty else { throw at("item_id is empty") }
            guard itemIndex[id] == nil else { throw at("item_id \(id) appears twice") }
            itemIndex[id] = itemGenres.count
            itemGenres.append(fields[2].split(separator: " ").map(String.init))
            itemYears.append(Int(fields[1]))
        }
        for name in Set(itemGenres.joined()).sorted() { genreIndex[name] = data.genreNames.count; data.genreNames.append(name) }
        data.genres = itemGenres.map { $0.map { genreIndex[$0]! } }
        data.yearBucket = itemYears.map { bucket(year: $0) }
        try readTable(directory, "ml-100k.inter", columns: ["user_id", "item_id", "rating", "timestamp"]) { fields, at in
            guard let item = itemIndex[fields[1]] else { throw at("item_id \(fields[1]) is not in ml-100k.item") }
            guard !fields[0].isEmpty else { throw at("user_id is empty") }
            guard let rating = Double(fields[2]), rating.isFinite else { throw at("rating '\(fields[2])' is not a number") }
            guard let time = Double(fields[3]), time.isFinite else { throw at("timestamp '\(fields[3])' is not a number") }
            let user = userIndex[fields[0]] ?? userIndex.count
            userIndex[fields[0]] = user
            data.ratings.append(Rating(user: Int32(user), item: Int32(item), positive: rating >= 4, time: time))
        }
        data.userCount = userIndex.count
        if data.ratings.isEmpty { throw LoadError(missing: false, description: "\(directory)/ml-100k.inter: no ratings") }
        return data
    }

    /// Calls `row` with the named columns of each line after the header; `at` makes a line's error.
    private static func readTable(_ directory: String, _ name: String, columns: [String],
                                  row: ([String], (String) -> LoadError) throws -> Void) throws {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw LoadError(missing: true, description: "\(path): cannot be read (is --movielens the folder holding ml-100k.inter and ml-100k.item?)")
        }
        guard let text = String(data: bytes, encoding: .utf8) else { throw LoadError(missing: false, description: "\(path): not UTF-8 text") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first else { throw LoadError(missing: false, description: "\(path): empty") }
        let names = header.split(separator: "\t", omittingEmptySubsequences: false).map { String($0.split(separator: ":").first ?? "") }
        var positions: [Int] = []
        for column in columns {
            guard let p = names.firstIndex(of: column) else {
                throw LoadError(missing: false, description: "\(path) line 1: no \(column) column (header: \(header))")
            }
            positions.append(p)
        }
        for (n, line) in lines.enumerated().dropFirst() {
            let at = { (message: String) in LoadError(missing: false, description: "\(path) line \(n + 1): \(message)") }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == names.count else { throw at("\(fields.count) fields where the header has \(names.count)") }
            try row(positions.map { String(fields[$0]) }, at)
        }
    }
}
