// swift-tools-version:6.1
//
// Benchmarks for kmsan-harness, kept in their own package so that the root package does not
// depend on package-benchmark. Run from the repository root:
//
//     swift package --package-path Benchmarks --allow-writing-to-package-directory benchmark
//
// See README.md in this directory.
import PackageDescription

/// SwiftPM names a path dependency after its directory, so the root package's identity is the
/// name of the checkout directory (e.g. "main" or "kmsan-harness"), not its manifest name.
let rootPackage = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "kmsan-harness").lowercased()

let package = Package(
    name: "kmsan-harness-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        // No traits. The default RuntimeInterposer trait pulls in swift-runtime-interposer (only
        // for ARC metrics, unused here). The MallocInterposer trait would put a counting malloc
        // in front of jemalloc, which the root package uses process-wide: every runtime
        // allocation would pay for it (+5 to 8% on a 4 KiB KMSAN memcpy) and freeing an
        // aligned block through it crashes. Only the benchmarks' own custom metrics are used.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: []),
    ],
    targets: [
        .executableTarget(
            name: "KMSANRuntime",
            dependencies: [
                .product(name: "KMSAN", package: rootPackage),
                .product(name: "KernelMemory", package: rootPackage),
                .product(name: "HarnessCore", package: rootPackage),
                .product(name: "BundledPlugins", package: rootPackage),
                .product(name: "ScenarioLanguage", package: rootPackage),
                .product(name: "ScenarioRunner", package: rootPackage),
                .product(name: "HarnessFuzz", package: rootPackage),
                .product(name: "VmallocPlugin", package: rootPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/KMSANRuntime",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
