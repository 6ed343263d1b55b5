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

/// The bundled plugins: one library target each, in its own folder under Plugins/ (the example
/// driver under Examples/), each depending on the public HarnessCore, KMSAN and KernelMemory
/// products only. `Sources/BundledPlugins` lists their plugin values; a new plugin is its
/// folder, one line here and one line there.
let bundledPlugins: [(target: String, path: String)] = [
    ("PageAllocatorPlugin", "Plugins/PageAllocator"),
    ("SlabPlugin", "Plugins/Slab"),
    ("VmallocPlugin", "Plugins/Vmalloc"),
    ("DMAPlugin", "Plugins/DMA"),
    ("UserMemoryPlugin", "Plugins/UserMemory"),
    ("USBPlugin", "Plugins/USB"),
    ("SKBPlugin", "Plugins/SKB"),
    ("USBNetExample", "Examples/USBNet"),
]
let pluginTargetDependencies: [Target.Dependency] = ["HarnessCore", "KMSAN", "KernelMemory"]

let package = Package(
    name: "kmsan-harness",
    products: [
        .executable(name: "kmsan-harness", targets: ["kmsan-harness"]),
        .executable(name: "kmsan-harness-fuzzer", targets: ["kmsan-harness-fuzzer"]),
        .library(name: "KernelMemory", targets: ["KernelMemory"]),
        .library(name: "KMSAN", targets: ["KMSAN"]),
        .library(name: "HarnessCore", targets: ["HarnessCore"]),
        .library(name: "HarnessTesting", targets: ["HarnessTesting"]),
        .library(name: "ScenarioLanguage", targets: ["ScenarioLanguage"]),
        .library(name: "ScenarioRunner", targets: ["ScenarioRunner"]),
        .library(name: "HarnessCommandLine", targets: ["HarnessCommandLine"]),
        .library(name: "BundledPlugins", targets: ["BundledPlugins"]),
        .library(name: "HarnessFuzz", targets: ["HarnessFuzz"]),
    ] + bundledPlugins.map { .library(name: $0.target, targets: [$0.target]) },
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
        .target(name: "HarnessTesting", dependencies: ["HarnessCore", "KMSAN", "KernelMemory", "ScenarioLanguage", "ScenarioRunner"]),
        // Subsystem plugins: ordinary library targets, one folder each under Plugins/ (bundledPlugins above),
        // and the one list of them.
        .target(name: "BundledPlugins", dependencies: ["HarnessCore"] + bundledPlugins.map { .target(name: $0.target) }),
    ] + bundledPlugins.map {
        .target(name: $0.target, dependencies: pluginTargetDependencies, path: $0.path)
    } + [
        // The scenario language: syntax tree, parser, diagnostics (no machine needed).
        .target(name: "ScenarioLanguage", dependencies: ["HarnessCore", "KMSAN", "KernelMemory"]),
        // Runs parsed scenarios on fresh machines and compares their reports with the expectations.
        .target(name: "ScenarioRunner", dependencies: ["ScenarioLanguage", "HarnessCore", "KMSAN", "KernelMemory"]),
        // Programs generated from the op declarations, a machine restored between runs, oracles,
        // minimization, reproducers and the built-in fuzz loop.
        .target(name: "HarnessFuzz", dependencies: ["ScenarioLanguage", "ScenarioRunner", "HarnessCore", "KMSAN", "KernelMemory"]),
        // The reusable command line (`run`, `ops`, `fuzz`, `replay`), generic over a tool's plugin list.
        .target(name: "HarnessCommandLine", dependencies: [
            "ScenarioLanguage", "ScenarioRunner", "HarnessCore", "KMSAN", "HarnessFuzz",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The command-line tool: the reusable commands with the bundled plugins, plus `demo`.
        .executableTarget(name: "kmsan-harness", dependencies: [
            "HarnessCommandLine", "BundledPlugins", "HarnessCore", "KMSAN", "KernelMemory",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The libFuzzer entry point (a replayer of input files unless built with -DFUZZING).
        .executableTarget(name: "kmsan-harness-fuzzer", dependencies: ["HarnessFuzz", "HarnessCore", "BundledPlugins"],
                          path: "Harnesses/Fuzz", exclude: ["oss-fuzz"]),
        .testTarget(name: "KernelMemoryTests", dependencies: ["KernelMemory"]),
        .testTarget(name: "KMSANTests", dependencies: ["KMSAN", "KernelMemory", "HarnessCore", "HarnessTesting"]),
        .testTarget(name: "HarnessCoreTests", dependencies: [
            "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory", "BundledPlugins", "UserMemoryPlugin", "USBNetExample",
        ]),
        .testTarget(name: "PageAllocatorPluginTests", dependencies: ["PageAllocatorPlugin", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory"]),
        .testTarget(name: "SlabPluginTests", dependencies: [
            "SlabPlugin", "PageAllocatorPlugin", "BundledPlugins", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory",
        ]),
        .testTarget(name: "ScenarioLanguageTests", dependencies: ["ScenarioLanguage", "HarnessCore", "HarnessTesting", "KMSAN", "BundledPlugins"]),
        .testTarget(name: "ScenarioRunnerTests", dependencies: [
            "ScenarioRunner", "ScenarioLanguage", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory", "BundledPlugins",
        ]),
        // The command line: argument parsing, `ops`, `run` exit statuses, and a tool built from a plugin of the test's own.
        .testTarget(name: "KMSANHarnessCLITests", dependencies: [
            "kmsan-harness", "HarnessCommandLine", "BundledPlugins", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory",
            "ScenarioLanguage", "ScenarioRunner",
        ]),
        // A plugin from outside the bundled set, as a user's package has one: its own scenarios, its own tool.
        .testTarget(name: "ExternalPluginTests", dependencies: [
            "HarnessCommandLine", "BundledPlugins", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory",
            "ScenarioLanguage", "ScenarioRunner", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["Scenarios"]),
        // The vmalloc plugin: shadow release behaviours, invariants, the populate race.
        .testTarget(name: "VmallocPluginTests", dependencies: [
            "VmallocPlugin", "BundledPlugins", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory",
        ]),
        // The DMA plugin: masks, what cannot be mapped, live mappings as leaks, coherent buffers.
        .testTarget(name: "DMAPluginTests", dependencies: [
            "DMAPlugin", "BundledPlugins", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory",
        ]),
        // The user-memory plugin: get_user, put_user and strncpy_from_user at their edges.
        .testTarget(name: "UserMemoryPluginTests", dependencies: [
            "UserMemoryPlugin", "BundledPlugins", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory",
        ]),
        // The USB plugin: URB references, plugin completion handlers, the hook's direction.
        .testTarget(name: "USBPluginTests", dependencies: [
            "USBPlugin", "BundledPlugins", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory",
        ]),
        // The skb plugin: dataref, ownership handed to drivers and queues, absurd sizes, restore.
        .testTarget(name: "SKBPluginTests", dependencies: [
            "SKBPlugin", "BundledPlugins", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory",
        ]),
        // The uxnet example driver: the fuzz loop finds its planted bug from a fixed seed.
        .testTarget(name: "USBNetExampleTests", dependencies: ["USBNetExample", "BundledPlugins", "HarnessCore", "HarnessFuzz", "KMSAN"]),
        // Program model, encodings, restore, minimization, the loop, the differential oracle.
        .testTarget(name: "HarnessFuzzTests", dependencies: [
            "HarnessFuzz", "HarnessCommandLine", "HarnessCore", "HarnessTesting", "KMSAN", "KernelMemory", "ScenarioLanguage",
            "ScenarioRunner", "BundledPlugins",
        ]),
        // Every scenario under Harnesses/, one test case each.
        .testTarget(name: "HarnessSuiteTests", dependencies: [
            "ScenarioRunner", "ScenarioLanguage", "HarnessCore", "HarnessTesting", "BundledPlugins",
        ]),
    ]
)
