import CGSL

/// Asks the cache for the line holding `address` ahead of its use.
///
/// A hint only: it never faults, whatever the address, and changes no value. Retrieval reads one
/// record per scanned ad from a table far larger than the caches, starting at a random place in
/// each request, before the hardware's own stream prefetcher has caught on.
@inlinable @inline(__always)
public func prefetch(_ address: UnsafeRawPointer) {
    cgsl_prefetch(address)
}

/// Asks the cache for the line holding `address`, to be written: fetched for ownership ahead of
/// the store (a hint, like `prefetch`).
@inlinable @inline(__always)
public func prefetchForWriting(_ address: UnsafeRawPointer) {
    cgsl_prefetch_write(address)
}

/// Asks for every cache line of the `count` values from `first` (at least one line): a record
/// that may straddle lines. `forWriting` fetches them for ownership.
@inlinable @inline(__always)
public func prefetch(_ first: UnsafePointer<Double>, count: Int, forWriting: Bool = false) {
    // Eight doubles to a 64-byte line: a step of eight lands once in each line the span crosses,
    // and the last value covers the line the steps stop short of. (Walking line addresses
    // instead asks for no line twice but cost more in the retrieval loop.)
    var k = 0
    while k < count {
        if forWriting { prefetchForWriting(first + k) } else { prefetch(first + k) }
        k += 8
    }
    let last = first + max(count - 1, 0)
    if forWriting { prefetchForWriting(last) } else { prefetch(last) }
}

/// Asks the second-level cache for the line holding `address`: for a line read later (after
/// other work), which would only crowd the first-level cache now.
@inlinable @inline(__always)
public func prefetchForLater(_ address: UnsafeRawPointer) {
    cgsl_prefetch_l2(address)
}

/// `prefetchForLater` for every cache line of the `count` values from `first`.
@inlinable @inline(__always)
public func prefetchForLater(_ first: UnsafePointer<Double>, count: Int) {
    var k = 0
    while k < count {
        prefetchForLater(first + k)
        k += 8
    }
    prefetchForLater(first + max(count - 1, 0))
}
