import CPrefetch

// Cache prefetch hints for the tuned kernel (`TunedKernel`, `MemoryPlan`). A hint never faults,
// whatever the address, and changes no value: the reference pipeline, which asks for nothing,
// gives the same outputs.

/// Asks the first-level cache for the line holding `address`, to be read soon.
@inline(__always)
func prefetch(_ address: UnsafeRawPointer) {
    cprefetch_read(address)
}

/// Asks for the line holding `address` for ownership, ahead of a store to it.
@inline(__always)
func prefetchForWriting(_ address: UnsafeRawPointer) {
    cprefetch_write(address)
}

/// Asks for every cache line of the `count` values from `first` (at least one line): a record
/// that may straddle lines. `forWriting` fetches them for ownership.
@inline(__always)
func prefetch(_ first: UnsafePointer<Double>, count: Int, forWriting: Bool = false) {
    // Eight doubles to a 64-byte line: a step of eight lands once in each line the span crosses,
    // and the last value covers the line the steps stop short of.
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
@inline(__always)
func prefetchForLater(_ address: UnsafeRawPointer) {
    cprefetch_read_later(address)
}

/// `prefetchForLater` for every cache line of the `count` values from `first`.
@inline(__always)
func prefetchForLater(_ first: UnsafePointer<Double>, count: Int) {
    var k = 0
    while k < count {
        prefetchForLater(first + k)
        k += 8
    }
    prefetchForLater(first + max(count - 1, 0))
}
