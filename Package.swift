// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Fairground",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fairground", targets: ["fairground"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // Tests only: the reference our CSV reader is held to (docs/architecture.md, "the CSV codec").
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"])]),
        .target(name: "Stochastics", dependencies: ["CGSL"]),
        // Cache prefetch hints (a compiler builtin) for the simulation's tuned kernel.
        .target(name: "CPrefetch"),
        .target(name: "Scenario", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Learning", dependencies: ["Stochastics"]),
        .target(name: "Exploration", dependencies: ["Stochastics"]),
        .target(name: "Marketplace", dependencies: ["Scenario", "Stochastics"]),
        .target(name: "Simulation", dependencies: [
            "Scenario", "Stochastics", "Marketplace", "Learning", "Exploration", "CPrefetch",
            .product(name: "HeapModule", package: "swift-collections"),
        ], swiftSettings: [
            // The event loop reads the ranker's and explorer's arrays (class properties) per
            // candidate; each read paid a dynamic exclusivity check (~5% of the profile). The
            // simulation is single-threaded per cell and debug builds keep the checks.
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        .target(name: "Reporting", dependencies: ["Simulation", "Scenario", "Stochastics"]),
        .target(name: "Sweeps", dependencies: ["Scenario", "Simulation", "Reporting", "Stochastics"]),
        .target(name: "Fitting", dependencies: ["CGSL", "Scenario", "Simulation", "Reporting", "Stochastics"]),
        .executableTarget(name: "fairground", dependencies: [
            "Scenario", "Stochastics", "Marketplace", "Learning", "Exploration", "Simulation", "Reporting", "Sweeps", "Fitting",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "FairgroundTests", dependencies: [
            "Scenario", "Stochastics", "Marketplace", "Learning", "Exploration", "Simulation", "Reporting", "Sweeps", "Fitting",
            .product(name: "CSV", package: "CSV.swift"),
        ], exclude: ["Golden", "Hostile"]),
    ],
    swiftLanguageModes: [.v6]
)
