/// The logistic function of many values at once, four lanes at a time.
///
/// The per-candidate sigmoid of a request's scores was a fifth of the request path's time as
/// calls to libm's `exp`. Here e^x is computed in `SIMD4<Double>` lanes: x = n·ln 2 + r with
/// n = round(x / ln 2) (found with the 1.5·2⁵² shifter, so n's bits land in the mantissa), r
/// reduced in two steps (ln 2 split into a high part with trailing zero bits and a low part),
/// e^r = P(r) / P(−r) from the [6/6] Padé approximant (error below 10⁻¹⁸ for |r| ≤ ln 2 / 2; P
/// split into even and odd parts so both polynomials share their terms), and 2ⁿ built from n's
/// bits. σ(z) = P(−r) / (P(−r) + 2ⁿ·P(r)) with x = −z then needs the one division e^x needs.
/// Only IEEE additions, multiplications and divisions: the same lanes give the same bits on
/// every machine, whatever the batch size or a value's place in it. Within 2 ulp of the exact
/// value (checked in the tests); |z| > 708 is clamped to ±708, where σ is 1 or below 10⁻³⁰⁷.
public enum VectorLogistic {
    @usableFromInline static let shifter = 6755399441055744.0 // 1.5 · 2⁵²
    @usableFromInline static let log2e = 1.4426950408889634
    @usableFromInline static let ln2High = 0.693145751953125 // 15 significant bits: n · ln2High is exact
    @usableFromInline static let ln2Low = 1.4286068203094173e-06 // ln 2 − ln2High
    // Padé [6/6] numerator coefficients: c_k = (12 − k)! 6! / (12! k! (6 − k)!).
    @usableFromInline static let e2 = 5.0 / 44, e4 = 1.0 / 792, e6 = 1.0 / 665280
    @usableFromInline static let o3 = 1.0 / 66, o5 = 1.0 / 15840

    /// 2ⁿ, P(r) and P(−r) with e^x = 2ⁿ · P(r) / P(−r), for |x| ≤ 708.
    @inlinable @inline(__always)
    static func reduce(_ x: SIMD4<Double>) -> (scale: SIMD4<Double>, p: SIMD4<Double>, q: SIMD4<Double>) {
        let t = x * log2e + shifter
        let n = t - shifter
        let r = (x - n * ln2High) - n * ln2Low
        let r2 = r * r
        // [6/6] Padé numerator of e^r: even part E(r²), odd part r·O(r²).
        var even = r2 * e6 + e4
        even = even * r2 + e2
        even = even * r2 + 1
        var odd = r2 * o5 + o3
        odd = (odd * r2 + 0.5) * r
        // t's low mantissa bits hold n (two's complement); shifted into the exponent field.
        let bits = unsafeBitCast(t, to: SIMD4<UInt64>.self) &<< 52 &+ (1023 << 52)
        return (unsafeBitCast(bits, to: SIMD4<Double>.self), even + odd, even - odd)
    }

    /// e^x in each lane, for |x| ≤ 708.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let (scale, p, q) = reduce(x)
        return scale * p / q
    }

    /// σ(z) = 1 / (1 + e^(−z)) in each lane, for |z| ≤ 708.
    @inlinable @inline(__always)
    static func logisticOfClamped(_ z: SIMD4<Double>) -> SIMD4<Double> {
        let (scale, p, q) = reduce(-z)
        return q / (q + scale * p)
    }

    @inlinable @inline(__always)
    static func clamp(_ z: Double) -> Double { Swift.min(Swift.max(z, -708), 708) }

    /// Replaces each logit in `values` by its logistic σ(z); the last partial group of four is
    /// padded, so every value gets the same bits as it would anywhere else.
    @inlinable
    public static func apply(_ values: UnsafeMutableBufferPointer<Double>) {
        guard let base = values.baseAddress else { return }
        let n = values.count
        var i = 0
        while i + 4 <= n {
            let s = logistic(lanes: SIMD4(base[i], base[i + 1], base[i + 2], base[i + 3]))
            base[i] = s[0]; base[i + 1] = s[1]; base[i + 2] = s[2]; base[i + 3] = s[3]
            i += 4
        }
        guard i < n else { return }
        // The last one to three values, the spare lanes repeating the last (every load in bounds
        // and unconditional, so the lanes are built in registers: writing single lanes through
        // memory stalled the vector's load).
        let last = n - 1
        var s = logistic(lanes: SIMD4(base[i], base[min(i + 1, last)], base[min(i + 2, last)], base[last]))
        // Copied out of the stored vector (conditional lane writes made the compiler compute
        // each lane on its own, in scalar code).
        withUnsafeBytes(of: &s) { (base + i).update(from: $0.assumingMemoryBound(to: Double.self).baseAddress!, count: n - i) }
    }

    /// σ of four logits, each with the bits `apply` gives it (for callers that compute logits
    /// four at a time).
    @inlinable @inline(__always)
    public static func logistic(lanes z: SIMD4<Double>) -> SIMD4<Double> {
        // `clamp` lane by lane: max(z, −708) then min(·, 708), NaN passing through as there.
        let raised = z.replacing(with: -708, where: z .< -708)
        return logisticOfClamped(raised.replacing(with: 708, where: raised .> 708))
    }

    /// σ(z) for one value, through the same lanes as `apply` (for a value scored alone).
    @inlinable
    public static func logistic(_ z: Double) -> Double {
        logisticOfClamped(SIMD4(repeating: clamp(z)))[0]
    }
}
