import Foundation

/// The impression log schema `fit` reads (docs/impression-log.md), and the per-ad and
/// per-advertiser sums it keeps while streaming a log: memory grows with ads, not rows.
public struct LogTally: Sendable {
    /// Required columns, then the optional ones `fit` uses; `user_*` columns and any others are
    /// accepted and not read.
    public static let required = ["ad", "position", "click"]
    public static let optional = ["timestamp", "advertiser", "adgroup", "cost", "conversion", "value", "propensity", "conversionDelay", "cohort"]
    /// Jackknife blocks: row i belongs to block i mod `blocks`.
    public static let blocks = 10
    /// Positions a log may use (1 = the top slot).
    public static let maxPosition = 20

    public var rows = 0
    /// Highest position seen.
    public var slots = 0
    public var adNames: [String] = []
    public var advertiserNames: [String] = []
    /// The advertiser of each ad (the ad itself when the log has no advertiser column).
    public var adAdvertiser: [Int] = []
    /// impressions and clicks per (ad, block, position): index ((ad · blocks) + block) · stride + position − 1.
    var impressions: [Int32] = []
    var clicks: [Int32] = []
    var stride = 4
    public var advertiserCost: [Double] = []
    public var advertiserClicks: [Double] = []
    public var advertiserConversions: [Double] = []
    /// Per advertiser: conversions with a value, Σ ln value, Σ (ln value)².
    public var valueCount: [Double] = [], valueLog: [Double] = [], valueLogSquare: [Double] = []
    public var hasCost = false, hasConversion = false, hasValue = false, hasTimestamp = false, hasAdvertiser = false
    public var firstTime = Double.infinity, lastTime = -Double.infinity
    /// Top-slot impressions (one per request) by hour of the day.
    public var requestsByHour = [Double](repeating: 0, count: 24)
    public var propensityRows = 0
    public var propensityMin = Double.infinity, propensityMax = -Double.infinity
    public var delaySum = 0.0, delayCount = 0.0
    public var cohortRows: [String: Double] = [:]
    /// Distinct values of a `policy` column (a Fairground impression log), up to 100.
    public var policies: Set<String> = []

    var adIndex: [String: Int] = [:]
    var advertiserIndex: [String: Int] = [:]

    /// Reads the log at `path`; `columns` maps a schema name to the log's own column name.
    /// - Throws: `LogError` naming the column and line of the first problem.
    /// `only` keeps the rows whose column (by the log's own name) holds the given text — e.g.
    /// `["policy": "explore 5%"]` for one policy of a Fairground impression log.
    public static func read(path: String, columns: [String: String] = [:], only: [String: String] = [:]) throws -> LogTally {
        var tally = LogTally()
        var index: [String: Int] = [:]
        var filters: [(Int, String)] = []
        var skipped = 0
        var headerWidth = 0
        var policyColumn: Int?
        try LogReader(path: path).forEachRecord { record, line in
            if line == 1 {
                headerWidth = record.count
                // A byte-order mark (spreadsheet exports) is not part of the first column's name.
                var names = (0..<record.count).map { record.text($0).trimmingCharacters(in: .whitespaces) }
                if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
                for name in required + optional {
                    let wanted = columns[name] ?? name
                    if let i = names.firstIndex(of: wanted) { index[name] = i }
                }
                let missing = required.filter { index[$0] == nil }.map { columns[$0].map { "\($0) (as mapped)" } ?? $0 }
                if !missing.isEmpty {
                    throw LogError(path: path, message: "missing required column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) (the header has: \(names.prefix(12).joined(separator: ", "))\(names.count > 12 ? ", …" : ""))", line: 1)
                }
                tally.hasTimestamp = index["timestamp"] != nil; tally.hasCost = index["cost"] != nil
                tally.hasConversion = index["conversion"] != nil; tally.hasValue = index["value"] != nil
                tally.hasAdvertiser = index["advertiser"] != nil
                policyColumn = names.firstIndex(of: "policy")
                for (column, value) in only.sorted(by: { $0.key < $1.key }) {
                    guard let i = names.firstIndex(of: column) else {
                        throw LogError(path: path, message: "--where: no column '\(column)' (the header has: \(names.prefix(12).joined(separator: ", "))\(names.count > 12 ? ", …" : ""))", line: 1)
                    }
                    filters.append((i, value))
                }
                return
            }
            guard record.count == headerWidth else {
                throw LogError(path: path, message: "expected \(headerWidth) fields (as in the header), got \(record.count)", line: line)
            }
            if !filters.allSatisfy({ record.text($0.0) == $0.1 }) { skipped += 1; return }
            if let c = policyColumn, tally.policies.count < 100 { tally.policies.insert(record.text(c)) }
            try tally.add(record, index: index, columns: columns, path: path, line: line)
        }
        guard headerWidth > 0 else { throw LogError(path: path, message: "empty: no header and no rows", line: nil) }
        guard tally.rows > 0 else {
            throw LogError(path: path, message: skipped > 0 ? "no row matches --where (\(skipped) rows read): nothing to fit" : "no rows after the header: nothing to fit", line: nil)
        }
        return tally
    }

