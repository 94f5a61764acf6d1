/// Owns scratch memory handed out as typed buffers, all freed when the owner goes.
///
/// Hot loops keep the buffers as `let` properties: writing through one is a plain store, without
/// the uniqueness check an array property costs on every write (and, in a struct's mutating
/// methods, the exclusivity bookkeeping). Only bitwise-copyable element types, so freeing needs no
/// deinitialisation. Every buffer starts on a 64-byte cache line, so a 64-byte record (`Account`)
/// is one line rather than two.
final class ScratchMemory {
    private var blocks: [UnsafeMutableRawPointer] = []
    static let alignment = 64
    /// Bytes handed out so far (without alignment padding).
    private(set) var bytes = 0

    private func allocate<T: BitwiseCopyable>(_ count: Int, of type: T.Type) -> UnsafeMutablePointer<T> {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: max(Self.alignment, MemoryLayout<T>.alignment))
        blocks.append(raw)
        self.bytes += bytes
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// A new buffer of `count` elements, each `value`.
    func buffer<T: BitwiseCopyable>(_ count: Int, filledWith value: T) -> UnsafeMutableBufferPointer<T> {
        let start = allocate(count, of: T.self)
        start.initialize(repeating: value, count: count)
        return UnsafeMutableBufferPointer(start: start, count: count)
    }

    /// A new buffer holding a copy of `values`.
    func buffer<T: BitwiseCopyable>(copying values: [T]) -> UnsafeMutableBufferPointer<T> {
        let start = allocate(values.count, of: T.self)
        for (i, value) in values.enumerated() { (start + i).initialize(to: value) }
        return UnsafeMutableBufferPointer(start: start, count: values.count)
    }

    deinit { for block in blocks { block.deallocate() } }
}
