// swift-tools-version:6.0
//
// kmsan-harness: a plugin-based allocator test harness around a faithful model of
// the Linux kernel's KMSAN runtime. See README.md and CONTRIBUTING.md.
import PackageDescription

// Host memory for simulated pages comes from a dedicated jemalloc arena. ThreadSanitizer
// cannot run beside jemalloc (both replace malloc and C++ operator new/delete, and mixing
// them crashes TSan's allocator), so a TSan build sets KMSAN_HARNESS_HOST_ALLOCATOR=system
// and takes host pages from the system allocator with the harness's own accounting instead.
let systemHostAllocator = Context.environment["KMSAN_HARNESS_HOST_ALLOCATOR"] == "system"
let kernelMemoryDependencies: [Target.Dependency] = systemHostAllocator ? [] : ["CJemalloc"]
let kernelMemorySettings: [SwiftSetting] = systemHostAllocator ? [.define("KMSAN_HOST_ALLOCATOR_SYSTEM")] : []

let package = Package(
    name: "kmsan-harness",
    products: [
        .executable(name: "kmsan-harness", targets: ["kmsan-harness"]),
        .library(name: "KernelMemory", targets: ["KernelMemory"]),
        .library(name: "KMSAN", targets: ["KMSAN"]),
        .library(name: "HarnessCore", targets: ["HarnessCore"]),
        .library(name: "PageAllocatorPlugin", targets: ["PageAllocatorPlugin"]),
        .library(name: "SlabPlugin", targets: ["SlabPlugin"]),
        .library(name: "HarnessTesting", targets: ["HarnessTesting"]),
        .library(name: "ScenarioLanguage", targets: ["ScenarioLanguage"]),
        .library(name: "ScenarioRunner", targets: ["ScenarioRunner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // jemalloc 5.3 from Debian (libjemalloc-dev); shims expose its macros.
        .systemLibrary(
            name: "CJemalloc",
            path: "Sources/CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        // Simulated physical memory, page frames with shadow/origin pages, and the
        // simulated kernel virtual address space.
        .target(name: "KernelMemory", dependencies: kernelMemoryDependencies, swiftSettings: kernelMemorySettings),
        // Vectorized word loops of the metadata copy (one build per x86-64 level, picked at load).
        .target(name: "CMetadataKernels"),
        // The KMSAN runtime: stack depot, origins, poisoning, checks, reports, contexts.
        .target(name: "KMSAN", dependencies: ["KernelMemory", "CMetadataKernels"]),
        // The machine, the six subsystem protocols and the plugin protocol.
        .target(name: "HarnessCore", dependencies: ["KMSAN", "KernelMemory"]),
        // Swift-API test helpers (Swift Testing and XCTest): a fresh machine, expected reports.
        .target(name: "HarnessTesting", dependencies: ["HarnessCore", "KMSAN", "KernelMemory"]),
        // Subsystem plugins: ordinary library targets, one folder each under Plugins/.
        .target(name: "PageAllocatorPlugin", dependencies: ["HarnessCore", "KMSAN", "KernelMemory"], path: "Plugins/PageAllocator"),
        .target(name: "SlabPlugin", dependencies: ["HarnessCore", "KMSAN", "KernelMemory"], path: "Plugins/Slab"),
        // The scenario language: syntax tree, parser, diagnostics (no machine needed).
        .target(name: "ScenarioLanguage", dependencies: ["HarnessCore", "KMSAN", "KernelMemory"]),
        // Runs parsed scenarios on fresh machines and compares their reports with the expectations.
        .target(name: "ScenarioRunner", dependencies: ["ScenarioLanguage", "HarnessCore", "KMSAN", "KernelMemory"]),
        // The command-line tool.
        .executableTarget(name: "kmsan-harness", dependencies: [
            "ScenarioLanguage", "ScenarioRunner", "HarnessCore", "KMSAN", "KernelMemory", "PageAllocatorPlugin", "SlabPlugin",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "KernelMemoryTests", dependencies: ["KernelMemory"]),
        .testTarget(name: "KMSANTests", dependencies: ["KMSAN", "KernelMemory"]),
        .testTarget(name: "HarnessCoreTests", dependencies: ["HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory", "PageAllocatorPlugin", "SlabPlugin"]),
        .testTarget(name: "PageAllocatorPluginTests", dependencies: ["PageAllocatorPlugin", "HarnessCore", "KMSAN", "KernelMemory"]),
        .testTarget(name: "SlabPluginTests", dependencies: ["SlabPlugin", "PageAllocatorPlugin", "HarnessCore", "KMSAN", "KernelMemory"]),
        .testTarget(name: "ScenarioLanguageTests", dependencies: ["ScenarioLanguage", "HarnessCore", "KMSAN", "PageAllocatorPlugin", "SlabPlugin"]),
        .testTarget(name: "ScenarioRunnerTests", dependencies: ["ScenarioRunner", "ScenarioLanguage", "HarnessCore", "KMSAN", "KernelMemory", "PageAllocatorPlugin", "SlabPlugin"]),
        // The command line: argument parsing, `ops`, `run` exit statuses.
        .testTarget(name: "KMSANHarnessCLITests", dependencies: ["kmsan-harness", "HarnessCore", "KMSAN"]),
        // Every scenario under Harnesses/, one test case each.
        .testTarget(name: "HarnessSuiteTests", dependencies: ["ScenarioRunner", "ScenarioLanguage", "HarnessCore", "PageAllocatorPlugin", "SlabPlugin"]),
    ]
)