    mutating func add(_ r: LogRecord, index: [String: Int], columns: [String: String], path: String, line: Int) throws {
        func fail(_ name: String, _ what: String) -> LogError {
            LogError(path: path, message: "\(columns[name] ?? name): \(what)", line: line)
        }
        func number(_ name: String) throws -> Double? {
            guard let i = index[name], !r.isEmpty(i) else { return nil }
            guard let x = r.number(i) else { throw fail(name, "'\(r.text(i).prefix(40))' is not a number") }
            return x
        }
        func flag(_ name: String) throws -> Bool? {
            guard let x = try number(name) else { return nil }
            guard x == 0 || x == 1 else { throw fail(name, "must be 0 or 1, got \(r.text(index[name]!).prefix(40))") }
            return x == 1
        }
        guard !r.isEmpty(index["ad"]!) else { throw fail("ad", "empty") }
        guard let position = try number("position") else { throw fail("position", "empty") }
        guard position == position.rounded(), position >= 1, position <= Double(Self.maxPosition) else {
            throw fail("position", "\(r.text(index["position"]!).prefix(40)) is out of range (a whole number from 1 = the top slot to \(Self.maxPosition))")
        }
        guard let clicked = try flag("click") else { throw fail("click", "empty") }
        let adName = r.text(index["ad"]!)
        let advertiserName = index["advertiser"].map { r.isEmpty($0) ? adName : r.text($0) } ?? adName
        let adv: Int
        if let known = advertiserIndex[advertiserName] { adv = known } else {
            adv = advertiserNames.count
            advertiserIndex[advertiserName] = adv
            advertiserNames.append(advertiserName)
            advertiserCost.append(0); advertiserClicks.append(0); advertiserConversions.append(0)
            valueCount.append(0); valueLog.append(0); valueLogSquare.append(0)
        }
        let ad: Int
        if let known = adIndex[adName] { ad = known } else {
            ad = adNames.count
            adIndex[adName] = ad
            adNames.append(adName)
            adAdvertiser.append(adv)
            impressions.append(contentsOf: repeatElement(0, count: Self.blocks * stride))
            clicks.append(contentsOf: repeatElement(0, count: Self.blocks * stride))
        }
        let k = Int(position)
        if k > stride { widen(to: max(k, stride * 2)) }
        slots = max(slots, k)
        let cell = (ad * Self.blocks + rows % Self.blocks) * stride + k - 1
        impressions[cell] += 1
        if clicked { clicks[cell] += 1; advertiserClicks[adv] += 1 }
        if let cost = try number("cost") {
            guard cost >= 0 else { throw fail("cost", "must be at least 0, got \(cost)") }
            advertiserCost[adv] += cost
        }
        if let converted = try flag("conversion"), converted { advertiserConversions[adv] += 1 }
        if let value = try number("value") {
            guard value >= 0 else { throw fail("value", "must be at least 0, got \(value)") }
            if value > 0 { valueCount[adv] += 1; valueLog[adv] += log(value); valueLogSquare[adv] += log(value) * log(value) }
        }
        if let p = try number("propensity") {
            guard p > 0 && p <= 1 else { throw fail("propensity", "must be in (0, 1], got \(r.text(index["propensity"]!).prefix(40))") }
            propensityRows += 1; propensityMin = min(propensityMin, p); propensityMax = max(propensityMax, p)
        }
        if let delay = try number("conversionDelay") {
            guard delay >= 0 else { throw fail("conversionDelay", "must be at least 0 hours, got \(delay)") }
            delaySum += delay; delayCount += 1
        }
        if let c = index["cohort"], !r.isEmpty(c) { cohortRows[r.text(c), default: 0] += 1 }
        if let i = index["timestamp"], !r.isEmpty(i) {
            guard let t = r.number(i) ?? Timestamp.seconds(r.text(i)) else {
                throw fail("timestamp", "'\(r.text(i).prefix(40))' is neither seconds nor a date-time such as 2019-11-24 00:00:34+00:00")
            }
            firstTime = min(firstTime, t); lastTime = max(lastTime, t)
            if k == 1 { requestsByHour[Int((t.truncatingRemainder(dividingBy: 86_400) + 86_400).truncatingRemainder(dividingBy: 86_400) / 3600)] += 1 }
        }
        rows += 1
    }

