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

/// Four dot products Σₖ aᵢₖ·bₖ (i = 0…3) against the same `b`, as one vector: lane i holds
/// exactly the bits `dot(aᵢ, b, count:)` gives.
///
/// Each product keeps `dot`'s four partial lanes; the four sets are then added pairwise across
/// products ((l₀ + l₂) + (l₁ + l₃) for every product at once) instead of one horizontal sum per
/// product, and any tail term is added lane by lane in the same order.
@inlinable @inline(__always)
public func dot4(_ a0: UnsafePointer<Double>, _ a1: UnsafePointer<Double>, _ a2: UnsafePointer<Double>,
                 _ a3: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> SIMD4<Double> {
    var l0 = SIMD4<Double>(repeating: 0), l1 = l0, l2 = l0, l3 = l0
    var k = 0
    while k + 4 <= count {
        let bk = UnsafeRawPointer(b + k).loadUnaligned(as: SIMD4<Double>.self)
        l0 += UnsafeRawPointer(a0 + k).loadUnaligned(as: SIMD4<Double>.self) * bk
        l1 += UnsafeRawPointer(a1 + k).loadUnaligned(as: SIMD4<Double>.self) * bk
        l2 += UnsafeRawPointer(a2 + k).loadUnaligned(as: SIMD4<Double>.self) * bk
        l3 += UnsafeRawPointer(a3 + k).loadUnaligned(as: SIMD4<Double>.self) * bk
        k += 4
    }
    // [l₀ + l₂, l₁ + l₃] of products 0 and 1, then of 2 and 3; even lanes plus odd lanes.
    let x = SIMD4(lowHalf: l0.lowHalf + l0.highHalf, highHalf: l1.lowHalf + l1.highHalf)
    let y = SIMD4(lowHalf: l2.lowHalf + l2.highHalf, highHalf: l3.lowHalf + l3.highHalf)
    var sum = SIMD4(lowHalf: x.evenHalf, highHalf: y.evenHalf) + SIMD4(lowHalf: x.oddHalf, highHalf: y.oddHalf)
    while k < count {
        sum += SIMD4(a0[k], a1[k], a2[k], a3[k]) * b[k]
        k += 1
    }
    return sum
}
