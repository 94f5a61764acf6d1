import Foundation
import Stochastics

/// The number type a model's forward and backward passes are written over.
///
/// Models implement their gradient once, generically; running it on `Double` gives the gradient
/// and running it on `Dual` (parameters seeded with a direction v) gives the gradient's
/// directional derivative, i.e. the exact Hessian-vector product H·v. Only the operations the
/// models need are required.
public protocol LearningScalar: Sendable {
    init(_ value: Double)
    /// The ordinary (primal) value, used for branches such as ReLU's kink.
    var value: Double { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    /// The logistic function 1/(1 + e⁻ˣ) (a requirement so `Double` can use the request path's σ).
    static func sigmoid(_ x: Self) -> Self
}

extension LearningScalar {
    @inline(__always) static func += (a: inout Self, b: Self) { a = a + b }
    @inline(__always) static func -= (a: inout Self, b: Self) { a = a - b }
    @inline(__always) static var zero: Self { Self(0) }

    /// log(1 + eˣ), computed without overflow for large |x|.
    @inline(__always) static func softplus(_ x: Self) -> Self {
        x.value > 0 ? x + log(Self(1) + exp(-x)) : log(Self(1) + exp(x))
    }

    /// The logistic function 1/(1 + e⁻ˣ), without overflow.
    @inlinable @inline(__always) public static func sigmoid(_ x: Self) -> Self {
        if x.value >= 0 { return Self(1) / (Self(1) + exp(-x)) }
        let e = exp(x)
        return e / (Self(1) + e)
    }
}

extension Double: LearningScalar {
    @inline(__always) public var value: Double { self }
    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    /// `VectorLogistic`'s σ: the one the simulation scores candidates with, so a batch of rows
    /// can take it four at a time and still match a model trained one value at a time.
    @inline(__always) public static func sigmoid(_ x: Double) -> Double { VectorLogistic.logistic(x) }
}

/// A dual number a + b·ε with ε² = 0: forward-mode differentiation in one direction.
///
/// `tangent` carries the derivative of `value` along the seeded direction through every operation.
public struct Dual: LearningScalar, Equatable {
    public var value: Double
    public var tangent: Double

    @inline(__always) public init(_ value: Double) { self.value = value; tangent = 0 }
    @inline(__always) public init(_ value: Double, tangent: Double) { self.value = value; self.tangent = tangent }

    @inline(__always) public static func + (a: Dual, b: Dual) -> Dual { Dual(a.value + b.value, tangent: a.tangent + b.tangent) }
    @inline(__always) public static func - (a: Dual, b: Dual) -> Dual { Dual(a.value - b.value, tangent: a.tangent - b.tangent) }
    @inline(__always) public static func * (a: Dual, b: Dual) -> Dual {
        Dual(a.value * b.value, tangent: a.tangent * b.value + a.value * b.tangent)
    }
    @inline(__always) public static func / (a: Dual, b: Dual) -> Dual {
        let q = a.value / b.value
        return Dual(q, tangent: (a.tangent - q * b.tangent) / b.value)
    }
    @inline(__always) public static prefix func - (a: Dual) -> Dual { Dual(-a.value, tangent: -a.tangent) }
    @inline(__always) public static func exp(_ x: Dual) -> Dual {
        let e = Foundation.exp(x.value)
        return Dual(e, tangent: e * x.tangent)
    }
    @inline(__always) public static func log(_ x: Dual) -> Dual { Dual(Foundation.log(x.value), tangent: x.tangent / x.value) }
    @inline(__always) public static func tanh(_ x: Dual) -> Dual {
        let t = Foundation.tanh(x.value)
        return Dual(t, tangent: (1 - t * t) * x.tangent)
    }
}
