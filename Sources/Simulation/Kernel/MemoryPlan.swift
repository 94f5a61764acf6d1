import Foundation

/// Every size-based choice of the tuned kernel, made once at start-up from the world's size:
/// which records the request path asks the caches for ahead of use. Outputs never depend on it
/// (a prefetch changes no value); only speed does.
struct MemoryPlan: Sendable, Equatable {
    /// Ask for per-ad and per-advertiser records ahead of use — retrieval's offers and served
    /// rows, the placed ads' tallies, explorer state and personal-block rings, the pacing update's
    /// accounts — in worlds of more than `recordAds` ads (a small world has them in cache, and the
    /// hints' instructions only cost).
    let prefetchRecords: Bool
    /// Also ask for the next request's window while scanning this one (`WindowPrefetch`): when the
    /// tables a window reads — per ad its served row, true-model row and conversion rate, its
    /// offer and two position-table entries — outgrow the last-level cache. Below that the extra
    /// requests cost more than they save.
    let prefetchNextWindow: Bool

    /// Ads above which `prefetchRecords` holds.
    static let recordAds = 4096

    /// The plan for a world of `ads` ads whose ranker serves `servedStride` values per ad (nil:
    /// no served rows), with `truthStride` true-model values per ad, on a machine whose
    /// last-level cache holds `cacheBytes`.
    init(ads: Int, servedStride: Int?, truthStride: Int, cacheBytes: Int = MemoryPlan.lastLevelCacheBytes) {
        prefetchRecords = ads > Self.recordAds
        let perAd = 8 * ((servedStride ?? 0) + truthStride + 1) + MemoryLayout<Offer>.stride + 2 * 4
        prefetchNextWindow = prefetchRecords && servedStride != nil && ads * perAd > cacheBytes
    }

    init(prefetchRecords: Bool, prefetchNextWindow: Bool) {
        self.prefetchRecords = prefetchRecords
        self.prefetchNextWindow = prefetchNextWindow
    }

    /// Asks for nothing (the reference pipeline).
    static let none = MemoryPlan(prefetchRecords: false, prefetchNextWindow: false)

    /// The last-level cache of the machine as this system exposes it (Linux sysfs: in a virtual
    /// machine this is the guest's view, where `sysconf` may report the host's), else 32 MiB.
    static let lastLevelCacheBytes: Int = {
        for index in (0...4).reversed() {
            let base = "/sys/devices/system/cpu/cpu0/cache/index\(index)"
            guard let level = try? String(contentsOfFile: base + "/level", encoding: .utf8),
                  let size = try? String(contentsOfFile: base + "/size", encoding: .utf8) else { continue }
            guard Int(level.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 2 else { continue }
            let text = size.trimmingCharacters(in: .whitespacesAndNewlines)
            let unit = text.last.map { $0 == "K" ? 1 << 10 : $0 == "M" ? 1 << 20 : 1 } ?? 1
            if let value = Int(text.filter(\.isNumber)), value > 0 { return value * unit }
        }
        return 32 << 20
    }()
}
