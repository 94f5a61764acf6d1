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
}
