import Foundation
import Testing
@testable import Stochastics

@Suite("Stochastics: vectorised logistic against libm")
struct VectorLogisticTests {
    /// Units in the last place between two positive finite doubles.
    func ulps(_ a: Double, _ b: Double) -> UInt64 {
        let x = a.bitPattern, y = b.bitPattern
        return x > y ? x - y : y - x
    }

    @Test func expWithinTwoUlpOfTheExactValue() {
        // Against e^x in 80-bit extended precision (libm's expl) rounded to a double, over the
        // whole range the lanes accept.
        var worst: UInt64 = 0
        var x = -708.0
        while x <= 707.5 {
            let lanes = SIMD4(x, x + 0.0137, x + 0.31, x + 0.5)
            let e = VectorLogistic.exp(lanes)
            for k in 0..<4 { worst = max(worst, ulps(e[k], Double(Foundation.exp(Float80(lanes[k]))))) }
            x += 0.070711
        }
        #expect(worst <= 2, "worst exp error \(worst) ulp")
        #expect(VectorLogistic.exp(SIMD4(repeating: 0))[0] == 1)
    }

    @Test func logisticWithinTwoUlpOfTheExactValue() {
        // Logits of click models live in a few tens around 0; step through them finely and compare
        // with σ computed in 80-bit extended precision (libm's expl), rounded to a double. libm's
        // own double formula 1 / (1 + exp(−z)) is measured the same way, as a yardstick.
        var worst: UInt64 = 0, worstLibm: UInt64 = 0
        var z = -40.0
        while z <= 40 {
            let exact = Double(1 / (1 + Foundation.exp(-Float80(z))))
            worst = max(worst, ulps(VectorLogistic.logistic(z), exact))
            worstLibm = max(worstLibm, ulps(1 / (1 + Foundation.exp(-z)), exact))
            z += 0.000613
        }
        #expect(worst <= 2, "worst logistic error \(worst) ulp (libm's formula: \(worstLibm))")
        #expect(VectorLogistic.logistic(0) == 0.5)
        #expect(VectorLogistic.logistic(800) == 1)
        #expect(VectorLogistic.logistic(-800) > 0 && VectorLogistic.logistic(-800) < 1e-300)
    }

    @Test func batchGivesEachValueTheBitsItGetsAlone() {
        for n in 1...11 {
            let logits = (0..<n).map { Double($0) * 1.37 - 6.2 }
            var values = logits
            values.withUnsafeMutableBufferPointer { VectorLogistic.apply($0) }
            for i in 0..<n { #expect(values[i] == VectorLogistic.logistic(logits[i]), "n \(n) place \(i)") }
        }
    }

    @Test func lanesGiveEachLogitTheBitsItGetsAlone() {
        // Including the clamps (±708 and beyond) and a NaN, which must pass through.
        let logits = [-900, -708.5, -12.25, -0.0, 0.0, 3.5, 707.9, 1e6, .nan, -1e-300, 36.7, -2.2]
        for start in stride(from: 0, to: logits.count, by: 4) {
            let z = SIMD4(logits[start], logits[start + 1], logits[start + 2], logits[start + 3])
            let s = VectorLogistic.logistic(lanes: z)
            for k in 0..<4 {
                let alone = VectorLogistic.logistic(z[k])
                #expect(s[k].bitPattern == alone.bitPattern || (s[k].isNaN && alone.isNaN), "logit \(z[k])")
            }
        }
    }

    @Test func fourDotProductsHaveTheBitsOfOneAtATime() {
        // Lengths with and without a tail beyond the groups of four; values spread over many
        // magnitudes so a different order of additions would show in the last bits.
        let stream = RandomStream(seed: 11)
        for count in 0...19 {
            func value() -> Double { (stream.uniform() - 0.5) * pow(10, Double(stream.integer(below: 9)) - 4) }
            let b: [Double] = (0..<count).map { _ in value() }
            // The four rows one after another (plus one spare value, so the buffer is never empty).
            let all: [Double] = (0..<(4 * count + 1)).map { _ in value() }
            all.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { bb in
                    let base = a.baseAddress!, v = bb.baseAddress ?? base
                    let four = dot4(base, base + count, base + 2 * count, base + 3 * count, v, count: count)
                    for i in 0..<4 {
                        #expect(four[i].bitPattern == dot(base + i * count, v, count: count).bitPattern, "count \(count) lane \(i)")
                    }
                }
            }
        }
    }
}
