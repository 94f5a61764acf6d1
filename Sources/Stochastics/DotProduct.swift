/// Σₖ aₖ·bₖ over `count` values, four lanes at a time.
///
/// The scoring loops' dot products are short (the latent dimension, 8 by default): summed one
/// term after another they are one long chain of dependent additions per candidate. Here the
/// terms go into four `SIMD4<Double>` lanes (k mod 4), the lanes are added pairwise, then any
/// tail term. The order depends only on `count`, so the bits are the same on every run.
@inlinable @inline(__always)
public func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
    var lanes = SIMD4<Double>(repeating: 0)
    var k = 0
    while k + 4 <= count {
        lanes += UnsafeRawPointer(a + k).loadUnaligned(as: SIMD4<Double>.self)
            * UnsafeRawPointer(b + k).loadUnaligned(as: SIMD4<Double>.self)
        k += 4
    }
    var sum = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
    while k < count {
        sum += a[k] * b[k]
        k += 1
    }
    return sum
}
