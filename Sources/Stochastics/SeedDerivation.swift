/// Seed derivation: every random stream is a pure function of (seed, replicate, name).

/// One SplitMix64 finalisation step (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
///
/// Used to turn structured keys into well-spread seeds and counter-based uniforms.
@inlinable
public func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// A 64-bit FNV-1a hash of a stream name, stable across runs and platforms.
public func streamNameHash(_ name: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in name.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h
}

/// Derives the seed of the stream called `name` for one replicate of a scenario.
///
/// Distinct names and replicates give statistically independent streams; the same triple
/// always gives the same seed, whatever thread or process asks.
public func deriveSeed(_ seed: UInt64, replicate: Int, stream name: String) -> UInt64 {
    splitMix64(splitMix64(seed ^ streamNameHash(name)) &+ UInt64(truncatingIfNeeded: replicate))
}
