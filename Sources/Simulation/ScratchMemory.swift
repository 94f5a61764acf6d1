/// Owns scratch memory handed out as typed buffers, all freed when the owner goes.
///
/// Hot loops keep the buffers as `let` properties: writing through one is a plain store, without
/// the uniqueness check an array property costs on every write (and, in a struct's mutating
/// methods, the exclusivity bookkeeping). Only bitwise-copyable element types, so freeing needs no
/// deinitialisation.
final class ScratchMemory {
    private var blocks: [UnsafeMutableRawPointer] = []

    /// A new buffer of `count` elements, each `value`.
    func buffer<T: BitwiseCopyable>(_ count: Int, filledWith value: T) -> UnsafeMutableBufferPointer<T> {
        let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
        b.initialize(repeating: value)
        blocks.append(UnsafeMutableRawPointer(b.baseAddress!))
        return UnsafeMutableBufferPointer(rebasing: b[0..<count])
    }

    deinit { for block in blocks { block.deallocate() } }
}