    /// Re-lays the count arrays for positions up to `width`.
    mutating func widen(to width: Int) {
        var newImpressions = [Int32](repeating: 0, count: adNames.count * Self.blocks * width)
        var newClicks = newImpressions
        for row in 0..<(adNames.count * Self.blocks) {
            for k in 0..<stride {
                newImpressions[row * width + k] = impressions[row * stride + k]
                newClicks[row * width + k] = clicks[row * stride + k]
            }
        }
        impressions = newImpressions; clicks = newClicks; stride = width
    }

    public var ads: Int { adNames.count }
    public var advertisers: Int { advertiserNames.count }

    /// Impressions and clicks of `ad` at `position` (1-based), over the blocks in `blocks`.
    func counts(ad: Int, position k: Int, leaving out: Int? = nil) -> (n: Double, c: Double) {
        var n = 0.0, c = 0.0
        for b in 0..<Self.blocks where b != out {
            let cell = (ad * Self.blocks + b) * stride + k - 1
            n += Double(impressions[cell]); c += Double(clicks[cell])
        }
        return (n, c)
    }

    /// Days the log spans (by its timestamps), or nil without them.
    public var days: Double? {
        guard hasTimestamp, firstTime.isFinite, lastTime > firstTime else { return nil }
        return (lastTime - firstTime) / 86_400
    }

    /// The delete-one-block jackknife's standard error from a statistic's value with each block
    /// left out in turn: √((B − 1)/B · Σ (θ₍ᵢ₎ − θ̄)²).
    public static func jackknifeStandardError(_ leaveOneOut: [Double]) -> Double {
        let B = Double(leaveOneOut.count)
        let mean = leaveOneOut.reduce(0, +) / B
        return ((B - 1) / B * leaveOneOut.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }).squareRoot()
    }

    /// Whether positions were randomised: every row carries the same propensity below 1 (a
    /// uniform logging policy, as in the Open Bandit Dataset's random log). Propensity 1
    /// everywhere is a deterministic policy: nothing was randomised.
    public var uniformLogging: Bool {
        propensityRows == rows && propensityMax < 1 && propensityMax - propensityMin <= 1e-12 * max(1, propensityMax)
    }
}

/// Date-times in logs: "2019-11-24 00:00:34.762830+00:00", "2019-11-24T00:00:34Z", "2019-11-24".
enum Timestamp {
    /// Seconds since 1970-01-01 00:00 UTC (the offset applied), or nil when not a date-time.
    static func seconds(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func int(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) { guard b[i] >= 48 && b[i] <= 57 else { return nil }; v = v * 10 + Int(b[i] - 48) }
            return v
        }
        guard let y = int(0, 4), b.count >= 10, b[4] == 45, let m = int(5, 2), b[7] == 45, let d = int(8, 2),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        var seconds = Double(daysFromCivil(y, m, d)) * 86_400
        var i = 10
        if b.count > 10 {
            guard b[10] == 32 || b[10] == 84, let hh = int(11, 2), b.count >= 16, b[13] == 58, let mm = int(14, 2) else { return nil }
            seconds += Double(hh * 3600 + mm * 60)
            i = 16
            if i < b.count && b[i] == 58 {
                guard let ss = int(17, 2) else { return nil }
                seconds += Double(ss)
                i = 19
                if i < b.count && b[i] == 46 {
                    i += 1
                    var scale = 0.1
                    while i < b.count && b[i] >= 48 && b[i] <= 57 { seconds += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
                }
            }
            if i < b.count {
                if b[i] == 90 { i += 1 } else if b[i] == 43 || b[i] == 45 {
                    let sign = b[i] == 43 ? 1.0 : -1.0
                    guard let oh = int(i + 1, 2) else { return nil }
                    var om = 0
                    if i + 3 < b.count { guard b[i + 3] == 58, let v = int(i + 4, 2) else { return nil }; om = v; i += 6 } else { i += 3 }
                    seconds -= sign * Double(oh * 3600 + om * 60)
                } else { return nil }
            }
        }
        return i == b.count || b.count == 10 ? seconds : nil
    }

    /// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
