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
